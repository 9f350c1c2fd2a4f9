package org.tornagrad.tornado;

import static org.tornagrad.tornado.TornadoTests.assertUlps;
import static org.tornagrad.tornado.TornadoTests.gaussian;
import static org.tornagrad.tornado.TornadoTests.uniform;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.tensor.Tensor;

/**
 * Every elementwise op's gradient, eagerly on the device against the Java reference. The
 * derivatives are written with the ops themselves (Variable), so this checks that their
 * compositions, masks and broadcast scalars included, run on the device as in Java; values that
 * pass through exp, log, pow, tanh or sqrt may differ by a few ulps (the device's libm).
 */
class DeviceGradientsTest {
    static Backend tornado;

    @BeforeAll
    static void device() {
        TornadoTests.assumeTornado();
        tornado = new TornadoBackend();
    }

    /** The gradients of x and y (of a broadcast (3, 1, 5) and (4, 1)) under {@code backend}. */
    private static float[][] gradients(Backend backend, BiFunction<Variable, Variable, Variable> op, float[] x, float[] y) {
        try (Backends.Scope s = Backends.use(backend)) {
            Variable vx = Variable.param(Tensor.of(x.clone(), 3, 1, 5));
            Variable vy = Variable.param(Tensor.of(y.clone(), 4, 1));
            op.apply(vx, vy).mul(Variable.constant(Tensor.of(gaussian(9, 60, 1f), 3, 4, 5))).sum().backward();
            return new float[][] {vx.grad().toArray(), vy.grad().toArray()};
        }
    }

    @Test
    void everyElementwiseGradientMatchesJava() {
        Map<String, BiFunction<Variable, Variable, Variable>> ops = new LinkedHashMap<>();
        ops.put("neg", (x, y) -> x.neg().add(y));
        ops.put("exp", (x, y) -> x.exp().mul(y));
        ops.put("log", (x, y) -> x.abs().add(0.5f).log().sub(y));
        ops.put("sqrt", (x, y) -> x.abs().add(0.25f).sqrt().mul(y));
        ops.put("abs", (x, y) -> x.abs().mul(y));
        ops.put("square", (x, y) -> x.square().add(y));
        ops.put("sigmoid", (x, y) -> x.sigmoid().mul(y));
        ops.put("relu", (x, y) -> x.relu().mul(y));
        ops.put("tanh", (x, y) -> x.tanh().mul(y));
        ops.put("reciprocal", (x, y) -> x.abs().add(1f).reciprocal().mul(y));
        ops.put("pow", (x, y) -> x.abs().pow(2.5f).mul(y));
        ops.put("clamp", (x, y) -> x.clamp(-0.5f, 0.5f).mul(y));
        ops.put("scalars", (x, y) -> x.add(2f).mul(3f).rsub(1f).sub(y));
        ops.put("div", (x, y) -> x.div(y.abs().add(0.5f)));
        ops.put("maximum", Variable::maximum);
        ops.put("minimum", Variable::minimum);
        ops.put("pow tensor", (x, y) -> x.abs().add(0.1f).pow(y));
        ops.put("bce", (x, y) -> x.sigmoid().binaryCrossEntropy(y.sigmoid()));
        float[] x = gaussian(4, 15, 2f);
        float[] y = uniform(5, 4, -1f, 1f);
        x[0] = 0f;
        x[1] = -0.5f;
        x[2] = y[1];   // a tie of maximum and minimum
        for (Map.Entry<String, BiFunction<Variable, Variable, Variable>> e : ops.entrySet()) {
            float[][] want = gradients(new ReferenceBackend(), e.getValue(), x, y);
            float[][] got = gradients(tornado, e.getValue(), x, y);
            assertUlps(e.getKey() + " dx", want[0], got[0], 4);
            assertUlps(e.getKey() + " dy", want[1], got[1], 4);
        }
    }
}
