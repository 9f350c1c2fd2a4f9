package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.kernels.UnaryTest.assertClose;

import org.junit.jupiter.api.Test;

/** Every {@link Binary} op and both partial derivatives against references written here in double. */
class BinaryTest {
    static final float NAN = Float.NaN;
    static final float INF = Float.POSITIVE_INFINITY;
    static final float[] VS = {Float.NEGATIVE_INFINITY, -3.5f, -1f, -0.5f, -0f, 0f, 1e-3f, 0.25f, 0.5f, 1f, 2f, 3f, 7.5f, INF, NAN};

    private interface Ref {
        double at(double x, double y);
    }

    private static void forward(int op, int ulps, Ref ref) {
        for (float x : VS) {
            for (float y : VS) {
                assertClose(ref.at(x, y), Binary.apply(op, x, y), ulps, Binary.name(op) + "(" + x + ", " + y + ")");
            }
        }
    }

    private static void grads(int op, int ulps, Ref left, Ref right) {
        for (float x : VS) {
            for (float y : VS) {
                float z = Binary.apply(op, x, y);
                assertClose(left.at(x, y), Binary.gradLeft(op, x, y, z), ulps, "d" + Binary.name(op) + "/dx(" + x + ", " + y + ")");
                assertClose(right.at(x, y), Binary.gradRight(op, x, y, z), ulps, "d" + Binary.name(op) + "/dy(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void arithmeticMatchesDoubleReferenceAndItsPartials() {
        forward(Binary.ADD, 0, (x, y) -> x + y);
        forward(Binary.SUB, 0, (x, y) -> x - y);
        forward(Binary.MUL, 0, (x, y) -> x * y);
        forward(Binary.DIV, 0, (x, y) -> x / y);
        grads(Binary.ADD, 0, (x, y) -> 1, (x, y) -> 1);
        grads(Binary.SUB, 0, (x, y) -> 1, (x, y) -> -1);
        grads(Binary.MUL, 0, (x, y) -> y, (x, y) -> x);
        grads(Binary.DIV, 2, (x, y) -> 1 / y, (x, y) -> -x / (y * y));
    }

    @Test
    void maximumAndMinimumPropagateNaNAndSplitTheGradientOnTies() {
        forward(Binary.MAX, 0, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y));
        forward(Binary.MIN, 0, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y));
        // PyTorch: where(x == y, g/2, g), masked to 0 on the losing side; NaN loses nowhere.
        grads(Binary.MAX, 0, (x, y) -> x == y ? 0.5 : x < y ? 0 : 1, (x, y) -> x == y ? 0.5 : x > y ? 0 : 1);
        grads(Binary.MIN, 0, (x, y) -> x == y ? 0.5 : x > y ? 0 : 1, (x, y) -> x == y ? 0.5 : x < y ? 0 : 1);
        assertEquals(0.5f, Binary.gradLeft(Binary.MAX, 2f, 2f, 2f));
        assertEquals(0.5f, Binary.gradRight(Binary.MAX, 2f, 2f, 2f));
        assertEquals(0.5f, Binary.gradLeft(Binary.MIN, -0f, 0f, -0f), "-0 == 0 is a tie");
        assertEquals(1f, Binary.gradLeft(Binary.MAX, NAN, 1f, NAN));
        assertEquals(1f, Binary.gradRight(Binary.MAX, NAN, 1f, NAN));
        assertEquals(0f, Binary.gradRight(Binary.MAX, 3f, 1f, 3f));
    }

    @Test
    void powMatchesMathPowAndMasksGradientsLikePyTorch() {
        forward(Binary.POW, 0, Math::pow);
        // The exponent y - 1 is formed in float, as in PyTorch.
        grads(Binary.POW, 2,
            (x, y) -> y == 0 ? 0 : y * Math.pow(x, (float) (y - 1)),
            (x, y) -> x == 0 && y >= 0 ? 0 : Math.pow(x, y) * Math.log(x));
        assertEquals(0f, Binary.gradLeft(Binary.POW, 0f, 0f, 1f));
        assertEquals(0f, Binary.gradRight(Binary.POW, 0f, 0f, 1f));
        assertEquals(-0.25f, Binary.gradLeft(Binary.POW, 2f, -1f, 0.5f));
        assertClose(0.5 * Math.log(2), Binary.gradRight(Binary.POW, 2f, -1f, 0.5f), 1, "d 2^y/dy at y=-1");
    }

    @Test
    void comparisonsGiveOneOrZeroFalseForNaNAndHaveNoGradient() {
        forward(Binary.EQ, 0, (x, y) -> x == y ? 1 : 0);
        forward(Binary.NE, 0, (x, y) -> x != y ? 1 : 0);
        forward(Binary.LT, 0, (x, y) -> x < y ? 1 : 0);
        forward(Binary.LE, 0, (x, y) -> x <= y ? 1 : 0);
        forward(Binary.GT, 0, (x, y) -> x > y ? 1 : 0);
        forward(Binary.GE, 0, (x, y) -> x >= y ? 1 : 0);
        for (int op = Binary.EQ; op <= Binary.GE; op++) {
            assertTrue(Binary.isComparison(op));
            grads(op, 0, (x, y) -> 0, (x, y) -> 0);
        }
        assertEquals(1f, Binary.apply(Binary.NE, NAN, NAN));
        assertEquals(0f, Binary.apply(Binary.EQ, NAN, NAN));
        assertTrue(!Binary.isComparison(Binary.ADD) && !Binary.isComparison(Binary.BCE));
    }

    private static double clampedLog(double v) {
        return Math.max(Math.log(v), -100);
    }

    @Test
    void bceClampsEachLogAtMinus100AndUsesPyTorchsGradientRule() {
        float[] ps = {0f, 1e-30f, 1e-7f, 0.1f, 0.3f, 0.5f, 0.9f, 0.9999999f, 1f};
        float[] ts = {0f, 0.2f, 0.5f, 1f};
        for (float p : ps) {
            for (float t : ts) {
                double expected = -(t * clampedLog(p) + (1 - t) * clampedLog(1 - (double) p));
                // The kernel computes 1 - p in float, as PyTorch does; allow a few ulps for that.
                assertClose(-(t * clampedLog(p) + (1 - t) * clampedLog(1f - p)), Binary.bce(p, t), 4, "bce(" + p + ", " + t + ")");
                assertEquals(expected, Binary.apply(Binary.BCE, p, t), 1e-5 * Math.max(1, Math.abs(expected)));
                float z = Binary.apply(Binary.BCE, p, t);
                double pq = Math.max((double) p * (1f - p), 1e-12f);
                assertClose((p - (double) t) / pq, Binary.gradLeft(Binary.BCE, p, t, z), 2, "dbce/dp(" + p + ", " + t + ")");
                assertClose(clampedLog(1f - p) - clampedLog(p), Binary.gradRight(Binary.BCE, p, t, z), 4,
                    "dbce/dt(" + p + ", " + t + ")");
            }
        }
        assertEquals(100f, Binary.bce(0f, 1f), "log 0 is clamped to -100");
        assertEquals(100f, Binary.bce(1f, 0f), "log(1 - 1) is clamped to -100");
        assertEquals(0f, Binary.bce(0f, 0f), 0f);
        assertEquals(0f, Binary.bce(1f, 1f), 0f);
        // Saturated inputs: PyTorch's rule (p - t) / max(p (1 - p), 1e-12), not the clamped derivative 0.
        assertEquals(-1e12f, Binary.gradLeft(Binary.BCE, 0f, 1f, 100f), 1e6f);
        assertEquals(1e12f, Binary.gradLeft(Binary.BCE, 1f, 0f, 100f), 1e6f);
        assertEquals(0f, Binary.gradLeft(Binary.BCE, 0f, 0f, 0f));
        assertEquals(100f, Binary.gradRight(Binary.BCE, 0f, 0.5f, 50f));
        assertClose(0.1 / 0.21, Binary.gradLeft(Binary.BCE, 0.3f, 0.2f, 0f), 2, "PyTorch gives 0.4762 at p=0.3, t=0.2");
    }

    @Test
    void everyOpCodeHasANameAndUnknownCodesAreRejected() {
        assertEquals(14, Binary.count());
        for (int op = 0; op < Binary.count(); op++) {
            assertTrue(!Binary.name(op).isEmpty());
            assertTrue(!Float.isNaN(Binary.apply(op, 0.5f, 0.25f)), Binary.name(op));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Binary.name(14));
        assertTrue(e.getMessage().contains("binary op") && e.getMessage().contains("[0, 13]") && e.getMessage().contains("14"),
            e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Binary.name(-1));
        assertTrue(Float.isNaN(Binary.apply(-1, 1f, 1f)));
        assertEquals(0f, Binary.gradLeft(-1, 1f, 1f, 1f));
    }
}
