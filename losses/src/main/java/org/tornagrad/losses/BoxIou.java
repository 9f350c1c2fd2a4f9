package org.tornagrad.losses;

import org.tornagrad.tensor.Tensor;

/**
 * Pairwise intersection over union of axis-aligned boxes given as {@code x1, y1, x2, y2}, as
 * torchsight's {@code metrics.iou} computes it (a detection helper: no gradient).
 *
 * <pre>
 *   area(b)      = (x2 - x1) (y2 - y1)
 *   inter(a, b)  = max(min(a.x2, b.x2) - max(a.x1, b.x1), 0) * max(min(a.y2, b.y2) - max(a.y1, b.y1), 0)
 *   iou(a, b)    = inter / max(area(a) + area(b) - inter, 1e-8)
 * </pre>
 *
 * Every step is rounded to float32 in the order PyTorch evaluates it, so that an IoU compared
 * with a threshold decides the same way as in the PyTorch code. The union clamp keeps degenerate
 * boxes (zero area) from dividing by zero; like torchsight, boxes with {@code x2 < x1} are not
 * rejected (their negative area enters the union as is).
 *
 * <pre>{@code
 * Tensor iou = BoxIou.pairwise(Tensor.of(new float[] {0, 0, 2, 2}, 1, 4),
 *                              Tensor.of(new float[] {1, 0, 3, 2}, 1, 4));   // [[1/3]]
 * }</pre>
 */
public final class BoxIou {
    /** torchsight's floor on the union area. */
    static final float UNION_FLOOR = 1e-8f;

    private BoxIou() {
    }

    /**
     * The (n, m) IoU of each of {@code boxes} (n, 4) with each of {@code others} (m, 4); both
     * finite. {@code boxesName} and {@code othersName} name the arguments in error messages.
     */
    public static Tensor pairwise(Tensor boxes, Tensor others) {
        return pairwise("boxes", boxes, "others", others);
    }

    static Tensor pairwise(String boxesName, Tensor boxes, String othersName, Tensor others) {
        requireBoxes(boxesName, boxes);
        requireBoxes(othersName, others);
        int n = boxes.dim(0);
        int m = others.dim(0);
        return Tensor.of(pairwise(boxes.toArray(), n, others.toArray(), m), n, m);
    }

    /** The IoU of row-major (n, 4) and (m, 4) box arrays, as an (n, m) row-major array. */
    static float[] pairwise(float[] boxes, int n, float[] others, int m) {
        float[] otherArea = new float[m];
        for (int j = 0; j < m; j++) {
            otherArea[j] = area(others, 4 * j);
        }
        float[] iou = new float[n * m];
        for (int i = 0; i < n; i++) {
            float boxArea = area(boxes, 4 * i);
            for (int j = 0; j < m; j++) {
                iou[i * m + j] = iou(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], boxArea,
                    others[4 * j], others[4 * j + 1], others[4 * j + 2], others[4 * j + 3], otherArea[j]);
            }
        }
        return iou;
    }

    /**
     * The IoU of one pair of boxes given with their {@link #area}s: the one definition of the
     * formula, so that every caller (the pairwise matrix, the anchor assignment) rounds alike.
     */
    static float iou(float x1, float y1, float x2, float y2, float area,
                     float otherX1, float otherY1, float otherX2, float otherY2, float otherArea) {
        float inter = overlap(x1, x2, otherX1, otherX2) * overlap(y1, y2, otherY1, otherY2);
        return iouOfIntersection(inter, area, otherArea);
    }

    /** The length of the overlap of [lo, hi] and [otherLo, otherHi], 0 when they are disjoint. */
    static float overlap(float lo, float hi, float otherLo, float otherHi) {
        return Math.max(Math.min(hi, otherHi) - Math.max(lo, otherLo), 0f);
    }

    /** The IoU of two boxes of the given areas whose intersection has area {@code inter}. */
    static float iouOfIntersection(float inter, float area, float otherArea) {
        // (area_b + area_o) - inter, in that order, as the broadcast expression evaluates.
        return inter / Math.max(area + otherArea - inter, UNION_FLOOR);
    }

    /** The area of the box whose x1 is {@code boxes[at]}. */
    static float area(float[] boxes, int at) {
        return (boxes[at + 2] - boxes[at]) * (boxes[at + 3] - boxes[at + 1]);
    }

    static void requireBoxes(String name, Tensor boxes) {
        if (boxes == null) {
            throw new IllegalArgumentException(name + ": expected an (n, 4) tensor of boxes, got null");
        }
        if (boxes.rank() != 2 || boxes.dim(1) != 4) {
            throw new IllegalArgumentException(name + ": expected shape (n, 4) of boxes x1, y1, x2, y2, got "
                + boxes.shape());
        }
        Checks.requireFinite(name, boxes);
    }
}
