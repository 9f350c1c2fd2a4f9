package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.autograd.TestSupport.assertClose;

import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

/**
 * The gradients PyTorch gives at the edges (kinks, ties, saturation), which finite differences
 * cannot check. Each expected value comes from PyTorch's rule written out here in double
 * precision, applied to the same inputs.
 */
class PyTorchEdgeSemanticsTest {

    /** d sum(f(x)) / dx for a one-input op. */
    private static Tensor gradOfSum(Tensor input, java.util.function.UnaryOperator<Variable> f) {
        Variable x = Variable.param(input);
        f.apply(x).sum().backward();
        return x.grad();
    }

    @Test
    void absHasGradientZeroAtZero() {
        Tensor x = Tensor.vector(-1.5f, 0f, 2f, -0f);
        // torch: abs backward is grad * sign(x), and sign(0) = 0.
        assertClose(Nd.of(x).map(Math::signum), gradOfSum(x, Variable::abs), 0, 0, "abs'");
    }

    @Test
    void reluHasGradientZeroAtZero() {
        Tensor x = Tensor.vector(-1f, 0f, 3f);
        // torch: threshold_backward passes the gradient only where x > 0.
        assertClose(Nd.of(x).map(v -> v > 0 ? 1 : 0), gradOfSum(x, Variable::relu), 0, 0, "relu'");
    }

    @Test
    void sqrtHasInfiniteGradientAtZero() {
        Tensor x = Tensor.vector(0f, 4f, 0.25f);
        // torch: sqrt backward is grad / (2 sqrt(x)), which is +inf at 0.
        Nd expected = Nd.of(x).map(v -> 1 / (2 * Math.sqrt(v)));
        assertEquals(Double.POSITIVE_INFINITY, expected.v[0], "the rule itself gives +inf at 0");
        assertClose(expected, gradOfSum(x, Variable::sqrt), 1e-6, 0, "sqrt'");
    }

    @Test
    void powWithExponentZeroHasGradientZero() {
        Tensor x = Tensor.vector(0f, 2f, -3f);
        // torch: pow_backward masks exponent 0 to a zero gradient (no 0 * inf at x = 0).
        assertClose(Nd.of(x).map(v -> 0), gradOfSum(x, v -> v.pow(0f)), 0, 0, "d x^0 / dx");
    }

    @Test
    void normOfAZeroVectorHasGradientZeroNotNaN() {
        Tensor x = Tensor.of(new float[] {0f, 0f, 0f, 3f, 4f, 0f}, 2, 3);
        Tensor g = gradOfSum(x, v -> v.norm(1, false));
        // torch: norm backward is x / ||x||, masked to 0 where the norm is 0.
        Nd xs = Nd.of(x);
        Nd n = Reference.norm(xs, 1, true);
        Nd expected = Nd.zip(xs, n, (a, b) -> b == 0 ? 0 : a / b);
        assertClose(expected, g, 1e-6, 0, "norm'");
    }

    /** torch.maximum / minimum: the winner takes the gradient; on a tie each side gets half. */
    private static double maxRule(double a, double b) {
        return a > b ? 1 : a == b ? 0.5 : 0;
    }

    @Test
    void maximumAndMinimumSplitTheGradientOnTies() {
        Tensor xt = Tensor.vector(1f, 2f, 3f, -1f);
        Tensor yt = Tensor.vector(1f, 5f, 3f, -2f);
        Nd xs = Nd.of(xt);
        Nd ys = Nd.of(yt);

        Variable x = Variable.param(xt);
        Variable y = Variable.param(yt);
        x.maximum(y).sum().backward();
        assertClose(Nd.zip(xs, ys, PyTorchEdgeSemanticsTest::maxRule), x.grad(), 0, 0, "maximum: dx");
        assertClose(Nd.zip(xs, ys, (a, b) -> maxRule(b, a)), y.grad(), 0, 0, "maximum: dy");

        Variable x2 = Variable.param(xt);
        Variable y2 = Variable.param(yt);
        x2.minimum(y2).sum().backward();
        assertClose(Nd.zip(xs, ys, (a, b) -> maxRule(-a, -b)), x2.grad(), 0, 0, "minimum: dx");
        assertClose(Nd.zip(xs, ys, (a, b) -> maxRule(-b, -a)), y2.grad(), 0, 0, "minimum: dy");
    }

    @Test
    void maximumOfAValueWithItselfPassesTheWholeGradient() {
        Variable x = Variable.param(Tensor.vector(1f, -2f));
        x.maximum(x).sum().backward();
        // Half through each side, accumulated on the one leaf.
        assertClose(Nd.of(x.data()).map(v -> maxRule(v, v) + maxRule(v, v)), x.grad(), 0, 0, "maximum(x, x)'");
    }

    @Test
    void maxAlongAnAxisRoutesTheGradientToTheFirstArgMax() {
        float[] values = {1, 3, 3, 2, 2, 1, 0, 0, 0, 5, -1, 5};
        Tensor xt = Tensor.of(values, 2, 2, 3);
        for (int axis = 0; axis < 3; axis++) {
            Variable x = Variable.param(xt);
            Tensor upstream = Tensor.uniform(axis, 0.5f, 1.5f, x.max(axis, false).shape().dims());
            x.max(axis, false).backward(upstream);
            // Reference: walk each fibre along the axis and keep the first strictly larger value.
            Nd xs = Nd.of(xt);
            Nd up = Nd.of(upstream);
            Nd expected = Nd.zeros(xs.dims);
            int a = axis;
            for (int o = 0; o < up.size(); o++) {
                int[] outIdx = up.unravel(o);
                int[] idx = new int[3];
                for (int d = 0, j = 0; d < 3; d++) {
                    idx[d] = d == a ? 0 : outIdx[j++];
                }
                int best = 0;
                for (int i = 1; i < xs.dims[a]; i++) {
                    int[] cand = idx.clone();
                    cand[a] = i;
                    int[] cur = idx.clone();
                    cur[a] = best;
                    if (xs.get(cand) > xs.get(cur)) {
                        best = i;
                    }
                }
                idx[a] = best;
                expected.v[expected.ravel(idx)] += up.v[o];
            }
            assertClose(expected, x.grad(), 0, 0, "max(axis=" + axis + ")'");
        }
    }

    /** PyTorch's max_pool2d backward: each window's gradient to its first maximum in row-major order; padding is -inf. */
    private static Nd maxPoolGradReference(Nd x, Nd up, int k, int s, int p) {
        int h = x.dims[x.rank() - 2];
        int w = x.dims[x.rank() - 1];
        int oh = up.dims[up.rank() - 2];
        int ow = up.dims[up.rank() - 1];
        Nd g = Nd.zeros(x.dims);
        int planes = x.size() / (h * w);
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = -1;
                    for (int yy = oy * s - p; yy < oy * s - p + k; yy++) {
                        for (int xx = ox * s - p; xx < ox * s - p + k; xx++) {
                            if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
                                continue;
                            }
                            int at = pl * h * w + yy * w + xx;
                            if (best < 0 || x.v[at] > x.v[best]) {
                                best = at;
                            }
                        }
                    }
                    g.v[best] += up.v[pl * oh * ow + oy * ow + ox];
                }
            }
        }
        return g;
    }

    private static void checkMaxPool(Tensor xt, int k, int s, int p, String what) {
        Variable x = Variable.param(xt);
        Variable y = x.maxPool2d(k, s, p);
        assertClose(Reference.maxPool2d(Nd.of(xt), k, s, p), y.data(), 0, 0, what + ": forward");
        Tensor upstream = Tensor.uniform(5, 0.5f, 1.5f, y.shape().dims());
        y.backward(upstream);
        assertClose(maxPoolGradReference(Nd.of(xt), Nd.of(upstream), k, s, p), x.grad(), 1e-6, 0, what + ": gradient");
    }

    @Test
    void maxPoolTiesGoToTheFirstInRowMajorOrder() {
        // A constant plane: every window is one big tie.
        checkMaxPool(Tensor.full(2f, 1, 1, 4, 5), 3, 1, 1, "constant plane k3 s1 p1");
        checkMaxPool(Tensor.full(2f, 2, 4, 4), 2, 2, 0, "constant planes k2 s2 p0");
        // Values on a coarse grid: many ties in varied positions.
        float[] d = Tensor.uniform(9, -1f, 1f, 2, 3, 7, 6).toArray();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.round(d[i] * 2) / 2f;
        }
        checkMaxPool(Tensor.of(d, 2, 3, 7, 6), 3, 1, 1, "gridded k3 s1 p1");
        checkMaxPool(Tensor.of(d, 2, 3, 7, 6), 3, 2, 1, "gridded k3 s2 p1");
        checkMaxPool(Tensor.of(d, 2, 3, 7, 6), 2, 1, 0, "gridded k2 s1 p0");
    }

    @Test
    void maxPoolPaddingNeverWins() {
        // All values negative: a zero (or any finite) padding would win at the borders.
        Tensor x = Tensor.uniform(11, -9f, -1f, 1, 2, 5, 5);
        checkMaxPool(x, 3, 1, 1, "negative input k3 s1 p1");
        checkMaxPool(x, 5, 1, 2, "negative input k5 s1 p2");
        Variable v = Variable.param(x);
        Tensor out = v.maxPool2d(3, 1, 1).data();
        assertTrue(out.maxValue() < 0, "no output is a padding value: max output " + out.maxValue());
    }

    @Test
    void clampPassesTheGradientAtTheBounds() {
        Tensor x = Tensor.vector(-1f, -0.5f, 0f, 0.5f, 1f);
        // torch.clamp backward: grad where min <= x <= max, bounds included.
        assertClose(Nd.of(x).map(v -> v >= -0.5 && v <= 0.5 ? 1 : 0), gradOfSum(x, v -> v.clamp(-0.5f, 0.5f)), 0, 0,
            "clamp'");
        assertClose(Nd.of(x).map(v -> v >= 0 ? 1 : 0), gradOfSum(x, v -> v.clampMin(0f)), 0, 0, "clampMin'");
        Tensor point = Tensor.vector(0.2f, 0.3f);
        assertClose(Nd.of(point).map(v -> v == 0.2f ? 1 : 0), gradOfSum(point, v -> v.clamp(0.2f, 0.2f)), 0, 0,
            "clamp to a point");
    }

    @Test
    void bceOnSaturatedLogitsFollowsPyTorchsBackwardRule() {
        float[] logits = {-30f, -50f, -10f, 2f, 30f, 0.5f};
        float[] targets = {1f, 1f, 1f, 0f, 0f, 1f};
        int n = logits.length;
        Variable x = Variable.param(Tensor.vector(logits));
        Variable t = Variable.constant(Tensor.vector(targets));
        Variable loss = x.sigmoid().binaryCrossEntropy(t).mean();
        loss.backward();

        double[] expectedGrad = new double[n];
        double expectedLoss = 0;
        for (int i = 0; i < n; i++) {
            // p as PyTorch holds it: a float32 (sigmoid(30) rounds to exactly 1).
            double p = (float) Reference.sigmoid(logits[i]);
            double tt = targets[i];
            double sigmoidGrad = p * (1 - p);
            expectedGrad[i] = (p - tt) / Math.max(p * (1 - p), 1e-12) * sigmoidGrad / n;
            expectedLoss += Reference.bce(p, tt) / n;
        }
        assertEquals(expectedLoss, loss.data().item(), 1e-5 * Math.abs(expectedLoss), "mean BCE");
        assertClose(new Nd(new int[] {n}, expectedGrad), x.grad(), 1e-5, 1e-12, "d mean BCE(sigmoid(x), t) / dx");

        // x = -30, t = 1 is about -0.0936 / n under PyTorch's rule, far from the exact derivative
        // (p - t) / n = -1 / n that a log-sigmoid formulation would give.
        double exactDerivative = ((float) Reference.sigmoid(-30) - 1.0) / n;
        assertTrue(Math.abs(x.grad().get(0) - exactDerivative) > 0.5 / n,
            "the saturated gradient is PyTorch's, not the exact -1/n: got " + x.grad().get(0));
    }
}
