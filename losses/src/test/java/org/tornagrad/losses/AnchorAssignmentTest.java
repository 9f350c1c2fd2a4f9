package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

class AnchorAssignmentTest {

    @Test
    void matchesADoublePrecisionArgMaxOnRandomBoxes() {
        Tensor anchors = BoxIouTest.randomBoxes(11, 200);
        Tensor boxes = BoxIouTest.randomBoxes(12, 6);
        double threshold = 0.3;
        AnchorAssignment a = AnchorAssignment.assign(anchors, boxes, threshold);
        float[] fa = anchors.toArray();
        float[] fb = boxes.toArray();
        int[] best = a.bestAnnotation();
        float[] bestIou = a.bestIou();
        boolean[] selected = a.selected();
        int count = 0;
        for (int i = 0; i < 200; i++) {
            int arg = 0;
            double max = BoxIouTest.iouInDouble(fa, i, fb, 0);
            for (int j = 1; j < 6; j++) {
                double v = BoxIouTest.iouInDouble(fa, i, fb, j);
                if (v > max) {
                    max = v;
                    arg = j;
                }
            }
            if (max > 0) {
                assertEquals(arg, best[i], "anchor " + i);
            }
            assertEquals(max, bestIou[i], 1e-6, "anchor " + i);
            assertEquals(max > threshold, selected[i], "anchor " + i);
            count += selected[i] ? 1 : 0;
        }
        assertTrue(count > 0 && count < 200, "some anchors selected, not all: " + count);
        assertEquals(count, a.selectedAnchors().length);
        assertEquals(200, a.anchorCount());
    }

    /**
     * Boxes on a small integer grid (many exactly equal IoUs), some of zero width and some
     * inverted (x2 < x1: a negative area enters the union, as in torchsight).
     */
    static float[] gridBoxes(long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        float[] d = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float x = r.nextInt(8);
            float y = r.nextInt(8);
            int kind = r.nextInt(10);
            d[4 * i] = x;
            d[4 * i + 1] = y;
            d[4 * i + 2] = kind == 0 ? x : kind == 1 ? x - 1 - r.nextInt(3) : x + 1 + r.nextInt(4);
            d[4 * i + 3] = y + 1 + r.nextInt(4);
        }
        return d;
    }

    @Test
    void bitIdenticalToAnArgMaxOverTheIouMatrixWithManyTies() {
        int ties = 0;
        for (int seed = 0; seed < 20; seed++) {
            int a = 1 + 97 * seed;
            int m = 1 + seed % 9;
            float[] anchors = gridBoxes(seed, a);
            float[] boxes = gridBoxes(1000 + seed, m);
            float[] iou = BoxIou.pairwise(anchors, a, boxes, m);
            AnchorAssignment got = AnchorAssignment.assign(Tensor.of(anchors, a, 4), Tensor.of(boxes, m, 4), 0.25);
            int[] best = got.bestAnnotation();
            float[] bestIou = got.bestIou();
            for (int i = 0; i < a; i++) {
                int arg = 0;
                for (int j = 1; j < m; j++) {
                    if (iou[i * m + j] > iou[i * m + arg]) {
                        arg = j;
                    }
                }
                for (int j = arg + 1; j < m; j++) {
                    ties += iou[i * m + j] == iou[i * m + arg] && iou[i * m + arg] > 0 ? 1 : 0;
                }
                assertEquals(arg, best[i], "seed " + seed + " anchor " + i);
                assertEquals(Float.floatToRawIntBits(iou[i * m + arg]), Float.floatToRawIntBits(bestIou[i]),
                    "seed " + seed + " anchor " + i);
                assertEquals(iou[i * m + arg] > 0.25f, got.selected()[i], "seed " + seed + " anchor " + i);
            }
        }
        assertTrue(ties > 100, "positive ties after the arg-max should be common on the grid: " + ties);
    }

    @Test
    void tiesGoToTheFirstAnnotation() {
        Tensor anchors = Tensor.of(new float[] {0, 0, 2, 2, 10, 10, 11, 11}, 2, 4);
        // Boxes 1 and 2 are identical; box 0 is far away. The second anchor overlaps nothing:
        // all its IoUs are 0 and tie, so it goes to box 0.
        Tensor boxes = Tensor.of(new float[] {50, 50, 51, 51, 0, 0, 2, 1, 0, 0, 2, 1}, 3, 4);
        AnchorAssignment a = AnchorAssignment.assign(anchors, boxes, 0.4);
        assertArrayEquals(new int[] {1, 0}, a.bestAnnotation());
        assertArrayEquals(new float[] {0.5f, 0f}, a.bestIou());
        assertArrayEquals(new int[] {0}, a.selectedAnchors());
    }

    @Test
    void selectionIsStrictlyAboveTheThreshold() {
        Tensor anchor = Tensor.of(new float[] {0, 0, 2, 2}, 1, 4);
        Tensor half = Tensor.of(new float[] {0, 0, 2, 1}, 1, 4);        // IoU exactly 0.5
        assertEquals(0, AnchorAssignment.assign(anchor, half, 0.5).selectedAnchors().length);
        assertEquals(1, AnchorAssignment.assign(anchor, half, 0.49).selectedAnchors().length);
    }

    @Test
    void thresholdIsComparedInFloat32AsPyTorchDoes() {
        Tensor anchor = Tensor.of(new float[] {0, 0, 3, 1}, 1, 4);
        Tensor third = Tensor.of(new float[] {0, 0, 1, 1}, 1, 4);       // IoU float32(1/3)
        float iou = AnchorAssignment.assign(anchor, third, 0).bestIou()[0];
        assertTrue(iou > 1.0 / 3, "float32(1/3) lies above the double 1/3");
        // PyTorch rounds the Python float to float32 first: equal, so not selected.
        assertEquals(0, AnchorAssignment.assign(anchor, third, 1.0 / 3).selectedAnchors().length);
    }

    @Test
    void rejectsNoBoxesAndThresholdsOutsideZeroOne() {
        Tensor anchors = BoxIouTest.randomBoxes(1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> AnchorAssignment.assign(anchors, Tensor.zeros(0, 4), 0.5));
        assertTrue(e.getMessage().startsWith("boxes: expected at least one box"), e.getMessage());
        assertTrue(e.getMessage().contains("got shape (0, 4)"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
            () -> AnchorAssignment.assign(anchors, BoxIouTest.randomBoxes(2, 2), 1.5));
        assertEquals("iouObject: expected a number in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> AnchorAssignment.assign(anchors, BoxIouTest.randomBoxes(2, 2), Double.NaN));
        assertEquals("iouObject: expected a number in [0, 1], got NaN", e.getMessage());
    }

    @Test
    void overflowingAreasAreAnErrorNotANaNAssignment() {
        Tensor huge = Tensor.of(new float[] {-3e38f, -3e38f, 3e38f, 3e38f}, 1, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> AnchorAssignment.assign(huge, huge, 0.5));
        assertTrue(e.getMessage().startsWith("anchors, boxes: expected boxes whose areas fit in float32, got IoU NaN"),
            e.getMessage());
    }
}
