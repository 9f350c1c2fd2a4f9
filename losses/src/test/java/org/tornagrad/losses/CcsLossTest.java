package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.losses.BoundaryLossTest.assertMessage;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.GradCheck;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backends;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

class CcsLossTest {

    /** One batch of inputs. */
    record Batch(Tensor anchors, Tensor embeddings, Tensor weights, Tensor annotations) {
        Map<String, Variable> inputs(Variable embeddingsVariable) {
            return Map.of("anchors", Variable.constant(anchors), "embeddings", embeddingsVariable,
                "weights", Variable.constant(weights), "annotations", Variable.constant(annotations));
        }

        Batch withAnnotations(Tensor a) {
            return new Batch(anchors, embeddings, weights, a);
        }

        Batch withEmbeddings(Tensor e) {
            return new Batch(anchors, e, weights, annotations);
        }

        Batch withWeights(Tensor w) {
            return new Batch(anchors, embeddings, w, annotations);
        }

        Batch withAnchors(Tensor a) {
            return new Batch(a, embeddings, weights, annotations);
        }
    }

    /**
     * B images of A anchors; image b has max(M - b, 0) real annotations (the rest padding) with
     * random boxes; every other anchor is a jittered copy of one of them (so that many overlap it
     * by more than 0.5, some by less), the others lie at random.
     */
    static Batch batch(long seed, int b, int a, int e, int k, int m) {
        Random r = new Random(seed);
        float[] ann = new float[b * m * 5];
        java.util.Arrays.fill(ann, -1f);
        float[] anchors = new float[b * a * 4];
        for (int img = 0; img < b; img++) {
            int real = Math.max(m - img, 0);
            for (int j = 0; j < real; j++) {
                randomBox(r, ann, (img * m + j) * 5);
                ann[(img * m + j) * 5 + 4] = r.nextInt(k);
            }
            for (int i = 0; i < a; i++) {
                int at = (img * a + i) * 4;
                if (i % 2 == 0 && real > 0) {
                    int src = (img * m + r.nextInt(real)) * 5;
                    for (int c = 0; c < 4; c++) {
                        anchors[at + c] = ann[src + c] + (float) (0.8 * r.nextGaussian());
                    }
                } else {
                    randomBox(r, anchors, at);
                }
            }
        }
        return new Batch(Tensor.of(anchors, b, a, 4), Tensor.randn(seed + 1, b, a, e), Tensor.randn(seed + 2, e, k),
            Tensor.of(ann, b, m, 5));
    }

    private static void randomBox(Random r, float[] into, int at) {
        float x = 20 * r.nextFloat();
        float y = 20 * r.nextFloat();
        into[at] = x;
        into[at + 1] = y;
        into[at + 2] = x + 3 + 6 * r.nextFloat();
        into[at + 3] = y + 3 + 6 * r.nextFloat();
    }

    // ---------------------------------------------------------------------------------------
    // An independent reference: the per-image losses as plain double loops from LOSSES.md §7.

    static double[] imageLossesInDouble(Batch in, boolean soft, double iouObject) {
        int b = in.anchors.dim(0), a = in.anchors.dim(1), e = in.embeddings.dim(2), k = in.weights.dim(1);
        int m = in.annotations.dim(1);
        float[] anchors = in.anchors.toArray();
        float[] emb = in.embeddings.toArray();
        float[] w = in.weights.toArray();
        float[] ann = in.annotations.toArray();
        double[] out = new double[b];
        for (int img = 0; img < b; img++) {
            double total = 0;
            int count = 0;
            for (int i = 0; i < a; i++) {
                double best = -1;
                int label = -1;
                for (int j = 0; j < m; j++) {
                    int row = (img * m + j) * 5;
                    if (ann[row + 4] == -1f) {
                        continue;
                    }
                    float[] box = java.util.Arrays.copyOfRange(ann, row, row + 4);
                    double iou = BoxIouTest.iouInDouble(anchors, img * a + i, box, 0);
                    if (iou > best) {
                        best = iou;
                        label = (int) ann[row + 4];
                    }
                }
                if (label < 0 || !(best > iouObject)) {
                    continue;
                }
                double dot = 0, ee = 0, ww = 0;
                for (int d = 0; d < e; d++) {
                    double x = emb[(img * a + i) * e + d];
                    double y = w[d * k + label];
                    dot += x * y;
                    ee += x * x;
                    ww += y * y;
                }
                double l = -dot / Math.sqrt(ee) / Math.sqrt(ww);
                if (soft) {
                    l *= best;
                }
                total += (l + 1) / 2;
                count++;
            }
            out[img] = count == 0 ? 0 : total / count;
        }
        return out;
    }

    static Variable run(CcsLoss loss, Batch in, Variable embeddings) {
        return loss.compute(in.inputs(embeddings));
    }

    // ---------------------------------------------------------------------------------------
    // Values

    @Test
    void matchesTheDoubleReferenceWithAndWithoutSoftAndOtherThresholds() {
        Batch in = batch(1, 4, 60, 5, 3, 3);
        for (boolean soft : new boolean[] {false, true}) {
            for (double threshold : new double[] {0.5, 0.3, 0.7}) {
                CcsLoss loss = CcsLoss.builder().soft(soft).iouObject(threshold).reduction(Reduction.NONE).build();
                float[] got = run(loss, in, Variable.constant(in.embeddings)).data().toArray();
                double[] expected = imageLossesInDouble(in, soft, threshold);
                int nonZero = 0;
                for (int i = 0; i < got.length; i++) {
                    assertEquals(expected[i], got[i], 1e-6, "soft " + soft + " threshold " + threshold + " image " + i);
                    nonZero += got[i] != 0 ? 1 : 0;
                }
                assertTrue(nonZero >= 2, "most images should have selected anchors: " + nonZero);
            }
        }
    }

    @Test
    void reductionsMeanSumAndNoneOverImages() {
        Batch in = batch(2, 3, 50, 4, 3, 3);
        double[] expected = imageLossesInDouble(in, false, 0.5);
        Variable none = run(CcsLoss.builder().reduction(Reduction.NONE).build(), in, Variable.constant(in.embeddings));
        assertEquals(Shape.of(3), none.shape());
        float sum = run(CcsLoss.builder().reduction(Reduction.SUM).build(), in, Variable.constant(in.embeddings))
            .data().item();
        Variable mean = run(CcsLoss.create(), in, Variable.constant(in.embeddings));
        assertEquals(Shape.scalar(), mean.shape());
        assertEquals(expected[0] + expected[1] + expected[2], sum, 1e-6);
        assertEquals((expected[0] + expected[1] + expected[2]) / 3, mean.data().item(), 1e-6);
    }

    @Test
    void paddingAndEmptyImagesCountAsZeroInTheMeanAndGetZeroGradient() {
        Batch full = batch(3, 3, 40, 4, 3, 2);
        float[] ann = full.annotations.toArray();
        for (int j = 0; j < 2; j++) {
            ann[(2 * 2 + j) * 5 + 4] = -1f;     // image 2: padding rows only
        }
        Batch in = full.withAnnotations(Tensor.of(ann, 3, 2, 5));
        Variable emb = Variable.param(in.embeddings);
        Variable value = run(CcsLoss.builder().reduction(Reduction.NONE).build(), in, emb);
        assertEquals(0f, value.data().get(2));
        value.backward(Tensor.ones(3));
        Tensor grad = emb.grad();
        for (int i = 0; i < 40; i++) {
            for (int d = 0; d < 4; d++) {
                assertEquals(0f, grad.get(2, i, d));
            }
        }
        double[] expected = imageLossesInDouble(in, false, 0.5);
        float mean = run(CcsLoss.create(), in, Variable.constant(in.embeddings)).data().item();
        assertEquals((expected[0] + expected[1]) / 3, mean, 1e-6);
    }

    @Test
    void onlySelectedAnchorsGetAGradientAndNoneFlowsIntoTheWeights() {
        Batch in = batch(4, 2, 40, 4, 3, 3);
        Variable emb = Variable.param(in.embeddings);
        Variable weights = Variable.param(in.weights);
        Variable value = CcsLoss.create().compute(Map.of("anchors", Variable.constant(in.anchors), "embeddings", emb,
            "weights", weights, "annotations", Variable.constant(in.annotations)));
        value.backward();
        assertNull(weights.grad(), "weights are detached");
        Tensor grad = emb.grad();
        for (int img = 0; img < 2; img++) {
            float[] boxes = realBoxes(in, img);
            AnchorAssignment a = AnchorAssignment.assign(in.anchors.slice(0, img, img + 1, 1).reshape(40, 4),
                Tensor.of(boxes, boxes.length / 4, 4), 0.5);
            boolean[] selected = a.selected();
            for (int i = 0; i < 40; i++) {
                double norm = 0;
                for (int d = 0; d < 4; d++) {
                    norm += Math.abs(grad.get(img, i, d));
                }
                assertEquals(selected[i], norm > 0, "image " + img + " anchor " + i);
            }
        }
    }

    @Test
    void aBatchWithoutAnyTermIsZeroAndStillBackpropagates() {
        Batch in = batch(5, 2, 10, 3, 2, 2);
        Variable emb = Variable.param(in.embeddings);
        Variable value = run(CcsLoss.builder().iouObject(1.0).build(), in, emb);
        assertEquals(0f, value.data().item());
        value.backward();
        assertEquals(0f, emb.grad().abs().maxValue());
    }

    @Test
    void argMaxTiesUseTheFirstAnnotationsLabel() {
        Batch in = batch(6, 1, 50, 4, 3, 2);
        float[] ann = in.annotations.toArray();
        System.arraycopy(ann, 0, ann, 5, 4);            // row 1: the same box as row 0 ...
        ann[4] = 0f;
        ann[9] = 2f;                                     // ... with another label
        Batch tied = in.withAnnotations(Tensor.of(ann, 1, 2, 5));
        float[] firstOnly = ann.clone();
        firstOnly[9] = -1f;
        Batch alone = in.withAnnotations(Tensor.of(firstOnly, 1, 2, 5));
        float a = run(CcsLoss.create(), tied, Variable.constant(in.embeddings)).data().item();
        float b = run(CcsLoss.create(), alone, Variable.constant(in.embeddings)).data().item();
        assertTrue(a != 0f, "the tied box should select some anchors");
        assertEquals(b, a);
        float[] secondFirst = ann.clone();
        secondFirst[4] = 2f;
        secondFirst[9] = 0f;
        float c = run(CcsLoss.create(), in.withAnnotations(Tensor.of(secondFirst, 1, 2, 5)),
            Variable.constant(in.embeddings)).data().item();
        assertTrue(c != a, "swapping the tied labels changes the class used");
    }

    // ---------------------------------------------------------------------------------------
    // Gradients and backends

    @Test
    void gradientsMatchFiniteDifferences() {
        Batch in = batch(7, 3, 30, 4, 3, 3);
        for (boolean soft : new boolean[] {false, true}) {
            CcsLoss loss = CcsLoss.builder().soft(soft).reduction(Reduction.NONE).build();
            GradCheck.Result r = GradCheck.defaults().check(v -> run(loss, in, v[0]), in.embeddings);
            assertTrue(r.passed, "soft " + soft + ": " + r);
        }
    }

    @Test
    void parallelBackendIsBitIdenticalToTheJavaBackend() {
        Batch in = batch(8, 4, 3000, 16, 5, 40);
        float[][] java = valueAndGrad("java", in);
        float[][] parallel = valueAndGrad("parallel", in);
        assertArrayEquals(java[0], parallel[0]);
        assertArrayEquals(java[1], parallel[1]);
    }

    private static float[][] valueAndGrad(String backend, Batch in) {
        try (Backends.Scope s = Backends.use(backend)) {
            Variable emb = Variable.param(in.embeddings);
            Variable value = run(CcsLoss.builder().soft(true).reduction(Reduction.NONE).build(), in, emb);
            value.backward(Tensor.uniform(1, 0.5f, 1.5f, value.shape().dims()));
            return new float[][] {value.data().toArray(), emb.grad().toArray()};
        }
    }

    // ---------------------------------------------------------------------------------------
    // Options and bad input

    @Test
    void optionsFromTheRegistryEqualTheBuilder() {
        CcsLoss c = (CcsLoss) Losses.create("ccs", Map.of("soft", "true", "iou_object", "0.6", "iou_background", "0.3",
            "reduction", "none"));
        assertTrue(c.soft());
        assertEquals(0.6, c.iouObject());
        assertEquals(0.3, c.iouBackground());
        assertEquals(Reduction.NONE, c.reduction());
        CcsLoss d = (CcsLoss) Losses.create("ccs");
        assertEquals(false, d.soft());
        assertEquals(0.5, d.iouObject());
        assertEquals(0.4, d.iouBackground());
        assertEquals(Reduction.MEAN, d.reduction());
        assertEquals(List.of("anchors", "embeddings", "weights", "annotations"), d.inputNames());
        assertEquals(List.of("embeddings"), d.differentiated());
        // The default background 0.4 is not held against a lower iou_object; a given one is.
        assertEquals(0.3, ((CcsLoss) Losses.create("ccs", Map.of("iou_object", "0.3"))).iouObject());
    }

    @Test
    void rejectsBadOptions() {
        assertMessage(() -> Losses.create("ccs", Map.of("iou_object", "1.5")),
            "ccs option iou_object: expected a number in [0.0, 1.0]", "got '1.5'");
        assertMessage(() -> Losses.create("ccs", Map.of("iou_object", "0.5", "iou_background", "0.6")),
            "ccs option iou_background: expected a number in [0.0, 0.5]", "got '0.6'");
        assertMessage(() -> CcsLoss.builder().iouObject(0.3).iouBackground(0.4).build(),
            "ccs option iouBackground: expected a number in [0, iouObject = 0.3]", "got 0.4");
        assertMessage(() -> Losses.create("ccs", Map.of("soft", "yes")), "ccs option soft: expected true or false",
            "got 'yes'");
        assertMessage(() -> Losses.create("ccs", Map.of("thresholds", "0.5")),
            "ccs option thresholds: expected one of soft, iou_object, iou_background, reduction",
            "got unknown option 'thresholds'");
    }

    @Test
    void noAnchorsOrNoAnnotationsSelectNothingAndGiveZeroAsTheReferenceDoes() {
        Batch in = batch(9, 2, 5, 3, 2, 2);
        CcsLoss loss = CcsLoss.create();
        assertEquals(0f, run(loss, in.withAnnotations(Tensor.zeros(2, 0, 5)), Variable.constant(in.embeddings))
            .data().item());
        Batch none = new Batch(Tensor.zeros(2, 0, 4), Tensor.zeros(2, 0, 3), in.weights, in.annotations);
        assertEquals(0f, run(loss, none, Variable.constant(none.embeddings)).data().item());
    }

    @Test
    void rejectsShapesThatDoNotAgree() {
        Batch in = batch(9, 2, 5, 3, 2, 2);
        CcsLoss loss = CcsLoss.create();
        assertMessage(() -> run(loss, in.withAnchors(Tensor.zeros(2, 5, 5)), Variable.constant(in.embeddings)),
            "anchors: expected shape (B, A, 4)", "got (2, 5, 5)");
        assertMessage(() -> run(loss, in.withAnchors(Tensor.zeros(0, 5, 4)), Variable.constant(in.embeddings)),
            "anchors: expected at least one image", "got shape (0, 5, 4)");
        assertMessage(() -> run(loss, in, Variable.constant(Tensor.zeros(2, 6, 3))),
            "embeddings: expected shape (B, A, E) = (2, 5, E >= 1)", "got (2, 6, 3)");
        assertMessage(() -> run(loss, in, Variable.constant(Tensor.zeros(5, 3))),
            "embeddings: expected rank 3 (B, A, E)", "got shape (5, 3)");
        assertMessage(() -> run(loss, in.withWeights(Tensor.zeros(4, 2)), Variable.constant(in.embeddings)),
            "weights: expected shape (E, K) with E = 3", "got (4, 2)");
        // K = 0 used to pass the shape checks and fail on the first label as "in [0, -1]".
        assertMessage(() -> run(loss, in.withWeights(Tensor.zeros(3, 0)), Variable.constant(in.embeddings)),
            "weights: expected shape (E, K) with K >= 1", "got (3, 0)");
        assertMessage(() -> run(loss, in.withAnnotations(Tensor.zeros(2, 2, 4)), Variable.constant(in.embeddings)),
            "annotations: expected shape (B, M, 5) = (2, M, 5)", "got (2, 2, 4)");
        assertMessage(() -> run(loss, in.withAnnotations(Tensor.zeros(3, 2, 5)), Variable.constant(in.embeddings)),
            "annotations: expected shape (B, M, 5) = (2, M, 5)", "got (3, 2, 5)");
    }

    @Test
    void rejectsLabelsThatAreNotIntegersInMinusOneToKMinusOne() {
        Batch in = batch(10, 2, 5, 3, 2, 2);
        for (float bad : new float[] {1.5f, -2f, 2f}) {
            float[] ann = in.annotations.toArray();
            ann[(1 * 2 + 1) * 5 + 4] = bad;
            assertMessage(() -> run(CcsLoss.create(), in.withAnnotations(Tensor.of(ann, 2, 2, 5)),
                    Variable.constant(in.embeddings)),
                "annotations[1, 1, 4]: expected an integer label in [0, 1] or -1 for padding", "got " + bad);
        }
    }

    @Test
    void rejectsNonFiniteInputs() {
        Batch in = batch(11, 2, 5, 3, 2, 2);
        float[] a = in.anchors.toArray();
        a[7] = Float.NaN;
        assertMessage(() -> run(CcsLoss.create(), in.withAnchors(Tensor.of(a, 2, 5, 4)), Variable.constant(in.embeddings)),
            "anchors: expected finite values", "got NaN at index [0, 1, 3]");
        float[] e = in.embeddings.toArray();
        e[29] = Float.NEGATIVE_INFINITY;
        assertMessage(() -> run(CcsLoss.create(), in, Variable.constant(Tensor.of(e, 2, 5, 3))),
            "embeddings: expected finite values", "got -Infinity at index [1, 4, 2]");
        float[] w = in.weights.toArray();
        w[0] = Float.NaN;
        assertMessage(() -> run(CcsLoss.create(), in.withWeights(Tensor.of(w, 3, 2)), Variable.constant(in.embeddings)),
            "weights: expected finite values", "got NaN at index [0, 0]");
        float[] n = in.annotations.toArray();
        n[4] = Float.NaN;
        assertMessage(() -> run(CcsLoss.create(), in.withAnnotations(Tensor.of(n, 2, 2, 5)),
                Variable.constant(in.embeddings)),
            "annotations: expected finite values", "got NaN at index [0, 0, 4]");
    }

    @Test
    void zeroNormsThatWouldGiveNaNInPyTorchAreErrorsNamingImageAnchorAndClass() {
        Batch in = batch(12, 2, 40, 3, 3, 2);
        int[] selected = selectedAnchors(in, 1);
        assertTrue(selected.length > 0);
        float[] e = in.embeddings.toArray();
        for (int d = 0; d < 3; d++) {
            e[(40 + selected[0]) * 3 + d] = 0f;
        }
        assertMessage(() -> run(CcsLoss.create(), in, Variable.constant(Tensor.of(e, 2, 40, 3))),
            "embeddings[1, " + selected[0] + "]: expected a non-zero embedding for a selected anchor", "got norm 0");

        // A zero embedding of an anchor that is not selected is never used: fine.
        int unselected = firstUnselected(in, 1);
        float[] e2 = in.embeddings.toArray();
        for (int d = 0; d < 3; d++) {
            e2[(40 + unselected) * 3 + d] = 0f;
        }
        assertEquals(run(CcsLoss.create(), in, Variable.constant(in.embeddings)).data().item(),
            run(CcsLoss.create(), in, Variable.constant(Tensor.of(e2, 2, 40, 3))).data().item());

        int label = (int) in.annotations.get(0, 0, 4);
        float[] w = in.weights.toArray();
        for (int d = 0; d < 3; d++) {
            w[d * 3 + label] = 0f;
        }
        assertMessage(() -> run(CcsLoss.create(), in.withWeights(Tensor.of(w, 3, 3)), Variable.constant(in.embeddings)),
            "weights[:, " + label + "]: expected a non-zero classification vector for class " + label, "got norm 0");
    }

    @Test
    void rejectsMissingOrUnknownInputs() {
        Batch in = batch(13, 1, 5, 3, 2, 1);
        Map<String, Variable> inputs = new java.util.HashMap<>(in.inputs(Variable.constant(in.embeddings)));
        inputs.put("labels", Variable.constant(0f));
        assertMessage(() -> CcsLoss.create().compute(inputs),
            "ccs inputs: expected [anchors, embeddings, weights, annotations]", "got unknown input 'labels'");
    }

    private static float[] realBoxes(Batch in, int img) {
        int m = in.annotations.dim(1);
        float[] ann = in.annotations.toArray();
        java.util.List<Float> boxes = new java.util.ArrayList<>();
        for (int j = 0; j < m; j++) {
            if (ann[(img * m + j) * 5 + 4] != -1f) {
                for (int c = 0; c < 4; c++) {
                    boxes.add(ann[(img * m + j) * 5 + c]);
                }
            }
        }
        float[] out = new float[boxes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxes.get(i);
        }
        return out;
    }

    private static int[] selectedAnchors(Batch in, int img) {
        int a = in.anchors.dim(1);
        float[] boxes = realBoxes(in, img);
        return AnchorAssignment.assign(in.anchors.slice(0, img, img + 1, 1).reshape(a, 4),
            Tensor.of(boxes, boxes.length / 4, 4), 0.5).selectedAnchors();
    }

    private static int firstUnselected(Batch in, int img) {
        int[] s = selectedAnchors(in, img);
        int i = 0;
        for (int x : s) {
            if (x == i) {
                i++;
            }
        }
        return i;
    }
}
