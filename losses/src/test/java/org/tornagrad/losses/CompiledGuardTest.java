package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.tensor.Tensor;

/**
 * The compiled path checks value ranges on the backend ({@link Loss#guard}: one sum of per-element
 * violations per input). Values at the very edge of [0, 1] must still be caught there, as the
 * eager checks catch them: the smallest negative float, the float just above 1, NaN and infinity.
 */
class CompiledGuardTest {
    private static final float[] OUTSIDE = {-Float.MIN_VALUE, Math.nextUp(1f), Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY};

    private static Tensor targets(float at5) {
        float[] v = new float[2 * 1 * 4 * 8];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 3 == 0 ? 1f : 0f;
        }
        v[5] = at5;
        return Tensor.of(v, 2, 1, 4, 8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void targetsJustOutsideZeroOneAreRejectedByTheCompiledGuard(String name) {
        Tensor logits = Tensor.uniform(3, -2f, 2f, 2, 1, 4, 8);
        CompiledLoss loss = CompiledLoss.of(Losses.create(name));
        assertDoesNotThrow(() -> loss.forwardBackward(Map.of("inputs", logits, "targets", targets(0f))));
        assertDoesNotThrow(() -> loss.forwardBackward(Map.of("inputs", logits, "targets", targets(1f))));
        for (float bad : OUTSIDE) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.forwardBackward(Map.of("inputs", logits, "targets", targets(bad))), name + " with target " + bad);
            assertTrue(e.getMessage().contains("targets") && e.getMessage().contains(String.valueOf(bad)),
                name + " with target " + bad + ": expected a message naming targets and the value, got " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void nonFiniteLogitsAreRejectedByTheCompiledGuard(String name) {
        // The generated loops drop x - x where the sigmoid's range check covers x: a tile with
        // an infinite or NaN logit must still reach the interpreter's finite check.
        CompiledLoss loss = CompiledLoss.of(Losses.create(name));
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
            float[] x = Tensor.uniform(3, -2f, 2f, 2, 1, 4, 8).toArray();
            x[37] = bad;
            Tensor logits = Tensor.of(x, 2, 1, 4, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.forwardBackward(Map.of("inputs", logits, "targets", targets(0f))), name + " with logit " + bad);
            assertTrue(e.getMessage().contains("inputs") && e.getMessage().contains(String.valueOf(bad)),
                name + " with logit " + bad + ": expected a message naming inputs and the value, got " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {-1.4e-45f, 1.0000001f, Float.NaN})
    void activeContourPredictionsJustOutsideZeroOneAreRejected(float bad) {
        Tensor truth = targets(0f);
        CompiledLoss loss = CompiledLoss.of(Losses.create("active-contour"));
        Tensor fine = Tensor.uniform(4, 0f, 1f, 2, 1, 4, 8);
        assertDoesNotThrow(() -> loss.forwardBackward(Map.of("y_pred", fine, "y_true", truth)));
        float[] p = fine.toArray();
        p[9] = bad;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> loss.forwardBackward(Map.of("y_pred", Tensor.of(p, 2, 1, 4, 8), "y_true", truth)));
        assertTrue(e.getMessage().contains("y_pred"), "expected a message naming y_pred, got " + e.getMessage());
    }
}
