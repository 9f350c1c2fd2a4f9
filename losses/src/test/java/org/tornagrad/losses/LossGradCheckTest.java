package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tornagrad.autograd.GradCheck;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * The region losses' gradients against central finite differences ({@link GradCheck}) on small
 * inputs away from kinks, for each mode and the options that change the graph. With reduction
 * none GradCheck contracts the terms with a random projection, so each term's gradient counts.
 */
class LossGradCheckTest {

    static Stream<Arguments> configurations() {
        List<Arguments> out = new ArrayList<>();
        for (String loss : new String[] {"dice", "iou", "bce-dice", "focal"}) {
            out.add(Arguments.of(loss, RegionLossTest.opts()));
            out.add(Arguments.of(loss, RegionLossTest.opts("per_image", "true", "reduction", "none")));
            out.add(Arguments.of(loss, RegionLossTest.opts("mode", "multilabel", "ignore_index", "255",
                "class_weights", "1,0.5,2")));
            out.add(Arguments.of(loss, RegionLossTest.opts("mode", "multiclass", "ignore_index", "255",
                "include_background", "false", "per_image", "true", "reduction", "sum")));
            out.add(Arguments.of(loss, RegionLossTest.opts("mode", "multiclass", "from_logits", "false")));
        }
        out.add(Arguments.of("dice", RegionLossTest.opts("smooth", "0", "eps", "1e-7", "mode", "multilabel")));
        out.add(Arguments.of("iou", RegionLossTest.opts("smooth_numerator", "0.1", "smooth_denominator", "3")));
        out.add(Arguments.of("focal", RegionLossTest.opts("variant", "per-element", "alpha", "0.25")));
        out.add(Arguments.of("focal", RegionLossTest.opts("variant", "per-element", "gamma", "1.5", "mode", "multiclass")));
        out.add(Arguments.of("focal", RegionLossTest.opts("gamma", "3", "alpha", "0.4", "mode", "multilabel")));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void gradientMatchesFiniteDifferences(String name, Map<String, String> options) {
        Loss loss = Losses.create(name, options);
        String mode = options.getOrDefault("mode", "binary");
        boolean logits = !"false".equals(options.get("from_logits"));
        Tensor x = logits ? Tensor.randn(61, 2, 3, 3, 2) : Tensor.uniform(61, 0.05f, 0.95f, 2, 3, 3, 2);
        Tensor targets;
        if (mode.equals("multiclass")) {
            targets = RegionLossTest.labels(62, 3, 2, 3, 2);
        } else {
            targets = Tensor.uniform(62, 0f, 1f, 2, 3, 3, 2);   // soft targets
        }
        if (options.containsKey("ignore_index")) {
            targets = RegionLossTest.withSome(targets, 63, 0.2f, 255f);
        }
        Tensor t = targets;
        GradCheck.Result r = GradCheck.defaults()
            .check(v -> loss.compute(Map.of("inputs", v[0], "targets", Variable.constant(t))), x);
        assertTrue(r.passed, name + " " + options + ": " + r);
    }
}
