package org.tornagrad.losses;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tornagrad.tensor.Tensor;

/**
 * The tensors {@link CcsLoss#build} takes when some anchor is selected, over arrays of one size
 * (B images, S padded selected rows) that can be refilled for the next batch of the same sizes:
 * {@code rows}, {@code labels}, {@code members}, {@code inv_counts}, with soft {@code iou}, and the
 * differentiated inputs passed through ({@link CcsLoss#prepare} says what each holds). A refill
 * changes the tensors of the previous fill in place, so their user must be done with them: the
 * eager path takes a fresh instance per call. Not thread-safe.
 */
final class CcsPreparedTensors {
    private final int batch;
    private final int padded;
    private final float[] rows;
    private final float[] labels;
    private final float[] iou;
    private final float[] members;
    private final float[] invCounts;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Tensor> view = Collections.unmodifiableMap(tensors);

    CcsPreparedTensors(int batch, int padded, boolean soft) {
        this.batch = batch;
        this.padded = padded;
        this.rows = new float[padded];
        this.labels = new float[padded];
        this.iou = new float[padded];
        this.members = new float[batch * padded];
        this.invCounts = new float[batch];
        // Keys in this order always: put() of a present key keeps its place (and allocates nothing).
        tensors.put("embeddings", null);
        tensors.put("weights", null);
        tensors.put("rows", Tensor.fromBuffer(rows, padded));
        tensors.put("labels", Tensor.fromBuffer(labels, padded));
        tensors.put("members", Tensor.fromBuffer(members, batch, padded));
        tensors.put("inv_counts", Tensor.fromBuffer(invCounts, batch));
        if (soft) {
            tensors.put("iou", Tensor.fromBuffer(iou, padded));
        }
    }

    /** The padded row count for {@code total} >= 1 selected anchors: the next power of two. */
    static int paddedRows(int total) {
        int high = Integer.highestOneBit(total);
        return high == total ? total : high << 1;
    }

    /** Whether this holds B = {@code batch} images and S = {@code padded} rows. */
    boolean fits(int batch, int padded) {
        return this.batch == batch && this.padded == padded;
    }

    /**
     * Refills the tensors from {@code selection} (of this many images, at least one anchor, at
     * most S) and returns them, with {@code embeddings} (B, A, E) and {@code weights} passed through.
     */
    Map<String, Tensor> fill(CcsSelection selection, int anchorCount, Tensor embeddings, Tensor weights) {
        int total = selection.total();
        Arrays.fill(members, 0f);
        for (int b = 0; b < batch; b++) {
            int from = selection.start(b);
            int to = selection.end(b);
            for (int s = from; s < to; s++) {
                rows[s] = (float) b * anchorCount + selection.anchor(s);
                labels[s] = selection.label(s);
                iou[s] = selection.iou(s);
                members[b * padded + s] = 1f;
            }
            // As Variable.mean: the sum times 1/n (an image without terms sums to 0).
            invCounts[b] = to == from ? 0f : 1f / (to - from);
        }
        // The padding repeats the last real row and belongs to no image.
        Arrays.fill(rows, total, padded, rows[total - 1]);
        Arrays.fill(labels, total, padded, labels[total - 1]);
        Arrays.fill(iou, total, padded, iou[total - 1]);
        tensors.put("embeddings", embeddings);
        tensors.put("weights", weights);
        return view;
    }
}
