package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tornagrad.tensor.Ref.assertBits;
import static org.tornagrad.tensor.Ref.assertIae;
import static org.tornagrad.tensor.Ref.assertNear;

import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/** Elementwise ops through Tensor, and NumPy broadcasting checked by explicit index arithmetic. */
class TensorElementwiseTest {
    static final float[] XS = {-3f, -1.5f, -1f, -0.25f, -0f, 0f, 0.25f, 0.5f, 1f, 2f, 4.5f,
        Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN};

    private static void checkUnary(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double rel) {
        Tensor x = Tensor.vector(XS);
        double[] want = new double[XS.length];
        for (int i = 0; i < XS.length; i++) {
            want[i] = (float) ref.applyAsDouble(XS[i]);
        }
        assertNear(want, op.apply(x), rel, name);
        // The same op on a non-contiguous (2, 7) view gives the values of the view, in row-major order.
        Tensor view = Tensor.vector(XS).reshape(7, 2).transpose(0, 1);
        float[] v = view.toArray();
        double[] wantView = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            wantView[i] = (float) ref.applyAsDouble(v[i]);
        }
        Tensor got = op.apply(view);
        assertEquals(Shape.of(2, 7), got.shape(), name);
        assertNear(wantView, got, rel, name + " on a transposed view");
    }

    @Test
    void everyNamedUnaryMethodComputesItsFormula() {
        checkUnary("neg", Tensor::neg, x -> -x, 0);
        checkUnary("exp", Tensor::exp, Math::exp, 1e-7);
        checkUnary("log", Tensor::log, Math::log, 1e-7);
        checkUnary("sqrt", Tensor::sqrt, Math::sqrt, 1e-7);
        checkUnary("abs", Tensor::abs, Math::abs, 0);
        checkUnary("square", Tensor::square, x -> x * x, 0);
        checkUnary("sigmoid", Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), 2e-7);
        checkUnary("relu", Tensor::relu, x -> Double.isNaN(x) ? x : Math.max(x, 0), 0);
        checkUnary("sign", Tensor::sign, x -> x > 0 ? 1 : x < 0 ? -1 : 0, 0);
        checkUnary("tanh", Tensor::tanh, Math::tanh, 2e-7);
        checkUnary("reciprocal", Tensor::reciprocal, x -> 1 / x, 0);
        checkUnary("pow(3)", t -> t.pow(3f), x -> x * x * x, 2e-7);
        checkUnary("pow(0.5)", t -> t.pow(0.5f), x -> Math.pow(x, 0.5), 1e-7);
        checkUnary("add(2.5)", t -> t.add(2.5f), x -> x + 2.5, 0);
        checkUnary("mul(-3)", t -> t.mul(-3f), x -> x * -3, 0);
        checkUnary("rsub(1)", t -> t.rsub(1f), x -> 1 - x, 0);
        checkUnary("clamp(-1, 0.5)", t -> t.clamp(-1f, 0.5f), x -> Double.isNaN(x) ? x : Math.min(Math.max(x, -1), 0.5), 0);
        checkUnary("clamp(-inf, 0)", t -> t.clamp(Float.NEGATIVE_INFINITY, 0f), x -> Double.isNaN(x) ? x : Math.min(x, 0), 0);
    }

    // ----------------------------------------------------------------------------------------
    // Broadcasting

    /** NumPy's result shape, written out here: align right, each pair equal or one of them 1. */
    static int[] broadcastDims(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The element of operand {@code dims}/{@code data} that output index {@code idx} reads. */
    static float at(float[] data, int[] dims, int[] idx) {
        int off = idx.length - dims.length;
        int flat = 0;
        for (int d = 0; d < dims.length; d++) {
            flat = flat * dims[d] + (dims[d] == 1 ? 0 : idx[d + off]);
        }
        return data[flat];
    }

    static float[] reference(int[] ad, float[] a, int[] bd, float[] b, DoubleBinaryOperator f) {
        int[] od = broadcastDims(ad, bd);
        float[] out = new float[Ref.size(od)];
        for (int i = 0; i < out.length; i++) {
            int[] idx = Ref.unravel(i, od);
            out[i] = (float) f.applyAsDouble(at(a, ad, idx), at(b, bd, idx));
        }
        return out;
    }

    static final int[] OPS = {Binary.ADD, Binary.SUB, Binary.MUL, Binary.DIV, Binary.MAX, Binary.MIN, Binary.POW,
        Binary.EQ, Binary.NE, Binary.LT, Binary.LE, Binary.GT, Binary.GE};
    static final DoubleBinaryOperator[] REFS = {
        (x, y) -> x + y, (x, y) -> x - y, (x, y) -> x * y, (x, y) -> x / y,
        (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y),
        (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y),
        Math::pow,
        (x, y) -> x == y ? 1 : 0, (x, y) -> x != y ? 1 : 0, (x, y) -> x < y ? 1 : 0,
        (x, y) -> x <= y ? 1 : 0, (x, y) -> x > y ? 1 : 0, (x, y) -> x >= y ? 1 : 0,
    };

    static void checkAllOps(int[] ad, Tensor a, int[] bd, Tensor b, String what) {
        int[] od = broadcastDims(ad, bd);
        for (int k = 0; k < OPS.length; k++) {
            float[] want = reference(ad, a.toArray(), bd, b.toArray(), REFS[k]);
            assertBits(want, od, a.binary(OPS[k], b), Binary.name(OPS[k]) + " " + what);
        }
    }

    static Tensor operand(long seed, int... dims) {
        return Tensor.of(Ref.random(seed, Ref.size(dims)), dims);
    }

    @Test
    void sizeOneAxesOnBothSidesBroadcastAgainstEachOther() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor b = Tensor.of(new float[] {10, 20, 30, 40}, 1, 4);
        assertBits(new float[] {11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43}, new int[] {3, 4}, a.add(b), "(3,1)+(1,4)");
        assertBits(new float[] {-9, -19, -29, -39, -8, -18, -28, -38, -7, -17, -27, -37}, new int[] {3, 4}, a.sub(b), "(3,1)-(1,4)");
        assertBits(new float[] {9, 19, 29, 39, 8, 18, 28, 38, 7, 17, 27, 37}, new int[] {3, 4}, b.sub(a), "(1,4)-(3,1)");
        checkAllOps(new int[] {3, 1}, operand(1, 3, 1), new int[] {1, 4}, operand(2, 1, 4), "(3,1) with (1,4)");
    }

    @Test
    void lowerRankOperandsAreAlignedOnTheRight() {
        Tensor a = Tensor.of(Ref.ints(3, 24), 2, 3, 4);
        Tensor b = Tensor.vector(1, 10, 100, 1000);
        float[] want = new float[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    want[(i * 3 + j) * 4 + k] = a.get(i, j, k) * b.get(k);
                }
            }
        }
        assertBits(want, new int[] {2, 3, 4}, a.mul(b), "(2,3,4)*(4,)");
        assertBits(want, new int[] {2, 3, 4}, b.mul(a), "(4,)*(2,3,4)");
        checkAllOps(new int[] {2, 3, 4}, a, new int[] {4}, b, "(2,3,4) with (4,)");
        checkAllOps(new int[] {3, 1}, operand(4, 3, 1), new int[] {2, 1, 5}, operand(5, 2, 1, 5), "(3,1) with (2,1,5)");
    }

    @Test
    void scalarsBroadcastWithAnything() {
        Tensor s = Tensor.scalar(2f);
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertBits(new float[] {2, 1, 2f / 3, 0.5f, 0.4f, 2f / 6}, new int[] {2, 3}, s.div(m), "()/(2,3)");
        assertBits(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, new int[] {2, 3}, m.div(s), "(2,3)/()");
        assertBits(new float[] {4}, new int[] {}, s.mul(s), "()*()");
        assertBits(new float[] {}, new int[] {0, 3}, s.add(Tensor.zeros(0, 3)), "()+(0,3)");
        checkAllOps(new int[] {}, s, new int[] {2, 3}, m, "() with (2,3)");
        checkAllOps(new int[] {1}, Tensor.vector(-1f), new int[] {}, s, "(1,) with ()");
    }

    @Test
    void zeroSizeAxesBroadcastToZeroSizeResults() {
        assertEquals(Shape.of(0, 3), Tensor.zeros(0, 3).add(Tensor.ones(1, 3)).shape());
        assertEquals(Shape.of(0, 3), Tensor.ones(1, 3).mul(Tensor.zeros(0, 3)).shape());
        assertEquals(Shape.of(0, 3), Tensor.zeros(0, 1).add(Tensor.ones(3)).shape());
        assertEquals(Shape.of(2, 0), Tensor.zeros(2, 1).sub(Tensor.zeros(0)).shape());
        assertEquals(Shape.of(0), Tensor.zeros(0).maximum(Tensor.zeros(1)).shape());
        assertIae(() -> Tensor.zeros(0, 3).add(Tensor.zeros(2, 3)), "(0, 3)", "(2, 3)");
    }

    @Test
    void incompatibleShapesAreRejectedNamingBoth() {
        assertIae(() -> Tensor.zeros(2, 3).add(Tensor.zeros(3, 2)), "shapes", "(2, 3)", "(3, 2)");
        assertIae(() -> Tensor.zeros(3).mul(Tensor.zeros(4)), "(3,)", "(4,)");
        assertIae(() -> Tensor.zeros(2, 3, 4).sub(Tensor.zeros(2, 1)), "(2, 3, 4)", "(2, 1)");
    }

    @Test
    void randomCompatibleShapesMatchTheIndexArithmeticReference() {
        Random r = new Random(42);
        for (int trial = 0; trial < 300; trial++) {
            int rank = r.nextInt(5);
            int[] od = new int[rank];
            for (int d = 0; d < rank; d++) {
                od[d] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(3);
            }
            int[] ad = operandDims(r, od);
            int[] bd = operandDims(r, od);
            Tensor a = maybeView(r, trial, ad);
            Tensor b = maybeView(r, trial + 1000, bd);
            checkAllOps(ad, a, bd, b, java.util.Arrays.toString(ad) + " with " + java.util.Arrays.toString(bd));
        }
    }

    /** A random operand shape that broadcasts to {@code od}: a suffix of it with some axes set to 1. */
    private static int[] operandDims(Random r, int[] od) {
        int rank = r.nextInt(od.length + 1);
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            int o = od[i + od.length - rank];
            d[i] = r.nextInt(3) == 0 ? 1 : o;
        }
        return d;
    }

    /** A tensor of shape {@code dims}, sometimes as a non-contiguous view (a transposed or stepped one). */
    private static Tensor maybeView(Random r, long seed, int[] dims) {
        float[] v = Ref.random(seed, Ref.size(dims));
        if (dims.length >= 2 && r.nextBoolean()) {
            int[] swapped = dims.clone();
            swapped[0] = dims[1];
            swapped[1] = dims[0];
            return Tensor.of(Ref.random(seed, Ref.size(dims)), swapped).transpose(0, 1);
        }
        if (dims.length >= 1 && r.nextBoolean()) {
            int[] doubled = dims.clone();
            doubled[0] = 2 * dims[0];
            return Tensor.of(Ref.random(seed, Ref.size(doubled)), doubled).slice(0, 1, Integer.MAX_VALUE, 2);
        }
        return Tensor.of(v, dims);
    }

    @Test
    void broadcastProductsSumBackToEachOperandsShape() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor y = Tensor.of(new float[] {10, 20, 30, 40}, 4);
        Tensor g = Tensor.ones(3, 4);
        // The gradients of x*y: g*y summed over the broadcast axis, 100 each; g*x summed over rows, 6 each.
        assertBits(new float[] {100, 100, 100}, new int[] {3, 1}, g.mul(y).sumTo(x.shape()), "dx");
        assertBits(new float[] {6, 6, 6, 6}, new int[] {4}, g.mul(x).sumTo(y.shape()), "dy");
    }

    @Test
    void bceThroughBinaryMatchesTheClampedFormula() {
        Tensor p = Tensor.vector(0f, 0.25f, 1f, 0.5f);
        Tensor t = Tensor.vector(1f, 0f, 0f, 0.5f);
        double[] want = {100, -Math.log(0.75), 100, Math.log(2)};
        assertNear(want, p.binary(Binary.BCE, t), 1e-6, "bce");
    }
}
