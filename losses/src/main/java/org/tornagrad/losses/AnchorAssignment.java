package org.tornagrad.losses;

import java.util.Arrays;
import org.tornagrad.tensor.Tensor;

/**
 * The assignment of anchors to annotated objects that torchsight's {@code Anchors.assign} makes
 * (a detection helper: no gradient). For each anchor:
 * <ul>
 *   <li>its best annotation: the arg-max of its {@link BoxIou} with every annotation box, the
 *       first one on ties (as {@code np.argmax} and {@code torch.max(dim=1)} on the CPU);</li>
 *   <li>its IoU with that annotation;</li>
 *   <li>whether it is selected as an object: IoU {@code > iouObject}, strictly. The threshold is
 *       rounded to float32 first, as PyTorch compares a float32 tensor with a Python float.</li>
 * </ul>
 * torchsight's background mask ({@code IoU < background}) is not computed: no loss here uses it.
 *
 * <pre>{@code
 * AnchorAssignment a = AnchorAssignment.assign(anchors, boxes, 0.5);   // (A, 4), (M, 4)
 * int[] objects = a.selectedAnchors();    // anchor indices, ascending
 * }</pre>
 */
public final class AnchorAssignment {
    private final int[] best;
    private final float[] bestIou;
    private final boolean[] selected;

    private AnchorAssignment(int[] best, float[] bestIou, boolean[] selected) {
        this.best = best;
        this.bestIou = bestIou;
        this.selected = selected;
    }

    /**
     * Assigns each of {@code anchors} (A, 4) to one of {@code boxes} (M, 4), M >= 1; both finite.
     * {@code iouObject} must lie in [0, 1].
     */
    public static AnchorAssignment assign(Tensor anchors, Tensor boxes, double iouObject) {
        return assign("anchors", anchors, "boxes", boxes, iouObject);
    }

    static AnchorAssignment assign(String anchorsName, Tensor anchors, String boxesName, Tensor boxes,
                                   double iouObject) {
        if (!(iouObject >= 0 && iouObject <= 1)) {
            throw new IllegalArgumentException("iouObject: expected a number in [0, 1], got " + iouObject);
        }
        Tensor iou = BoxIou.pairwise(anchorsName, anchors, boxesName, boxes);
        int a = iou.dim(0);
        int m = iou.dim(1);
        if (m == 0) {
            throw new IllegalArgumentException(boxesName + ": expected at least one box to assign anchors to, got shape "
                + boxes.shape());
        }
        float[] values = iou.toArray();
        int nonFinite = iou.firstNonFinite();
        if (nonFinite >= 0) {
            // Only boxes whose areas overflow float32 get here (inf - inf in the union).
            throw new IllegalArgumentException(anchorsName + ", " + boxesName + ": expected boxes whose areas fit in"
                + " float32, got IoU " + values[nonFinite] + " for anchor " + nonFinite / m + " and box " + nonFinite % m);
        }
        float threshold = (float) iouObject;
        int[] best = new int[a];
        float[] bestIou = new float[a];
        boolean[] selected = new boolean[a];
        for (int i = 0; i < a; i++) {
            int arg = 0;
            for (int j = 1; j < m; j++) {
                // Strictly greater: the first annotation keeps a tie.
                if (values[i * m + j] > values[i * m + arg]) {
                    arg = j;
                }
            }
            best[i] = arg;
            bestIou[i] = values[i * m + arg];
            selected[i] = bestIou[i] > threshold;
        }
        return new AnchorAssignment(best, bestIou, selected);
    }

    /** The number of anchors. */
    public int anchorCount() {
        return best.length;
    }

    /** For each anchor, the index of its best annotation box. */
    public int[] bestAnnotation() {
        return best.clone();
    }

    /** For each anchor, its IoU with its best annotation box. */
    public float[] bestIou() {
        return bestIou.clone();
    }

    /** For each anchor, whether its best IoU is above the object threshold. */
    public boolean[] selected() {
        return selected.clone();
    }

    /** The indices of the selected anchors, ascending. */
    public int[] selectedAnchors() {
        int[] out = new int[best.length];
        int k = 0;
        for (int i = 0; i < best.length; i++) {
            if (selected[i]) {
                out[k++] = i;
            }
        }
        return Arrays.copyOf(out, k);
    }
}
