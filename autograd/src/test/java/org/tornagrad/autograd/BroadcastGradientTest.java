package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.tornagrad.autograd.TestSupport.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tornagrad.tensor.Tensor;

/**
 * Binary ops on broadcast shapes: the forward reads each operand as if expanded, and each
 * operand's gradient is the upstream gradient times the partial derivative, summed over every
 * output position that read it, in the operand's own shape. The reference walks the output
 * positions one by one and adds into the operand element each one read.
 */
class BroadcastGradientTest {

    /** The op, and its two partial derivatives as PyTorch defines them (ties of maximum: half each). */
    private record Op(String name, BiFunction<Variable, Variable, Variable> apply,
                      java.util.function.DoubleBinaryOperator f,
                      java.util.function.DoubleBinaryOperator dx,
                      java.util.function.DoubleBinaryOperator dy) {
    }

    private static final List<Op> OPS = List.of(
        new Op("add", Variable::add, Double::sum, (a, b) -> 1, (a, b) -> 1),
        new Op("mul", Variable::mul, (a, b) -> a * b, (a, b) -> b, (a, b) -> a),
        new Op("div", Variable::div, (a, b) -> a / b, (a, b) -> 1 / b, (a, b) -> -a / (b * b)),
        new Op("maximum", Variable::maximum, Math::max,
            (a, b) -> a > b ? 1 : a == b ? 0.5 : 0, (a, b) -> b > a ? 1 : a == b ? 0.5 : 0));

    private static final int[][][] SHAPE_PAIRS = {
        {{3, 1}, {1, 4}},
        {{1, 4}, {3, 1}},
        {{2, 3, 4}, {4}},
        {{4}, {2, 3, 4}},
        {{}, {2, 3}},
        {{2, 3}, {}},
        {{2, 1, 4}, {3, 1}},
    };

    /** Values in {-1, -0.5, 0.5, 1} for maximum (so ties meet), else away from 0 for div. */
    private static Tensor input(long seed, boolean gridded, int... dims) {
        float[] d = TestSupport.signed(seed, 0.5, 2, dims).toArray();
        if (gridded) {
            for (int i = 0; i < d.length; i++) {
                d[i] = Math.signum(d[i]) * (Math.abs(d[i]) < 1.25f ? 0.5f : 1f);
            }
        }
        return Tensor.of(d, dims);
    }

    @TestFactory
    Stream<DynamicTest> gradientsAreSummedBackToEachOperandsShape() {
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 100;
        for (Op op : OPS) {
            for (int[][] pair : SHAPE_PAIRS) {
                boolean gridded = op.name().equals("maximum");
                Tensor xt = input(seed++, gridded, pair[0]);
                Tensor yt = input(seed++, gridded, pair[1]);
                String name = op.name() + " " + xt.shape() + " x " + yt.shape();
                tests.add(dynamicTest(name, () -> check(op, xt, yt, name)));
            }
        }
        return tests.stream();
    }

    private static void check(Op op, Tensor xt, Tensor yt, String name) {
        Variable x = Variable.param(xt);
        Variable y = Variable.param(yt);
        Variable z = op.apply().apply(x, y);
        Tensor upstream = Tensor.uniform(7, 0.5f, 1.5f, z.shape().dims());
        z.backward(upstream);

        Nd xs = Nd.of(xt);
        Nd ys = Nd.of(yt);
        Nd up = Nd.of(upstream);
        Nd out = Nd.zeros(Nd.broadcastDims(xs.dims, ys.dims));
        Nd gx = Nd.zeros(xs.dims);
        Nd gy = Nd.zeros(ys.dims);
        int ties = 0;
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            int xi = xs.broadcastSource(idx);
            int yi = ys.broadcastSource(idx);
            double a = xs.v[xi];
            double b = ys.v[yi];
            ties += a == b ? 1 : 0;
            out.v[o] = op.f().applyAsDouble(a, b);
            gx.v[xi] += up.v[o] * op.dx().applyAsDouble(a, b);
            gy.v[yi] += up.v[o] * op.dy().applyAsDouble(a, b);
        }
        assertClose(out, z.data(), 1e-6, 1e-7, name + ": forward");
        assertClose(gx, x.grad(), 1e-5, 1e-6, name + ": gradient of the left operand");
        assertClose(gy, y.grad(), 1e-5, 1e-6, name + ": gradient of the right operand");
        if (op.name().equals("maximum") && out.size() > 4) {
            assertTrue(ties > 0, name + ": the inputs meet at least one tie, so the half-split is exercised");
        }
    }
}
