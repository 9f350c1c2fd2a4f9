package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.tornagrad.tensor.Tensor;

/**
 * Bad arguments to Variable's ops give an IllegalArgumentException that starts with the
 * argument's name and states what was expected and what was given, before any kernel runs.
 */
class BadInputTest {
    private static final Variable A = Variable.param(Tensor.zeros(2, 3));
    private static final Variable B = Variable.param(Tensor.zeros(4));

    private record Bad(String what, Executable call, String argument, String... mentions) {
    }

    private static Stream<Bad> cases() {
        return Stream.of(
            new Bad("add of unbroadcastable shapes", () -> A.add(B), "shapes", "(2, 3)", "(4,)"),
            new Bad("maximum with null", () -> A.maximum(null), "other", "null"),
            new Bad("matmul with mismatched inner sizes", () -> A.matmul(Variable.param(Tensor.zeros(4, 5))), "other",
                "3", "(4, 5)"),
            new Bad("matmul of a vector", () -> B.matmul(A), "matmul", "(4,)"),
            new Bad("clamp with min > max", () -> A.clamp(1f, 0f), "min, max", "1.0", "0.0"),
            new Bad("division by the scalar 0", () -> A.div(0f), "c", "0"),
            new Bad("reshape to the wrong size", () -> A.reshape(4, 2), "dims", "6", "[4, 2]"),
            new Bad("sum over an axis twice", () -> A.sum(new int[] {1, -1}, false), "axes", "[1, -1]"),
            new Bad("softmax along a missing axis", () -> A.softmax(2), "axis", "(2, 3)", "2"),
            new Bad("max along a missing axis", () -> A.max(-3, false), "axis", "-3"),
            new Bad("squeeze of a size-3 axis", () -> A.squeeze(1), "axis", "size 3"),
            new Bad("expand to an incompatible shape", () -> A.expand(2, 4), "target", "(2, 4)"),
            new Bad("concat of mismatched parts", () -> Variable.concat(0, A, Variable.param(Tensor.zeros(2, 4))),
                "parts[1]", "(2, 4)"),
            new Bad("stack of mismatched parts", () -> Variable.stack(0, A, B), "parts[1]", "(4,)"),
            new Bad("indexSelect out of range", () -> A.indexSelect(1, new int[] {0, 3}), "indices", "3"),
            new Bad("gatherRows with a fractional row", () -> A.gatherRows(Variable.constant(Tensor.vector(0.5f))),
                "index", "0.5"),
            new Bad("maxPool2d of a vector", () -> B.maxPool2d(2, 1, 0), "input", "(4,)"),
            new Bad("maxPool2d with padding above kernel/2", () -> A.maxPool2d(2, 1, 2), "kernel, stride, padding", "2"),
            new Bad("mean of an empty tensor", () -> Variable.param(Tensor.zeros(0, 3)).mean(), "input", "(0, 3)"),
            new Bad("binaryCrossEntropy of unbroadcastable shapes", () -> A.binaryCrossEntropy(B), "shapes", "(2, 3)"),
            new Bad("backward with a gradient of the wrong shape", () -> A.mul(2f).backward(Tensor.zeros(3)), "gradient",
                "(2, 3)", "(3,)"));
    }

    @TestFactory
    Stream<DynamicTest> badArgumentsNameTheArgumentTheExpectedAndTheActual() {
        return cases().map(c -> dynamicTest(c.what(), () -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c.call(), c.what());
            String m = e.getMessage();
            assertTrue(m != null && m.startsWith(c.argument() + ":"), "names the argument '" + c.argument() + "': " + m);
            assertTrue(m.contains("expected"), "says what was expected: " + m);
            for (String s : c.mentions()) {
                assertTrue(m.contains(s), "mentions " + s + ": " + m);
            }
        }));
    }
}
