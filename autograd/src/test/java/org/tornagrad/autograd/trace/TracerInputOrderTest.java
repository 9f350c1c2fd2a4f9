package org.tornagrad.autograd.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * A program does not depend on the iteration order of the input map: Map.of's is salted per JVM,
 * and a loss's listing and generated loops should be the same from one run to the next.
 */
class TracerInputOrderTest {
    private static final Tensor A = Tensor.vector(0.5f, -1f, 2f);
    private static final Tensor B = Tensor.vector(3f, 0.25f, -0.5f);
    /** Not symmetric in its inputs, so that swapping their numbers would show in the listing. */
    private static final Function<Map<String, Variable>, Variable> F =
        in -> in.get("b").exp().mul(in.get("a")).add(in.get("b")).sum();

    private static Map<String, Tensor> inOrder(String first, Tensor firstValue, String second, Tensor secondValue) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(first, firstValue);
        m.put(second, secondValue);
        return m;
    }

    @Test
    void eitherOrderOfTheMapGivesTheSameProgram() {
        Program ab = Tracer.trace(F, inOrder("a", A, "b", B), List.of("a", "b"));
        Program ba = Tracer.trace(F, inOrder("b", B, "a", A), List.of("a", "b"));
        assertEquals(ab.listing(), ba.listing());
        assertEquals(ab.inputs(), ba.inputs());
    }

    @Test
    void inputsAreNumberedInNameOrder() {
        Program p = Tracer.trace(F, inOrder("b", B, "a", A), List.of());
        assertEquals(List.of("a", "b"), List.copyOf(p.inputs().keySet()));
        assertTrue(p.inputs().get("a") < p.inputs().get("b"), p.inputs().toString());
        // The check has teeth: the program itself does tell its inputs apart.
        assertNotEquals(p.inputs().get("a"), p.inputs().get("b"));
    }

    @Test
    void aNullNameIsRefusedByName() {
        Map<String, Tensor> m = new HashMap<>();
        m.put(null, A);
        m.put("b", B);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Tracer.trace(in -> in.get("b").sum(), m, List.of()));
        assertEquals("inputs: expected a name for every tensor, got a null key", e.getMessage());
    }
}
