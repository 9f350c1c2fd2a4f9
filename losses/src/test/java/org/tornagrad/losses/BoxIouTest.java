package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

class BoxIouTest {

    /** Random boxes (n, 4) with corners in [0, 20) and sides in [1, 9). */
    static Tensor randomBoxes(long seed, int n) {
        Random r = new Random(seed);
        float[] d = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float x = 20 * r.nextFloat();
            float y = 20 * r.nextFloat();
            d[4 * i] = x;
            d[4 * i + 1] = y;
            d[4 * i + 2] = x + 1 + 8 * r.nextFloat();
            d[4 * i + 3] = y + 1 + 8 * r.nextFloat();
        }
        return Tensor.of(d, n, 4);
    }

    /** IoU by the textbook definition, in double: overlap rectangle over the union of areas. */
    static double iouInDouble(float[] a, int i, float[] b, int j) {
        double w = Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]);
        double h = Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]);
        double inter = (w > 0 && h > 0) ? w * h : 0;
        double areaA = ((double) a[4 * i + 2] - a[4 * i]) * ((double) a[4 * i + 3] - a[4 * i + 1]);
        double areaB = ((double) b[4 * j + 2] - b[4 * j]) * ((double) b[4 * j + 3] - b[4 * j + 1]);
        return inter / Math.max(areaA + areaB - inter, 1e-8);
    }

    @Test
    void matchesADoublePrecisionLoopOnRandomBoxes() {
        Tensor a = randomBoxes(1, 37);
        Tensor b = randomBoxes(2, 11);
        Tensor iou = BoxIou.pairwise(a, b);
        assertEquals(org.tornagrad.tensor.Shape.of(37, 11), iou.shape());
        float[] fa = a.toArray();
        float[] fb = b.toArray();
        int overlapping = 0;
        for (int i = 0; i < 37; i++) {
            for (int j = 0; j < 11; j++) {
                double expected = iouInDouble(fa, i, fb, j);
                overlapping += expected > 0 ? 1 : 0;
                assertEquals(expected, iou.get(i, j), 1e-6 * Math.max(1, expected), "anchor " + i + " box " + j);
            }
        }
        assertTrue(overlapping > 20, "the random boxes should overlap often enough to test something: " + overlapping);
    }

    @Test
    void knownOverlapsDisjointTouchingAndIdenticalBoxes() {
        Tensor a = Tensor.of(new float[] {0, 0, 2, 2}, 1, 4);
        Tensor others = Tensor.of(new float[] {
            1, 0, 3, 2,     // half of each: inter 2, union 6
            0, 0, 2, 2,     // identical
            2, 0, 4, 2,     // touching edge: no area in common
            5, 5, 6, 6,     // disjoint
            0, 0, 1, 1,     // inside: inter 1, union 4
        }, 5, 4);
        float[] iou = BoxIou.pairwise(a, others).toArray();
        assertArrayEquals(new float[] {1f / 3, 1f, 0f, 0f, 0.25f}, iou, 1e-7f);
    }

    @Test
    void degenerateBoxesGiveZeroNotNaNThanksToTheUnionFloor() {
        Tensor point = Tensor.of(new float[] {1, 1, 1, 1}, 1, 4);
        float[] iou = BoxIou.pairwise(point, point).toArray();
        assertEquals(0f, iou[0]);
    }

    @Test
    void roundsEachStepToFloat32AsPyTorchDoes() {
        // 0.1 is not exact in float32: the float32 IoU differs from the double one in the last bits,
        // and it must be the float32 one (the same number PyTorch compares with the threshold).
        Tensor a = Tensor.of(new float[] {0f, 0f, 0.3f, 0.1f}, 1, 4);
        Tensor b = Tensor.of(new float[] {0.1f, 0f, 0.7f, 0.1f}, 1, 4);
        float x1 = Math.max(0f, 0.1f);
        float x2 = Math.min(0.3f, 0.7f);
        float inter = (x2 - x1) * (0.1f - 0f);
        float areaA = (0.3f - 0f) * (0.1f - 0f);
        float areaB = (0.7f - 0.1f) * (0.1f - 0f);
        float expected = inter / (areaA + areaB - inter);
        assertEquals(expected, BoxIou.pairwise(a, b).get(0, 0));
    }

    @Test
    void emptySetsGiveEmptyMatrices() {
        Tensor none = Tensor.zeros(0, 4);
        assertEquals(org.tornagrad.tensor.Shape.of(0, 3), BoxIou.pairwise(none, randomBoxes(3, 3)).shape());
        assertEquals(org.tornagrad.tensor.Shape.of(3, 0), BoxIou.pairwise(randomBoxes(3, 3), none).shape());
    }

    @Test
    void rejectsWrongShapesAndNonFiniteCoordinates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BoxIou.pairwise(Tensor.zeros(3, 5), randomBoxes(1, 2)));
        assertTrue(e.getMessage().startsWith("boxes: expected shape (n, 4)"), e.getMessage());
        assertTrue(e.getMessage().contains("got (3, 5)"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> BoxIou.pairwise(randomBoxes(1, 2), Tensor.zeros(4)));
        assertTrue(e.getMessage().startsWith("others: expected shape (n, 4)"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> BoxIou.pairwise(randomBoxes(1, 2), null));
        assertTrue(e.getMessage().startsWith("others: expected"), e.getMessage());

        Tensor nan = Tensor.of(new float[] {0, 0, Float.NaN, 1}, 1, 4);
        e = assertThrows(IllegalArgumentException.class, () -> BoxIou.pairwise(randomBoxes(1, 2), nan));
        assertTrue(e.getMessage().startsWith("others: expected finite values, got NaN at index [0, 2]"), e.getMessage());
    }
}
