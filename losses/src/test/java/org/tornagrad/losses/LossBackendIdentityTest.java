package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ParallelBackend;
import org.tornagrad.tensor.Tensor;

/**
 * The multi-core backend gives the same bits as the sequential reference for each loss, value
 * and gradient. Inputs are large enough (over 32768 elements per op, over 16384 per summed row)
 * that the parallel loops really split into chunks and the sums into blocks.
 */
class LossBackendIdentityTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 96;
    private static final int W = 100;

    private record Result(float[] value, float[] gradient) {
    }

    private static Result run(Backend backend, Loss loss, Map<String, Tensor> inputs) {
        try (Backends.Scope scope = Backends.use(backend)) {
            Map<String, Variable> vars = new LinkedHashMap<>();
            Variable param = null;
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                boolean differentiated = loss.differentiated().contains(e.getKey());
                Variable v = differentiated ? Variable.param(e.getValue()) : Variable.constant(e.getValue());
                if (differentiated) {
                    param = v;
                }
                vars.put(e.getKey(), v);
            }
            Variable value = loss.compute(vars);
            value.sum().backward();
            return new Result(value.data().toArray(), param.grad().toArray());
        }
    }

    private static void assertSameBits(String name, Map<String, String> options, Map<String, Tensor> inputs) {
        Loss loss = Losses.create(name, options);
        Result reference = run(Backends.get("java"), loss, inputs);
        assertTrue(reference.gradient().length > 32768, "large enough to be split");
        for (Backend b : List.of(Backends.get("parallel"), new ParallelBackend(3), new ParallelBackend(8))) {
            Result r = run(b, loss, inputs);
            assertArrayEquals(reference.value(), r.value(), name + " " + options + " value on " + b.description());
            assertArrayEquals(reference.gradient(), r.gradient(), name + " " + options + " gradient on " + b.description());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void regionLossesGiveTheReferenceBitsOnEveryParallelBackend(String name) {
        Tensor x = Tensor.randn(71, N, C, H, W).mul(3f);
        Tensor masks = Tensor.uniform(72, 0f, 1f, N, C, H, W).lt(Tensor.scalar(0.4f));
        Tensor labels = RegionLossTest.withSome(RegionLossTest.labels(73, C, N, H, W), 74, 0.1f, 255f);
        assertSameBits(name, RegionLossTest.opts(), Map.of("inputs", x, "targets", masks));
        assertSameBits(name, RegionLossTest.opts("mode", "multiclass", "ignore_index", "255", "per_image", "true"),
            Map.of("inputs", x, "targets", labels));
        if (name.equals("focal")) {
            assertSameBits(name, RegionLossTest.opts("variant", "per-element", "mode", "multilabel"),
                Map.of("inputs", x, "targets", masks));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "0.5"})
    void activeContourGivesTheReferenceBitsOnEveryParallelBackend(String weight) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("y_true", Tensor.uniform(81, 0f, 1f, N, C, H, W).lt(Tensor.scalar(0.5f)));
        inputs.put("y_pred", Tensor.uniform(82, 0f, 1f, N, C, H, W));
        assertSameBits("active-contour", Map.of("weight", weight), inputs);
    }
}
