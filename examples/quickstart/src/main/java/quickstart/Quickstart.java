package quickstart;

import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.DiceLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/** Fits a logit map to a disc with the Dice loss: first eagerly, then on the compiled path. */
public final class Quickstart {
    public static void main(String[] args) {
        int size = 32;
        // The target: a disc in a (N=1, C=1, H, W) mask of zeros and ones.
        float[] disc = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double dy = y - size / 2.0, dx = x - size / 2.0;
                disc[y * size + x] = dy * dy + dx * dx < 64 ? 1f : 0f;
            }
        }
        Tensor mask = Tensor.of(disc, 1, 1, size, size);
        Tensor logits = Tensor.randn(0, 1, 1, size, size);

        // Eager: each op runs at once and records how to differentiate it.
        Loss dice = DiceLoss.builder().build();   // the seed's defaults: smooth 1, binary, from logits
        for (int step = 0; step < 50; step++) {
            Variable inputs = Variable.param(logits);
            Variable loss = dice.compute(Map.of("inputs", inputs, "targets", Variable.constant(mask)));
            loss.backward();
            // Tensors are immutable: a gradient step makes new logits.
            logits = logits.sub(inputs.grad().mul(500f));
            if (step % 10 == 0) {
                System.out.printf("eager    step %2d  dice %.5f%n", step, loss.data().item());
            }
        }

        // Compiled: traced once for this shape, then one fused pass per call.
        CompiledLoss compiled = CompiledLoss.of(Losses.create("dice", Map.of("smooth", "1")));
        for (int step = 50; step < 100; step++) {
            Map<String, Tensor> out = compiled.forwardBackward(Map.of("inputs", logits, "targets", mask));
            float value = out.get("loss").item();
            logits = logits.sub(out.get("grad:inputs").mul(500f));   // read before the next call
            if (step % 10 == 0 || step == 99) {
                System.out.printf("compiled step %2d  dice %.5f%n", step, value);
            }
        }
    }
}
