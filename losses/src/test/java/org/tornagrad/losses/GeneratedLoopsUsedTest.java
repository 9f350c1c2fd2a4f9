package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.tensor.Tensor;

/**
 * This module's tests run the compiled backend as the benchmarks do: on the vector module, with
 * every fused kernel as a generated loop (losses/pom.xml sets the threshold to 1 element). If that
 * setting stopped reaching the tests, the parity suite would quietly check only the tile
 * interpreter; this test fails instead.
 */
class GeneratedLoopsUsedTest {

    @ParameterizedTest
    @ValueSource(strings = {"dice", "bce-dice", "iou", "focal"})
    void aSmallPixelwiseLossRunsAsGeneratedLoops(String name) {
        Tensor logits = Tensor.uniform(7, -3f, 3f, 2, 1, 4, 5);
        Tensor targets = Tensor.uniform(8, 0f, 1f, 2, 1, 4, 5);
        String source = CompiledLoss.of(Losses.create(name))
            .generatedSource(Map.of("inputs", logits, "targets", targets), true);
        assertTrue(source.contains("class Loop"),
            name + ": expected generated loop sources (vector module and codegen.minElements=1 from losses/pom.xml), got: '"
                + source + "'");
    }
}
