package org.tornagrad.losses;

import java.util.Arrays;

/**
 * The anchors {@link CcsLoss} selects in one batch, image by image, in arrays kept from call to
 * call so that a batch of the same sizes allocates nothing: for each image, the anchors whose best
 * IoU with the image's real annotations (rows not labelled -1) is strictly above the threshold, in
 * ascending order, each with the label of that annotation and the IoU ({@link AnchorAssignment}'s
 * rules). Mutable and not thread-safe: one instance per thread.
 */
final class CcsSelection {
    // One image's real annotations, packed; their areas; their labels.
    private float[] boxes = new float[0];
    private float[] boxArea = new float[0];
    private int[] boxLabel = new int[0];
    // One image's assignment, for every anchor.
    private final AnchorAssigner assigner = new AnchorAssigner();
    private float[] bestIou = new float[0];
    // The selected anchors of the images added so far, images in order.
    private int[] anchor = new int[64];
    private int[] label = new int[64];
    private float[] iou = new float[64];
    private int total;
    // ends[b]: the selection's length once image b was added.
    private int[] ends = new int[0];

    /** Forgets the selection, keeping the arrays, before images 0 to {@code batch - 1} are added in order. */
    void clear(int batch) {
        total = 0;
        if (ends.length < batch) {
            ends = new int[batch];
        }
    }

    /**
     * Appends the selection of image {@code b}: its {@code anchorCount} anchors are read from
     * {@code anchors} at {@code b * anchorCount * 4}, its {@code m} annotation rows of 5 from
     * {@code annotations} at {@code b * m * 5}; all finite, labels integral. An image without real
     * annotation selects nothing.
     *
     * @throws IllegalArgumentException naming {@code anchors[b]} and {@code annotations[b]} when an
     *     IoU is not finite (areas that overflow float32)
     */
    void addImage(int b, float[] anchors, int anchorCount, float[] annotations, int m, float threshold) {
        ends[b] = total;
        int kept = packRealAnnotations(annotations, b * m * 5, m);
        if (kept == 0) {
            return;
        }
        if (bestIou.length < anchorCount) {
            bestIou = new float[anchorCount];
        }
        int offset = b * anchorCount * 4;
        long nonFinite = assigner.bestIou(anchors, offset, anchorCount, boxes, boxArea, kept, bestIou);
        if (nonFinite >= 0) {
            throw AnchorAssignment.nonFiniteIou("anchors[" + b + "]", "annotations[" + b + "]", anchors, offset, boxes,
                boxArea, kept, nonFinite);
        }
        for (int i = 0; i < anchorCount; i++) {
            if (bestIou[i] > threshold) {
                if (total == anchor.length) {
                    grow();
                }
                int box = AnchorAssigner.bestBox(anchors, offset + 4 * i, boxes, boxArea, kept, bestIou[i]);
                anchor[total] = i;
                label[total] = boxLabel[box];
                iou[total] = bestIou[i];
                total++;
            }
        }
        ends[b] = total;
    }

    /** Copies the rows of one image not labelled -1 into {@link #boxes}; returns how many. */
    private int packRealAnnotations(float[] annotations, int from, int m) {
        if (boxLabel.length < m) {
            boxes = new float[4 * m];
            boxArea = new float[m];
            boxLabel = new int[m];
        }
        int kept = 0;
        for (int j = 0; j < m; j++) {
            int at = from + 5 * j;
            if (annotations[at + 4] != CcsLoss.PADDING) {
                System.arraycopy(annotations, at, boxes, 4 * kept, 4);
                boxLabel[kept] = (int) annotations[at + 4];
                kept++;
            }
        }
        AnchorAssignment.areas(boxes, kept, boxArea);
        return kept;
    }

    private void grow() {
        int capacity = 2 * anchor.length;
        anchor = Arrays.copyOf(anchor, capacity);
        label = Arrays.copyOf(label, capacity);
        iou = Arrays.copyOf(iou, capacity);
    }

    /** The number of anchors selected so far, over all images added. */
    int total() {
        return total;
    }

    /** The selection's length before image {@code b}: its first anchor's position. */
    int start(int b) {
        return b == 0 ? 0 : ends[b - 1];
    }

    /** The selection's length after image {@code b}. */
    int end(int b) {
        return ends[b];
    }

    /** The {@code s}-th selected anchor's index within its image. */
    int anchor(int s) {
        return anchor[s];
    }

    /** The label of the {@code s}-th selected anchor's annotation. */
    int label(int s) {
        return label[s];
    }

    /** The {@code s}-th selected anchor's IoU with its annotation. */
    float iou(int s) {
        return iou[s];
    }
}
