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
        BoxIou.requireBoxes(anchorsName, anchors);
        BoxIou.requireBoxes(boxesName, boxes);
        int a = anchors.dim(0);
        int m = boxes.dim(0);
        if (m == 0) {
            throw new IllegalArgumentException(boxesName + ": expected at least one box to assign anchors to, got shape "
                + boxes.shape());
        }
        float[] anchorValues = anchors.toArray();
        float[] boxValues = boxes.toArray();
        float[] boxArea = areas(boxValues, m, new float[m]);
        int[] best = new int[a];
        float[] bestIou = new float[a];
        long nonFinite = new AnchorAssigner().bestIou(anchorValues, 0, a, boxValues, boxArea, m, bestIou);
        if (nonFinite >= 0) {
            throw nonFiniteIou(anchorsName, boxesName, anchorValues, 0, boxValues, boxArea, m, nonFinite);
        }
        for (int i = 0; i < a; i++) {
            best[i] = AnchorAssigner.bestBox(anchorValues, 4 * i, boxValues, boxArea, m, bestIou[i]);
        }
        float threshold = (float) iouObject;
        boolean[] selected = new boolean[a];
        for (int i = 0; i < a; i++) {
            selected[i] = bestIou[i] > threshold;
        }
        return new AnchorAssignment(best, bestIou, selected);
    }

    /** {@code into[j]}, j < m, the {@link BoxIou#area} of box j of row-major (m, 4) {@code boxes}; returns {@code into}. */
    static float[] areas(float[] boxes, int m, float[] into) {
        for (int j = 0; j < m; j++) {
            into[j] = BoxIou.area(boxes, 4 * j);
        }
        return into;
    }

    /** The error for the non-finite IoU at row-major {@code position} that {@link AnchorAssigner#bestIou} returned. */
    static IllegalArgumentException nonFiniteIou(String anchorsName, String boxesName, float[] anchors,
                                                 int anchorOffset, float[] boxes, float[] boxArea, int boxCount,
                                                 long position) {
        int anchor = (int) (position / boxCount);
        int box = (int) (position % boxCount);
        int at = anchorOffset + 4 * anchor;
        float value = AnchorAssigner.iou(anchors, at, BoxIou.area(anchors, at), boxes, boxArea, box);
        // Only boxes whose areas overflow float32 get here (inf - inf in the union).
        return new IllegalArgumentException(anchorsName + ", " + boxesName + ": expected boxes whose areas fit in"
            + " float32, got IoU " + value + " for anchor " + anchor + " and box " + box);
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
