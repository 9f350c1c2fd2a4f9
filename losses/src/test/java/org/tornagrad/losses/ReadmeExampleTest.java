package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.DotExporter;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/** The README's Java examples, kept compiling and true. */
class ReadmeExampleTest {

    @Test
    void smallGraphBackwardGivesTheProductRuleGradient() {
        // README: "A small graph"
        Variable x = Variable.param(Tensor.vector(1f, -2f, 3f)).named("x");
        Variable y = x.sigmoid().mul(x).sum().named("y");   // y = sum(x * sigmoid(x))
        y.backward();
        String dot = DotExporter.toDot(y);

        // d/dx [x s(x)] = s(x) + x s(x) (1 - s(x)), computed here in double.
        float[] g = x.grad().toArray();
        float[] xs = {1f, -2f, 3f};
        for (int i = 0; i < 3; i++) {
            double s = 1 / (1 + Math.exp(-xs[i]));
            assertEquals(s + xs[i] * s * (1 - s), g[i], 1e-6);
        }
        assertTrue(dot.contains("sigmoid") && dot.contains("digraph"), dot);
    }

    @Test
    void diceFromTheRegistryMatchesTheBuilderAndHasAGradient() {
        // README: "A loss"
        Tensor logits = Tensor.randn(42, 2, 1, 16, 16);
        Tensor mask = Tensor.uniform(7, 0f, 1f, 2, 1, 16, 16).gt(Tensor.scalar(0.5f));

        Loss dice = Losses.create("dice", Map.of("smooth", "1"));
        Variable inputs = Variable.param(logits);
        Variable loss = dice.compute(Map.of("inputs", inputs, "targets", Variable.constant(mask)));
        loss.backward();

        Variable viaBuilder = DiceLoss.builder().build()
            .compute(Variable.constant(logits), Variable.constant(mask));
        assertEquals(viaBuilder.data().item(), loss.data().item(), 0f);
        assertEquals(logits.shape(), inputs.grad().shape());
        assertTrue(inputs.grad().maxAbsDiff(Tensor.zeros(2, 1, 16, 16)) > 0);
    }
}
