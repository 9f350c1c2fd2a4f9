package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * CCS's host-side preparation: the same tensors, bit for bit, as a plain rendering of its
 * definition (the full IoU matrix, an arg-max per anchor, the padded index tensors), whether the
 * tensors are fresh ({@code prepare}) or refilled per thread ({@code prepareUnchecked}).
 */
class CcsPrepareTest {

    /** The prepared tensors computed the long way, as the loss did before it reused arrays. */
    static Map<String, Tensor> reference(CcsLoss loss, Map<String, Tensor> inputs) {
        Tensor anchors = inputs.get("anchors");
        Tensor annotations = inputs.get("annotations");
        int batch = anchors.dim(0);
        int a = anchors.dim(1);
        int m = annotations.dim(1);
        float[] ann = annotations.toArray();
        float[] anchorValues = anchors.toArray();
        float threshold = (float) loss.iouObject();
        List<float[]> rows = new ArrayList<>();    // {row, label, iou, image}
        int[] counts = new int[batch];
        for (int b = 0; b < batch; b++) {
            List<float[]> boxes = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                int at = (b * m + j) * 5;
                if (ann[at + 4] != -1f) {
                    boxes.add(java.util.Arrays.copyOfRange(ann, at, at + 5));
                }
            }
            if (boxes.isEmpty()) {
                continue;
            }
            float[] packed = new float[4 * boxes.size()];
            for (int k = 0; k < boxes.size(); k++) {
                System.arraycopy(boxes.get(k), 0, packed, 4 * k, 4);
            }
            float[] image = java.util.Arrays.copyOfRange(anchorValues, b * a * 4, (b + 1) * a * 4);
            float[] iou = BoxIou.pairwise(image, a, packed, boxes.size());
            for (int i = 0; i < a; i++) {
                int arg = 0;
                for (int k = 1; k < boxes.size(); k++) {
                    if (iou[i * boxes.size() + k] > iou[i * boxes.size() + arg]) {
                        arg = k;
                    }
                }
                float best = iou[i * boxes.size() + arg];
                if (best > threshold) {
                    rows.add(new float[] {(float) b * a + i, boxes.get(arg)[4], best});
                    counts[b]++;
                }
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("embeddings", inputs.get("embeddings"));
        out.put("weights", inputs.get("weights"));
        if (rows.isEmpty()) {
            return out;
        }
        int padded = 1;
        while (padded < rows.size()) {
            padded *= 2;
        }
        float[][] columns = new float[3][padded];
        float[] members = new float[batch * padded];
        for (int s = 0, b = 0, seen = 0; s < padded; s++) {
            float[] r = rows.get(Math.min(s, rows.size() - 1));
            for (int c = 0; c < 3; c++) {
                columns[c][s] = r[c];
            }
            if (s < rows.size()) {
                while (seen == counts[b]) {
                    b++;
                    seen = 0;
                }
                members[b * padded + s] = 1f;
                seen++;
            }
        }
        float[] inv = new float[batch];
        for (int b = 0; b < batch; b++) {
            inv[b] = counts[b] == 0 ? 0f : 1f / counts[b];
        }
        out.put("rows", Tensor.of(columns[0], padded));
        out.put("labels", Tensor.of(columns[1], padded));
        out.put("members", Tensor.of(members, batch, padded));
        out.put("inv_counts", Tensor.of(inv, batch));
        if (loss.soft()) {
            out.put("iou", Tensor.of(columns[2], padded));
        }
        return out;
    }

    static Map<String, Tensor> inputs(CcsLossTest.Batch in) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("anchors", in.anchors());
        m.put("embeddings", in.embeddings());
        m.put("weights", in.weights());
        m.put("annotations", in.annotations());
        return m;
    }

    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), what + ": names in order");
        for (String name : expected.keySet()) {
            assertEquals(expected.get(name).shape(), actual.get(name).shape(), what + " " + name);
            float[] e = expected.get(name).toArray();
            float[] a = actual.get(name).toArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]),
                    what + " " + name + "[" + i + "]: " + e[i] + " vs " + a[i]);
            }
        }
    }

    @Test
    void freshAndRefilledTensorsEqualTheLongWayBitForBit() {
        int cases = 0;
        for (boolean soft : new boolean[] {false, true}) {
            for (double threshold : new double[] {0.0, 0.3, 0.5, 0.9, 1.0}) {
                CcsLoss loss = CcsLoss.builder().soft(soft).iouObject(threshold).iouBackground(0).build();
                for (int seed = 0; seed < 6; seed++) {
                    // Sizes change from call to call, so refills meet new and returning sizes.
                    int b = 1 + seed % 4;
                    int m = 1 + (seed * 7) % 6;
                    CcsLossTest.Batch in = CcsLossTest.batch(100 + seed, b, 30 + 17 * seed, 3, 4, m);
                    Map<String, Tensor> expected = reference(loss, inputs(in));
                    String what = "soft " + soft + " threshold " + threshold + " seed " + seed;
                    assertSameTensors(expected, loss.prepare(inputs(in)), what + " prepare");
                    assertSameTensors(expected, loss.prepareUnchecked(inputs(in)), what + " prepareUnchecked");
                    cases += expected.containsKey("rows") ? 1 : 0;
                }
            }
        }
        // Threshold 1 selects nothing (IoU > 1 never holds), 0.9 seldom: both outcomes are met.
        assertTrue(cases >= 30 && cases <= 50, "60 cases, most with selected anchors: " + cases);
    }

    @Test
    void tiedBoxesGiveTheFirstRealAnnotationsLabel() {
        // Image 0: a padding row first, then two identical boxes with labels 2 and 1.
        float[] ann = {9, 9, 9, 9, -1, 0, 0, 4, 4, 2, 0, 0, 4, 4, 1};
        float[] anchors = {0, 0, 4, 4, 0, 0, 4, 3, 10, 10, 12, 12};
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("anchors", Tensor.of(anchors, 1, 3, 4));
        in.put("embeddings", Tensor.ones(1, 3, 2));
        in.put("weights", Tensor.ones(2, 3));
        in.put("annotations", Tensor.of(ann, 1, 3, 5));
        CcsLoss loss = CcsLoss.builder().soft(true).build();
        Map<String, Tensor> p = loss.prepareUnchecked(in);
        assertArrayEquals(new float[] {0, 1}, p.get("rows").toArray());
        assertArrayEquals(new float[] {2, 2}, p.get("labels").toArray());
        assertArrayEquals(new float[] {1f, 0.75f}, p.get("iou").toArray());
        assertSameTensors(reference(loss, in), p, "ties");
    }

    @Test
    void refillsReuseTheArraysOfTheSameSizesAndClearTheOldMembers() {
        CcsLoss loss = CcsLoss.create();
        CcsLossTest.Batch first = CcsLossTest.batch(7, 3, 40, 3, 4, 3);
        CcsLossTest.Batch second = CcsLossTest.batch(8, 3, 40, 3, 4, 3);
        Map<String, Tensor> a = loss.prepareUnchecked(inputs(first));
        float[] rows = a.get("rows").bufferOrNull();
        float[] members = a.get("members").bufferOrNull();
        Map<String, Tensor> b = loss.prepareUnchecked(inputs(second));
        assertEquals(a.get("rows").shape(), b.get("rows").shape(), "the two batches should pad to one size");
        assertSame(rows, b.get("rows").bufferOrNull());
        assertSame(members, b.get("members").bufferOrNull());
        assertSameTensors(reference(loss, inputs(second)), b, "second batch");
        assertSame(second.embeddings(), b.get("embeddings"), "the differentiated input passes through");

        // The eager path's tensors stay its own: a later call must not change them.
        Map<String, Tensor> eager = loss.prepare(inputs(first));
        assertNotSame(rows, eager.get("rows").bufferOrNull());
        loss.prepare(inputs(second));
        loss.prepareUnchecked(inputs(second));
        assertSameTensors(reference(loss, inputs(first)), eager, "eager tensors after later calls");
    }

    @Test
    void threadsSharingOneLossEachGetTheirOwnTensors() throws Exception {
        CcsLoss loss = CcsLoss.builder().soft(true).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int k = 0; k < 30; k++) {
                        CcsLossTest.Batch in = CcsLossTest.batch(1000 * thread + k % 3, 2, 60, 3, 4, 4);
                        assertSameTensors(reference(loss, inputs(in)), loss.prepareUnchecked(inputs(in)),
                            "thread " + thread + " call " + k);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theCompiledPathChecksTheEmbeddingsInItsProgramAndThrowsTheEagerMessage() {
        CcsLossTest.Batch in = CcsLossTest.batch(5, 2, 30, 3, 4, 2);
        Map<String, Tensor> good = inputs(in);
        CompiledLoss compiled = CompiledLoss.of(CcsLoss.create());
        float expected = CcsLoss.create().compute(in.inputs(Variable.constant(in.embeddings()))).data().item();
        assertEquals(expected, compiled.forwardBackward(good).get("loss").item(), 1e-6f);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] e = in.embeddings().toArray();
            e[e.length - 2] = bad;      // the last anchor of the last image: selected or not, checked
            Map<String, Tensor> inputs = inputs(in);
            inputs.put("embeddings", Tensor.of(e, 2, 30, 3));
            CcsLoss.create().prepareUnchecked(inputs);      // left to the program's guard
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> compiled.forwardBackward(inputs));
            assertEquals("embeddings: expected finite values, got " + bad + " at index [1, 29, 1]", error.getMessage());
        }
    }

    @Test
    void overflowingAreasNameTheImage() {
        CcsLossTest.Batch in = CcsLossTest.batch(3, 2, 10, 3, 4, 2);
        float[] anchors = in.anchors().toArray();
        float[] huge = {-3e38f, -3e38f, 3e38f, 3e38f};
        System.arraycopy(huge, 0, anchors, (10 + 4) * 4, 4);
        // Image 1 has one real annotation (row 0): as huge as the anchor, inf - inf in the union.
        float[] ann = in.annotations().toArray();
        System.arraycopy(huge, 0, ann, 2 * 5, 4);
        Map<String, Tensor> bad = inputs(in);
        bad.put("anchors", Tensor.of(anchors, 2, 10, 4));
        bad.put("annotations", Tensor.of(ann, 2, 2, 5));
        for (boolean reuse : new boolean[] {false, true}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                CcsLoss loss = CcsLoss.create();
                Map<String, Tensor> unused = reuse ? loss.prepareUnchecked(bad) : loss.prepare(bad);
            });
            assertTrue(e.getMessage().startsWith("anchors[1], annotations[1]: expected boxes whose areas fit in"
                + " float32, got IoU NaN for anchor 4 and box 0"), e.getMessage());
        }
    }
}
