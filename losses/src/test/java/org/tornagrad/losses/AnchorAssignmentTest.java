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
