package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

/**
 * A loss's prepared tensors come in its declared input order, whatever the caller's map order:
 * the compiled path numbers a program's inputs in this order, so a JVM-dependent order (Map.of's
 * is salted per JVM) would give another program listing, and other generated loops, from one run
 * to the next. (Map.of's order for two keys is the declared one in some JVMs: a regression to it
 * fails here in the others, about one run in two.)
 */
class PreparedInputOrderTest {
    private static void assertDeclaredOrder(Loss loss, Map<String, Tensor> reversed) {
        assertEquals(loss.inputNames(), new ArrayList<>(loss.prepare(reversed).keySet()), loss.name());
    }

    @Test
    void activeContourPreparesItsInputsInTheDeclaredOrder() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("y_pred", Tensor.uniform(1, 0f, 1f, 2, 1, 5, 6));
        in.put("y_true", Tensor.uniform(2, 0f, 1f, 2, 1, 5, 6).lt(Tensor.scalar(0.5f)));
        assertDeclaredOrder(Losses.create("active-contour"), in);
    }

    @Test
    void boundaryPreparesItsInputsInTheDeclaredOrder() {
        float[] labels = new float[2 * 8 * 9];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("gt", Tensor.of(labels, 2, 8, 9));
        in.put("pred", Tensor.randn(3, 2, 3, 8, 9));
        assertDeclaredOrder(Losses.create("boundary"), in);
    }
}
