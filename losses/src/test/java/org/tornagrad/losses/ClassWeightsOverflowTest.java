package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/** Class weights near Float.MAX_VALUE: the mean does not depend on their scale; sum and none overflow for real. */
class ClassWeightsOverflowTest {
    private static final Tensor LOGITS = Tensor.randn(7, 2, 3, 8, 8);
    private static final Tensor LABELS;

    static {
        float[] l = new float[2 * 8 * 8];
        for (int i = 0; i < l.length; i++) {
            l[i] = (i * 7 + i / 5) % 3;
        }
        LABELS = Tensor.of(l, 2, 8, 8);
    }

    private static Loss loss(String name, String weights, String reduction) {
        return Losses.create(name, Map.of("mode", "multiclass", "class_weights", weights, "reduction", reduction));
    }

    /** The value and the gradient of the inputs. */
    private static float[][] run(Loss loss) {
        Variable x = Variable.param(LOGITS);
        Variable value = loss.compute(Map.of("inputs", x, "targets", Variable.constant(LABELS)));
        value.sum().backward();
        return new float[][] {value.data().toArray(), x.grad().toArray()};
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6f * Math.max(1f, Math.abs(expected[i])), "at " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "focal", "bce-dice"})
    void theMeanOfHugeEqualWeightsIsTheUnweightedMean(String name) {
        float[][] equal = run(loss(name, "1,1,1", "mean"));
        // Σ w = 9e38 overflowed float32: dice gave NaN with zero gradients, focal 0.
        float[][] huge = run(loss(name, "3e38,3e38,3e38", "mean"));
        assertClose(equal[0], huge[0]);
        assertClose(equal[1], huge[1]);
        float[][] compiled = new float[][] {CompiledLoss.of(loss(name, "3e38,3e38,3e38", "mean"))
            .forwardBackward(Map.of("inputs", LOGITS, "targets", LABELS)).get("loss").toArray()};
        assertClose(equal[0], compiled[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "focal"})
    void scalingTheWeightsByAPowerOfTwoKeepsTheMeanBitForBit(String name) {
        float[][] a = run(loss(name, "0.3,1.7,2.5", "mean"));
        float[][] b = run(loss(name, "1.2,6.8,10", "mean"));
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sum", "none"})
    void sumAndNoneRefuseWeightsWhoseTermsOverflow(String reduction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> run(loss("bce-dice", "3e38,3e38,3e38", reduction)));
        assertTrue(e.getMessage().startsWith("bce-dice option class_weights: expected weights small enough that the"
            + " weighted terms"), e.getMessage());
        assertTrue(e.getMessage().endsWith("with reduction=" + reduction + ", got [3.0E38, 3.0E38, 3.0E38], which"
            + " overflow to infinity"), e.getMessage());
        IllegalArgumentException compiled = assertThrows(IllegalArgumentException.class,
            () -> CompiledLoss.of(loss("bce-dice", "3e38,3e38,3e38", reduction))
                .forwardBackward(Map.of("inputs", LOGITS, "targets", LABELS)));
        assertEquals(e.getMessage(), compiled.getMessage());
        // Large weights whose weighted sum fits are still a value.
        float[] fine = run(loss("bce-dice", "1e37,1e37,1e37", reduction))[0];
        for (float v : fine) {
            assertTrue(Float.isFinite(v) && v > 0, "value " + v);
        }
    }
}
