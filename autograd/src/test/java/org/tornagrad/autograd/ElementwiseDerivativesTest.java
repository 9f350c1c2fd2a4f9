package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

/**
 * Each elementwise op's gradient, as {@link Variable} writes it with tensor ops, against a
 * reference derivative written here in double (PyTorch's rule), over ordinary values and the edges
 * (0, -0, infinities, NaN). The upstream gradient is 1, so each element is the derivative itself.
 */
class ElementwiseDerivativesTest {
    static final float NAN = Float.NaN;
    static final float INF = Float.POSITIVE_INFINITY;
    static final float[] XS = {
        Float.NEGATIVE_INFINITY, -1e30f, -100f, -88.5f, -20f, -3.5f, -1f, -0.75f, -0.5f, -1e-30f, -0f, 0f,
        1e-30f, 1e-7f, 0.25f, 0.5f, 0.999f, 1f, 1.5f, 2f, 3.25f, 10f, 20f, 88.5f, 100f, 1e30f, INF, NAN
    };
    static final float[] VS = {Float.NEGATIVE_INFINITY, -3.5f, -1f, -0.5f, -0f, 0f, 1e-3f, 0.25f, 0.5f, 1f, 2f, 3f, 7.5f, INF, NAN};

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

    private interface UnaryRef {
        double at(double x, double y);
    }

    /** The gradient of {@code op} at every x of XS, given the op's own float output y. */
    private static void checkUnary(String name, Function<Variable, Variable> op, int ulps, UnaryRef ref) {
        Variable x = Variable.param(Tensor.vector(XS));
        Variable y = op.apply(x);
        y.backward(Tensor.ones(XS.length));
        float[] ys = y.data().toArray();
        float[] grad = x.grad().toArray();
        for (int i = 0; i < XS.length; i++) {
            assertClose(ref.at(XS[i], ys[i]), grad[i], ulps, name + "'(" + XS[i] + ")");
        }
    }

    @Test
    void negExpLogSqrt() {
        checkUnary("neg", Variable::neg, 0, (x, y) -> -1);
        checkUnary("exp", Variable::exp, 1, (x, y) -> Math.exp(x));
        checkUnary("log", Variable::log, 1, (x, y) -> 1 / x);
        // PyTorch: g / (2 sqrt(x)); infinite at 0, -inf at -0.
        checkUnary("sqrt", Variable::sqrt, 2, (x, y) -> 0.5 / Math.sqrt(x));
    }

    @Test
    void absSquareReciprocalTanh() {
        checkUnary("abs", Variable::abs, 0, (x, y) -> x > 0 ? 1 : x < 0 ? -1 : 0);
        checkUnary("square", Variable::square, 0, (x, y) -> 2 * x);
        // PyTorch's reciprocal backward uses the output: -y^2.
        checkUnary("reciprocal", Variable::reciprocal, 1, (x, y) -> -(y * y));
        // PyTorch's tanh_backward forms 1 - y*y in float from the float output (cancellation included).
        checkUnary("tanh", Variable::tanh, 1, (x, y) -> 1 - (float) (y * y));
    }

    @Test
    void sigmoidUsesItsOutput() {
        checkUnary("sigmoid", Variable::sigmoid, 1, (x, y) -> y * (1 - y));
    }

    @Test
    void reluPassesTheGradientWhereXIsNotAtMostZeroNaNIncluded() {
        // PyTorch's threshold_backward: 0 where x <= 0, so the gradient passes at NaN.
        checkUnary("relu", Variable::relu, 0, (x, y) -> x <= 0 ? 0 : 1);
    }

    @Test
    void clampBoundsAreInclusiveForTheGradientAndNaNGetsNone() {
        for (float[] ab : new float[][] {{-1f, 1f}, {0f, 0f}, {Float.NEGATIVE_INFINITY, 2f}, {-3f, INF},
            {Float.NEGATIVE_INFINITY, INF}}) {
            float a = ab[0];
            float b = ab[1];
            checkUnary("clamp[" + a + ", " + b + "]", x -> x.clamp(a, b), 0, (x, y) -> x >= a && x <= b ? 1 : 0);
        }
    }

    @Test
    void powScalarIsZeroForTheZeroExponentEvenAtZero() {
        for (float a : new float[] {0f, 1f, 2f, 3f, 0.5f, -1f, -2f, 1.5f}) {
            checkUnary("pow " + a, x -> x.pow(a), 2, (x, y) -> a == 0 ? 0 : a * Math.pow(x, a - 1));
        }
    }

    @Test
    void scalarArithmeticOpsUseTheirConstant() {
        for (float a : new float[] {-2.5f, 0f, 1f, 3f, 1e30f}) {
            checkUnary("add " + a, x -> x.add(a), 0, (x, y) -> 1);
            checkUnary("sub " + a, x -> x.sub(a), 0, (x, y) -> 1);
            checkUnary("mul " + a, x -> x.mul(a), 0, (x, y) -> a);
            checkUnary("rsub " + a, x -> x.rsub(a), 0, (x, y) -> -1);
        }
    }

    private interface BinaryRef {
        double at(double x, double y);
    }

    /** Both partial derivatives of {@code op} at every pair of {@code values}. */
    private static void checkBinary(String name, BiFunction<Variable, Variable, Variable> op, float[] xs, float[] ys,
                                    int ulps, BinaryRef left, BinaryRef right) {
        float[] xv = new float[xs.length * ys.length];
        float[] yv = new float[xv.length];
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < ys.length; j++) {
                xv[i * ys.length + j] = xs[i];
                yv[i * ys.length + j] = ys[j];
            }
        }
        Variable x = Variable.param(Tensor.vector(xv));
        Variable y = Variable.param(Tensor.vector(yv));
        op.apply(x, y).backward(Tensor.ones(xv.length));
        float[] dx = x.grad().toArray();
        float[] dy = y.grad().toArray();
        for (int k = 0; k < xv.length; k++) {
            String at = "(" + xv[k] + ", " + yv[k] + ")";
            assertClose(left.at(xv[k], yv[k]), dx[k], ulps, "d" + name + "/dx" + at);
            assertClose(right.at(xv[k], yv[k]), dy[k], ulps, "d" + name + "/dy" + at);
        }
    }

    @Test
    void arithmetic() {
        checkBinary("add", Variable::add, VS, VS, 0, (x, y) -> 1, (x, y) -> 1);
        checkBinary("sub", Variable::sub, VS, VS, 0, (x, y) -> 1, (x, y) -> -1);
        checkBinary("mul", Variable::mul, VS, VS, 0, (x, y) -> y, (x, y) -> x);
        checkBinary("div", Variable::div, VS, VS, 2, (x, y) -> 1 / y, (x, y) -> -x / (y * y));
    }

    @Test
    void maximumAndMinimumSplitTheGradientOnTiesAndGiveAllOfItWhereOneIsNaN() {
        // PyTorch: where(x == y, g/2, g), masked to 0 on the losing side; NaN loses nowhere.
        checkBinary("maximum", Variable::maximum, VS, VS, 0,
            (x, y) -> x == y ? 0.5 : x < y ? 0 : 1, (x, y) -> x == y ? 0.5 : x > y ? 0 : 1);
        checkBinary("minimum", Variable::minimum, VS, VS, 0,
            (x, y) -> x == y ? 0.5 : x > y ? 0 : 1, (x, y) -> x == y ? 0.5 : x < y ? 0 : 1);
    }

    @Test
    void powMasksItsGradientsLikePyTorch() {
        // The exponent y - 1 is formed in float, as in PyTorch; 0 where y = 0, and 0 towards y
        // where x = 0 and y >= 0.
        checkBinary("pow", Variable::pow, VS, VS, 2,
            (x, y) -> y == 0 ? 0 : y * Math.pow(x, (float) (y - 1)),
            (x, y) -> x == 0 && y >= 0 ? 0 : Math.pow(x, y) * Math.log(x));
    }

    private static double clampedLog(double v) {
        return Math.max(Math.log(v), -100);
    }

    @Test
    void bceUsesPyTorchsGradientRuleNotTheClampedDerivative() {
        float[] ps = {0f, 1e-30f, 1e-7f, 0.1f, 0.3f, 0.5f, 0.9f, 0.9999999f, 1f};
        float[] ts = {0f, 0.2f, 0.5f, 1f};
        // (p - t) / max(p (1 - p), 1e-12), so saturated inputs get +-1e12, not 0; 1 - p is float.
        checkBinary("bce", Variable::binaryCrossEntropy, ps, ts, 2,
            (p, t) -> (p - t) / Math.max(p * (1f - (float) p), 1e-12f),
            (p, t) -> clampedLog(1f - (float) p) - clampedLog(p));
    }

    @Test
    void comparisonsCarryNoGradient() {
        Variable x = Variable.param(Tensor.vector(1f, 2f));
        Variable y = Variable.param(Tensor.vector(2f, 2f));
        for (Variable c : new Variable[] {x.eq(y), x.ne(y), x.lt(y), x.le(y), x.gt(y), x.ge(y)}) {
            assertFalse(c.requiresGrad(), c.op());
        }
    }

    @Test
    void inputsGivenTheSameGradientGetBuffersOfTheirOwn() {
        Variable x = Variable.param(Tensor.vector(1f, 2f));
        Variable y = Variable.param(Tensor.vector(3f, 4f));
        x.add(y).sum().backward();
        assertFalse(x.grad().bufferOrNull() == y.grad().bufferOrNull(), "x.grad and y.grad share one buffer");
        assertEquals(Tensor.vector(1f, 1f), x.grad());
        assertEquals(Tensor.vector(1f, 1f), y.grad());
    }
}
