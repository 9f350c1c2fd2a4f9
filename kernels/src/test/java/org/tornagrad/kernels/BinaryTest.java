package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.kernels.UnaryTest.assertClose;

import org.junit.jupiter.api.Test;

/** Every {@link Binary} op against references written here in double (derivatives: autograd's ElementwiseDerivativesTest). */
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

    @Test
    void arithmeticMatchesDoubleReference() {
        forward(Binary.ADD, 0, (x, y) -> x + y);
        forward(Binary.SUB, 0, (x, y) -> x - y);
        forward(Binary.MUL, 0, (x, y) -> x * y);
        forward(Binary.DIV, 0, (x, y) -> x / y);
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        forward(Binary.MAX, 0, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y));
        forward(Binary.MIN, 0, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y));
    }

    @Test
    void powMatchesMathPow() {
        forward(Binary.POW, 0, Math::pow);
    }

    @Test
    void comparisonsGiveOneOrZeroAndFalseForNaN() {
        forward(Binary.EQ, 0, (x, y) -> x == y ? 1 : 0);
        forward(Binary.NE, 0, (x, y) -> x != y ? 1 : 0);
        forward(Binary.LT, 0, (x, y) -> x < y ? 1 : 0);
        forward(Binary.LE, 0, (x, y) -> x <= y ? 1 : 0);
        forward(Binary.GT, 0, (x, y) -> x > y ? 1 : 0);
        forward(Binary.GE, 0, (x, y) -> x >= y ? 1 : 0);
        for (int op = Binary.EQ; op <= Binary.GE; op++) {
            assertTrue(Binary.isComparison(op));
        }
        assertEquals(1f, Binary.apply(Binary.NE, NAN, NAN));
        assertEquals(0f, Binary.apply(Binary.EQ, NAN, NAN));
        assertTrue(!Binary.isComparison(Binary.ADD) && !Binary.isComparison(Binary.BCE));
    }

    private static double clampedLog(double v) {
        return Math.max(Math.log(v), -100);
    }

    @Test
    void bceClampsEachLogAtMinus100() {
        float[] ps = {0f, 1e-30f, 1e-7f, 0.1f, 0.3f, 0.5f, 0.9f, 0.9999999f, 1f};
        float[] ts = {0f, 0.2f, 0.5f, 1f};
        for (float p : ps) {
            for (float t : ts) {
                double expected = -(t * clampedLog(p) + (1 - t) * clampedLog(1 - (double) p));
                // The kernel computes 1 - p in float, as PyTorch does; allow a few ulps for that.
                assertClose(-(t * clampedLog(p) + (1 - t) * clampedLog(1f - p)), Binary.bce(p, t), 4, "bce(" + p + ", " + t + ")");
                assertEquals(expected, Binary.apply(Binary.BCE, p, t), 1e-5 * Math.max(1, Math.abs(expected)));
            }
        }
        assertEquals(100f, Binary.bce(0f, 1f), "log 0 is clamped to -100");
        assertEquals(100f, Binary.bce(1f, 0f), "log(1 - 1) is clamped to -100");
        assertEquals(0f, Binary.bce(0f, 0f), 0f);
        assertEquals(0f, Binary.bce(1f, 1f), 0f);
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
    }
}
