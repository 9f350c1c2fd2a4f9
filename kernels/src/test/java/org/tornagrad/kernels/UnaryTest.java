package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Unary} op against a reference written here in double (the formula PyTorch uses),
 * forward and derivative, over ordinary values and the edges (0, -0, infinities, NaN).
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

    private interface Derivative {
        double at(double x, double y);
    }

    /** Checks the derivative at every x, given the kernel's own forward output y (as backward receives it). */
    private static void checkDerivative(int op, float a, float b, int ulps, Derivative ref) {
        for (float x : XS) {
            float y = Unary.apply(op, x, a, b);
            assertClose(ref.at(x, y), Unary.derivative(op, x, y, a, b), ulps,
                Unary.name(op) + "'(" + x + ", a=" + a + ", b=" + b + ")");
        }
    }

    @Test
    void negExpLogSqrtMatchDoubleReference() {
        checkForward(Unary.NEG, 0, 0, 0, x -> -x);
        checkForward(Unary.EXP, 0, 0, 0, Math::exp);
        checkForward(Unary.LOG, 0, 0, 0, Math::log);
        checkForward(Unary.SQRT, 0, 0, 0, Math::sqrt);
        checkDerivative(Unary.NEG, 0, 0, 0, (x, y) -> -1);
        checkDerivative(Unary.EXP, 0, 0, 1, (x, y) -> Math.exp(x));
        checkDerivative(Unary.LOG, 0, 0, 1, (x, y) -> 1 / x);
        checkDerivative(Unary.SQRT, 0, 0, 2, (x, y) -> 0.5 / Math.sqrt(x));
    }

    @Test
    void absSquareReciprocalTanhMatchDoubleReference() {
        checkForward(Unary.ABS, 0, 0, 0, Math::abs);
        checkForward(Unary.SQUARE, 0, 0, 0, x -> x * x);
        checkForward(Unary.RECIPROCAL, 0, 0, 0, x -> 1 / x);
        checkForward(Unary.TANH, 0, 0, 1, Math::tanh);
        checkDerivative(Unary.ABS, 0, 0, 0, (x, y) -> x > 0 ? 1 : x < 0 ? -1 : 0);
        checkDerivative(Unary.SQUARE, 0, 0, 0, (x, y) -> 2 * x);
        // PyTorch's reciprocal backward uses the output: -y^2.
        checkDerivative(Unary.RECIPROCAL, 0, 0, 1, (x, y) -> -(y * y));
        // PyTorch's tanh_backward forms 1 - y*y in float from the float output (cancellation included).
        checkDerivative(Unary.TANH, 0, 0, 1, (x, y) -> 1 - (float) (y * y));
    }

    @Test
    void sigmoidIsTheLogisticFunctionWithoutOverflowAndItsDerivativeUsesTheOutput() {
        checkForward(Unary.SIGMOID, 0, 0, 1, x -> 1 / (1 + Math.exp(-x)));
        checkDerivative(Unary.SIGMOID, 0, 0, 1, (x, y) -> y * (1 - y));
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
        checkDerivative(Unary.RELU, 0, 0, 0, (x, y) -> x <= 0 ? 0 : 1);
        checkDerivative(Unary.SIGN, 0, 0, 0, (x, y) -> 0);
        assertTrue(Float.isNaN(Unary.apply(Unary.RELU, NAN, 0, 0)), "relu(NaN) is NaN in PyTorch");
        assertEquals(0f, Unary.apply(Unary.SIGN, NAN, 0, 0), "sign(NaN) is 0 in PyTorch");
        assertEquals(1f, Unary.derivative(Unary.RELU, NAN, NAN, 0, 0), "threshold_backward passes the gradient at NaN");
        assertEquals(0f, Unary.derivative(Unary.RELU, 0f, 0f, 0, 0), "relu'(0) = 0");
    }

    @Test
    void absDerivativeIsZeroAtPlusAndMinusZero() {
        assertEquals(0f, Unary.derivative(Unary.ABS, 0f, 0f, 0, 0));
        assertEquals(0f, Unary.derivative(Unary.ABS, -0f, 0f, 0, 0));
        assertEquals(-1f, Unary.derivative(Unary.ABS, -1e-30f, 1e-30f, 0, 0));
        assertEquals(1f, Unary.derivative(Unary.ABS, 1e-30f, 1e-30f, 0, 0));
    }

    @Test
    void clampBoundsAreInclusiveForTheGradientAndNaNPropagates() {
        for (float[] ab : new float[][] {{-1f, 1f}, {0f, 0f}, {Float.NEGATIVE_INFINITY, 2f}, {-3f, INF}}) {
            float a = ab[0];
            float b = ab[1];
            checkForward(Unary.CLAMP, a, b, 0, x -> Double.isNaN(x) ? x : Math.min(Math.max(x, a), b));
            checkDerivative(Unary.CLAMP, a, b, 0, (x, y) -> x >= a && x <= b ? 1 : 0);
        }
        assertEquals(1f, Unary.derivative(Unary.CLAMP, -1f, -1f, -1f, 1f), "gradient passes at the lower bound");
        assertEquals(1f, Unary.derivative(Unary.CLAMP, 1f, 1f, -1f, 1f), "gradient passes at the upper bound");
        assertEquals(0f, Unary.derivative(Unary.CLAMP, 1.0000001f, 1f, -1f, 1f));
        assertEquals(0f, Unary.derivative(Unary.CLAMP, NAN, NAN, -1f, 1f));
    }

    @Test
    void powScalarMatchesMathPowAndMasksTheZeroExponentGradient() {
        for (float a : new float[] {0f, 1f, 2f, 3f, 0.5f, -1f, -2f, 1.5f}) {
            checkForward(Unary.POW_SCALAR, a, 0, 0, x -> Math.pow(x, a));
            checkDerivative(Unary.POW_SCALAR, a, 0, 2, (x, y) -> a == 0 ? 0 : a * Math.pow(x, a - 1));
        }
        assertEquals(0f, Unary.derivative(Unary.POW_SCALAR, 0f, 1f, 0f, 0f), "d(x^0)/dx = 0 even at 0");
        assertEquals(0f, Unary.derivative(Unary.POW_SCALAR, 0f, 0f, 2f, 0f), "d(x^2)/dx at 0 = 0");
        assertEquals(INF, Unary.derivative(Unary.POW_SCALAR, 0f, 0f, 0.5f, 0f), "d(x^0.5)/dx at 0 = inf");
        assertEquals(INF, Unary.derivative(Unary.SQRT, 0f, 0f, 0f, 0f), "sqrt'(0) = inf");
    }

    @Test
    void scalarArithmeticOpsUseTheirConstant() {
        for (float a : new float[] {-2.5f, 0f, 1f, 3f, 1e30f}) {
            checkForward(Unary.ADD_SCALAR, a, 0, 0, x -> x + a);
            checkForward(Unary.MUL_SCALAR, a, 0, 0, x -> x * a);
            checkForward(Unary.RSUB_SCALAR, a, 0, 0, x -> a - x);
            checkDerivative(Unary.ADD_SCALAR, a, 0, 0, (x, y) -> 1);
            checkDerivative(Unary.MUL_SCALAR, a, 0, 0, (x, y) -> a);
            checkDerivative(Unary.RSUB_SCALAR, a, 0, 0, (x, y) -> -1);
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
