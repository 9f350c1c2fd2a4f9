package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.DiceLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;

/**
 * The README's Java examples, each verbatim (DocsCodeBlocksTest checks that every ```java block of
 * README.md appears here), with assertions computed independently of the engine.
 */
class ReadmeExampleTest {

    @Test
    void aLossOnYourDataGivesTheSeedsValueAndGradient() throws Exception {
        // The example reads mask.npy from the working directory: write it there for the test.
        Path maskFile = Path.of("mask.npy");
        Npy.write(maskFile, Tensor.of(new float[] {1f, 0f, 1f, 0f}, 1, 1, 2, 2));
        try {
            // README: "A loss on your data"
            // Data: a float[] in row-major order and its shape, or a NumPy .npy file.
            Tensor logits = Tensor.of(new float[] {2f, -1f, 0.5f, -3f}, 1, 1, 2, 2);   // (N, C, H, W)
            Tensor mask = Npy.read(Path.of("mask.npy"));                              // the same shape, 0 or 1

            Loss dice = Losses.create("dice", Map.of("smooth", "1"));   // by name, with the CLI's options
            Variable inputs = Variable.param(logits);                   // a leaf that wants a gradient
            Variable loss = dice.compute(Map.of("inputs", inputs, "targets", Variable.constant(mask)));
            loss.backward();
            System.out.println(loss.data().item());    // the loss value
            System.out.println(inputs.grad());         // dLoss/dLogits, shape (1, 1, 2, 2)

            // The same loss with typed options:
            Loss same = DiceLoss.builder().smooth(1).build();

            // Independently, in double: p = sigmoid(x), dice = 1 - (2 Σpt + 1) / (Σp + Σt + 1).
            double[] x = {2, -1, 0.5, -3};
            double[] t = {1, 0, 1, 0};
            double inter = 0, sp = 0, st = 0;
            double[] p = new double[4];
            for (int i = 0; i < 4; i++) {
                p[i] = 1 / (1 + Math.exp(-x[i]));
                inter += p[i] * t[i];
                sp += p[i];
                st += t[i];
            }
            double num = 2 * inter + 1;
            double den = sp + st + 1;
            assertEquals(1 - num / den, loss.data().item(), 1e-6);
            float[] g = inputs.grad().toArray();
            for (int i = 0; i < 4; i++) {
                double dLdp = -(2 * t[i] * den - num) / (den * den);
                assertEquals(dLdp * p[i] * (1 - p[i]), g[i], 1e-6);
            }
            assertEquals(loss.data().item(),
                same.compute(Map.of("inputs", Variable.constant(logits), "targets", Variable.constant(mask))).data().item(), 0f);
        } finally {
            Files.deleteIfExists(maskFile);
        }
    }

    @Test
    void aTrainingLoopFitsTheTarget() {
        // README: "A training loop"
        Loss dice = Losses.create("dice");
        Tensor mask = Tensor.uniform(1, 0f, 1f, 1, 1, 32, 32).gt(Tensor.scalar(0.5f));   // a random 0/1 target
        Tensor logits = Tensor.zeros(1, 1, 32, 32);                                       // what we fit: a logit map
        float lr = 500f;     // dice's gradient per pixel is small: about 1 / (number of pixels)
        for (int step = 0; step < 100; step++) {
            Variable x = Variable.param(logits);     // a fresh leaf each step
            Variable loss = dice.compute(Map.of("inputs", x, "targets", Variable.constant(mask)));
            loss.backward();
            logits = logits.sub(x.grad().mul(lr));   // tensors are immutable: a step makes new logits
            if (step % 20 == 0) {
                System.out.printf("step %d  dice %.4f%n", step, loss.data().item());
            }
        }

        // Thresholded at 0, the fitted logits are the mask, pixel for pixel.
        float[] fitted = logits.toArray();
        float[] target = mask.toArray();
        for (int i = 0; i < fitted.length; i++) {
            assertEquals(target[i], fitted[i] > 0 ? 1f : 0f, "pixel " + i);
        }
    }

    @Test
    void compiledLossGivesTheEagerValuesAndGradients() {
        // README: "The compiled path"
        CompiledLoss dice = CompiledLoss.of(Losses.create("dice"));   // traced and compiled at the first call of each shape
        Tensor mask = Tensor.uniform(1, 0f, 1f, 1, 1, 32, 32).gt(Tensor.scalar(0.5f));
        Tensor logits = Tensor.zeros(1, 1, 32, 32);
        for (int step = 0; step < 100; step++) {
            Map<String, Tensor> out = dice.forwardBackward(Map.of("inputs", logits, "targets", mask));
            float value = out.get("loss").item();
            logits = logits.sub(out.get("grad:inputs").mul(500f));   // use the outputs before the next call: it reuses them
        }

        // One more compiled call against the eager path on the same logits.
        Map<String, Tensor> out = dice.forwardBackward(Map.of("inputs", logits, "targets", mask));
        Variable x = Variable.param(logits);
        Variable eager = Losses.create("dice").compute(Map.of("inputs", x, "targets", Variable.constant(mask)));
        eager.backward();
        assertEquals(eager.data().item(), out.get("loss").item(), 1e-6);
        assertTrue(out.get("grad:inputs").maxAbsDiff(x.grad()) < 1e-7, "gradients differ");
        assertTrue(eager.data().item() < 0.05, "the loop should have fitted the mask: dice " + eager.data().item());
        assertArrayEquals(new int[] {1, 1, 32, 32}, out.get("grad:inputs").shape().dims());
    }
}
