package org.tornagrad.losses;

/**
 * Computes {@link AnchorAssignment}'s best IoU of every anchor, and the best box of those the
 * caller asks for, with scratch arrays kept from call to call (mutable, not thread-safe: one per
 * thread).
 *
 * <p>It goes box by box over all anchors, the anchors' corners and areas laid out as one array
 * each, so that the IoU loops are straight runs of float min, max, multiply and divide that the
 * JIT vectorizes; every IoU is still {@link BoxIou#iou} in float, bit for bit, and an anchor's
 * best IoU is their {@code Math.max}. Its best box, the first box with that IoU (as an arg-max
 * with "strictly greater" keeps the first on ties), is found afterwards by {@link #bestBox}, only
 * for the anchors that need one (CCS: those selected, a few percent).
 */
final class AnchorAssigner {
    private float[] x1 = new float[0];
    private float[] y1 = new float[0];
    private float[] x2 = new float[0];
    private float[] y2 = new float[0];
    private float[] area = new float[0];
    private float[] width = new float[0];

    /**
     * For each of {@code anchorCount} anchors read from {@code anchors} at {@code anchorOffset}
     * (x1, y1, x2, y2 each), {@code bestIou[i]}, its largest IoU with the {@code boxCount} >= 1
     * boxes of {@code boxes}, whose {@link AnchorAssignment#areas} are {@code boxArea}. Returns -1,
     * or the row-major position {@code anchor * boxCount + box} of the first non-finite IoU (only
     * areas overflowing float32 give one); then {@code bestIou} holds no meaningful answer.
     */
    long bestIou(float[] anchors, int anchorOffset, int anchorCount, float[] boxes, float[] boxArea, int boxCount,
                 float[] bestIou) {
        layOut(anchors, anchorOffset, anchorCount);
        // Locals, so that the loops below see plain arrays.
        float[] x1 = this.x1;
        float[] y1 = this.y1;
        float[] x2 = this.x2;
        float[] y2 = this.y2;
        float[] area = this.area;
        float[] width = this.width;
        // +0 is no larger than any IoU, so the max over boxes starts at the first box's IoU.
        java.util.Arrays.fill(bestIou, 0, anchorCount, 0f);
        for (int j = 0; j < boxCount; j++) {
            float bx1 = boxes[4 * j];
            float by1 = boxes[4 * j + 1];
            float bx2 = boxes[4 * j + 2];
            float by2 = boxes[4 * j + 3];
            // A local: read in the loop, boxArea[j] would be reloaded after every store to bestIou
            // (both float[]), which keeps C2 from vectorizing it.
            float boxAreaJ = boxArea[j];
            // Two loops, the widths first: C2 (JDK 17) vectorizes each, but not one loop with all
            // eight min/max (measured on the benchmark's batch: 1 against 4 to 7 ns per pair).
            for (int i = 0; i < anchorCount; i++) {
                width[i] = BoxIou.overlap(x1[i], x2[i], bx1, bx2);
            }
            for (int i = 0; i < anchorCount; i++) {
                float inter = width[i] * BoxIou.overlap(y1[i], y2[i], by1, by2);
                // IoUs are +0 or more (never -0), so max keeps the value an arg-max would pick;
                // a NaN or infinity stays in the max, and is looked for once at the end.
                bestIou[i] = Math.max(bestIou[i], BoxIou.iouOfIntersection(inter, area[i], boxAreaJ));
            }
        }
        for (int i = 0; i < anchorCount; i++) {
            if (!Float.isFinite(bestIou[i])) {
                return firstNonFinite(anchors, anchorOffset, anchorCount, boxes, boxArea, boxCount);
            }
        }
        return -1;
    }

    /**
     * The first of the {@code boxCount} boxes whose IoU with the anchor at {@code anchors[at]} is
     * {@code bestIou}, that anchor's {@link #bestIou}: its best box, the first on ties.
     */
    static int bestBox(float[] anchors, int at, float[] boxes, float[] boxArea, int boxCount, float bestIou) {
        float a = BoxIou.area(anchors, at);
        for (int j = 0; j < boxCount - 1; j++) {
            if (iou(anchors, at, a, boxes, boxArea, j) == bestIou) {
                return j;
            }
        }
        return boxCount - 1;
    }

    /** The anchors' corners and areas, one array each. */
    private void layOut(float[] anchors, int offset, int count) {
        if (x1.length < count) {
            x1 = new float[count];
            y1 = new float[count];
            x2 = new float[count];
            y2 = new float[count];
            area = new float[count];
            width = new float[count];
        }
        for (int i = 0; i < count; i++) {
            int at = offset + 4 * i;
            x1[i] = anchors[at];
            y1[i] = anchors[at + 1];
            x2[i] = anchors[at + 2];
            y2[i] = anchors[at + 3];
            area[i] = BoxIou.area(anchors, at);
        }
    }

    /** The row-major position of the first non-finite IoU, or -1: the order an error names. */
    static long firstNonFinite(float[] anchors, int anchorOffset, int anchorCount, float[] boxes, float[] boxArea,
                               int boxCount) {
        for (int i = 0; i < anchorCount; i++) {
            int at = anchorOffset + 4 * i;
            float a = BoxIou.area(anchors, at);
            for (int j = 0; j < boxCount; j++) {
                if (!Float.isFinite(iou(anchors, at, a, boxes, boxArea, j))) {
                    return (long) i * boxCount + j;
                }
            }
        }
        return -1;
    }

    /** The {@link BoxIou#iou} of the anchor at {@code anchors[at]} (area {@code anchorArea}) and box {@code j} of {@code boxes}. */
    static float iou(float[] anchors, int at, float anchorArea, float[] boxes, float[] boxArea, int j) {
        return BoxIou.iou(anchors[at], anchors[at + 1], anchors[at + 2], anchors[at + 3], anchorArea,
            boxes[4 * j], boxes[4 * j + 1], boxes[4 * j + 2], boxes[4 * j + 3], boxArea[j]);
    }
}
