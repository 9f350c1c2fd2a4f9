package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Unary} op against a reference written here in double (the formula PyTorch uses),
 * over ordinary values and the edges (0, -0, infinities, NaN). The derivatives are tested where
 * they are written, in autograd's {@code ElementwiseDerivativesTest}.
 */
class UnaryTest {
    static final float NAN = Float.NaN;
    static final float INF = Float.POSITIVE_INFINITY;
    static final float[] XS = {
        Float.NEGATIVE_INFINITY, -1e30f, -100f, -88.5f, -20f, -3.5f, -1f, -0.75f, -0.5f, -1e-30f, -0f, 0f,
        1e-30f, 1e-7f, 0.25f, 0.5f, 0.999f, 1f, 1.5f, 2f, 3.25f, 10f, 20f, 88.5f, 100f, 1e30f, INF, NAN
    };

    /** Asserts {@code actual} is within {@code ulps} units in the last place of {@code expected} (NaN only equals NaN). */
    static void assertClose(double expected, float actual, int ulps, String what) {
        float e = (float) expected;
        if (Float.isNaN(e) || Float.isNaN(actual)) {
            if (Float.isNaN(e) != Float.isNaN(actual)) {
                fail(what + ": expected " + e + ", got " + actual);
            }
            return;
        }
        if (Float.isInfinite(e) || Float.isInfinite(actual)) {
            assertEquals(e, actual, what);
            return;
        }
        double tol = ulps * (double) Math.ulp(e) + Float.MIN_NORMAL;
        if (!(Math.abs(e - (double) actual) <= tol)) {
            fail(what + ": expected " + e + " (within " + ulps + " ulps), got " + actual);
        }
    }

    private static void checkForward(int op, float a, float b, int ulps, DoubleUnaryOperator ref) {
        for (float x : XS) {
            assertClose(ref.applyAsDouble(x), Unary.apply(op, x, a, b), ulps,
                Unary.name(op) + "(" + x + ", a=" + a + ", b=" + b + ")");
        }
    }

    @Test
    void negExpLogSqrtMatchDoubleReference() {
        checkForward(Unary.NEG, 0, 0, 0, x -> -x);
        checkForward(Unary.EXP, 0, 0, 0, Math::exp);
        checkForward(Unary.LOG, 0, 0, 0, Math::log);
        checkForward(Unary.SQRT, 0, 0, 0, Math::sqrt);
    }

    @Test
    void absSquareReciprocalTanhMatchDoubleReference() {
        checkForward(Unary.ABS, 0, 0, 0, Math::abs);
        checkForward(Unary.SQUARE, 0, 0, 0, x -> x * x);
        checkForward(Unary.RECIPROCAL, 0, 0, 0, x -> 1 / x);
        checkForward(Unary.TANH, 0, 0, 1, Math::tanh);
    }

    @Test
    void sigmoidIsTheLogisticFunctionWithoutOverflow() {
        checkForward(Unary.SIGMOID, 0, 0, 1, x -> 1 / (1 + Math.exp(-x)));
        assertEquals(0f, Unary.sigmoid(-1000f));
        assertEquals(1f, Unary.sigmoid(1000f));
        assertEquals(0.5f, Unary.sigmoid(0f));
        // PyTorch's float32 kernel 1 / (1 + exp(-x)): exp(100) overflows to inf, so sigmoid(-100)
        // is 0; and 1 + exp(-17) rounds to 1, so sigmoid(17) is already 1.
        assertEquals(0f, Unary.sigmoid(-100f));
        assertEquals(1f, Unary.sigmoid(17f));
        assertTrue(Unary.sigmoid(-88f) > 0f, "exp(88) is still finite in float32");
    }

    @Test
    void reluAndSignFollowPyTorchIncludingNaN() {
        checkForward(Unary.RELU, 0, 0, 0, x -> Double.isNaN(x) ? x : x <= 0 ? 0 : x);
        checkForward(Unary.SIGN, 0, 0, 0, x -> x > 0 ? 1 : x < 0 ? -1 : 0);
        assertTrue(Float.isNaN(Unary.apply(Unary.RELU, NAN, 0, 0)), "relu(NaN) is NaN in PyTorch");
        assertEquals(0f, Unary.apply(Unary.SIGN, NAN, 0, 0), "sign(NaN) is 0 in PyTorch");
    }

    @Test
    void clampPropagatesNaN() {
        for (float[] ab : new float[][] {{-1f, 1f}, {0f, 0f}, {Float.NEGATIVE_INFINITY, 2f}, {-3f, INF}}) {
            float a = ab[0];
            float b = ab[1];
            checkForward(Unary.CLAMP, a, b, 0, x -> Double.isNaN(x) ? x : Math.min(Math.max(x, a), b));
        }
    }

    @Test
    void powScalarMatchesMathPow() {
        for (float a : new float[] {0f, 1f, 2f, 3f, 0.5f, -1f, -2f, 1.5f}) {
            checkForward(Unary.POW_SCALAR, a, 0, 0, x -> Math.pow(x, a));
        }
    }

    @Test
    void scalarArithmeticOpsUseTheirConstant() {
        for (float a : new float[] {-2.5f, 0f, 1f, 3f, 1e30f}) {
            checkForward(Unary.ADD_SCALAR, a, 0, 0, x -> x + a);
            checkForward(Unary.MUL_SCALAR, a, 0, 0, x -> x * a);
            checkForward(Unary.RSUB_SCALAR, a, 0, 0, x -> a - x);
        }
    }

    @Test
    void everyOpCodeHasANameAndUnknownCodesAreRejected() {
        assertEquals(16, Unary.count());
        for (int op = 0; op < Unary.count(); op++) {
            assertTrue(!Unary.name(op).isEmpty());
            assertTrue(!Float.isNaN(Unary.apply(op, 0.5f, 0f, 1f)), Unary.name(op) + " is defined at 0.5");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Unary.name(Unary.count()));
        assertTrue(e.getMessage().contains("unary op") && e.getMessage().contains("[0, 15]")
            && e.getMessage().contains("16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Unary.name(-1));
        assertTrue(Float.isNaN(Unary.apply(99, 1f, 0f, 0f)), "an unknown code computes NaN, never garbage");
    }
}
