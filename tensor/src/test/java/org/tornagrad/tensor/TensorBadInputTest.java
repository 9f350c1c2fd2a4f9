package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.tensor.Ref.assertIae;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * Every public entry point of Shape and Tensor rejects a bad argument with an
 * IllegalArgumentException naming the argument, the expected and the actual value.
 */
class TensorBadInputTest {
    static final Tensor M = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    @Test
    void shapeRejectsNegativeOversizedAndNullDimensions() {
        assertIae(() -> Shape.of(2, -3), "shape", "every dimension >= 0", "[2, -3]", "dimension 1 is -3");
        assertIae(() -> Shape.of(65536, 65536), "shape", "at most 2147483639 elements", "[65536, 65536]");
        assertIae(() -> Shape.of((int[]) null), "shape", "null");
        assertIae(() -> Shape.of(2, 3).axis(2), "axis", "[-2, 1]", "(2, 3)", "got 2");
        assertIae(() -> Shape.of().axis(0), "axis", "()", "got 0");
        assertIae(() -> Shape.broadcast(Shape.of(2), Shape.of(3)), "shapes", "(2,)", "(3,)", "2 vs 3");
    }

    @Test
    void creationRejectsWrongValueCountsAndRanges() {
        assertIae(() -> Tensor.of(new float[5], 2, 3), "values", "6 values", "(2, 3)", "got 5");
        assertIae(() -> Tensor.of(null, 2), "values", "got null");
        assertIae(() -> Tensor.vector((float[]) null), "values", "null");
        assertIae(() -> Tensor.zeros(2, -1), "shape", "-1");
        assertIae(() -> Tensor.ones(-2), "shape", "-2");
        assertIae(() -> Tensor.full(1f, 1 << 16, 1 << 16), "shape", "at most");
        assertIae(() -> Tensor.arange(-1), "n", ">= 0", "-1");
        assertIae(() -> Tensor.uniform(1, 2f, 1f, 3), "low, high", "low <= high", "2.0, 1.0");
        assertIae(() -> Tensor.uniform(1, Float.NaN, 1f, 3), "low, high", "NaN");
        assertIae(() -> Tensor.uniform(1, 0f, Float.POSITIVE_INFINITY, 3), "low, high", "finite", "Infinity");
        assertIae(() -> Tensor.randn(1, -4), "shape", "-4");
        assertIae(() -> Tensor.fromBuffer(new float[3], 2, 2), "buffer", "4 values", "(2, 2)", "got 3");
        assertIae(() -> Tensor.fromBuffer(null, 1), "buffer", "null");
    }

    @Test
    void inspectionRejectsBadIndices() {
        assertIae(() -> M.get(0), "index", "2 entries", "(2, 3)", "[0]");
        assertIae(() -> M.get(2, 0), "index", "entry 0", "[-2, 1]", "got 2");
        assertIae(() -> M.get(0, -4), "index", "entry 1", "[-3, 2]", "got -4");
        assertIae(() -> M.get((int[]) null), "index", "2 entries", "null");
        assertIae(() -> M.dim(2), "axis", "[-2, 1]", "got 2");
        assertIae(() -> M.item(), "exactly one element", "(2, 3)");
        assertIae(() -> Tensor.zeros(0).item(), "exactly one element", "(0,)");
    }

    @Test
    void elementwiseOpsRejectUnknownCodesAndMismatchedOperands() {
        assertIae(() -> M.unary(16, 0, 0), "unary op", "[0, 15]", "16");
        assertIae(() -> M.unary(-1, 0, 0), "unary op", "-1");
        assertIae(() -> M.clamp(1f, 0f), "min, max", "min <= max", "1.0, 0.0");
        assertIae(() -> M.clamp(Float.NaN, 0f), "min, max", "NaN");
        assertIae(() -> M.binary(14, M), "binary op", "[0, 13]", "14");
        assertIae(() -> M.binary(Binary.ADD, null), "other", "null");
        assertIae(() -> M.add((Tensor) null), "other", "null");
    }

    @Test
    void reductionsRejectBadAxes() {
        assertIae(() -> M.sum(new int[] {2}, false), "axis", "[-2, 1]", "got 2");
        assertIae(() -> M.sum(new int[] {1, -1}, true), "axes", "each axis once", "[1, -1]");
        assertIae(() -> M.sum(null, false), "axes", "null");
        assertIae(() -> M.sum(-3, false), "axis", "-3");
        assertIae(() -> M.max(2, false), "axis", "got 2");
        assertIae(() -> Tensor.scalar(1).max(0, false), "axis", "()");
        assertIae(() -> M.max(1, false).backward(null), "g", "null");
        assertIae(() -> M.max(1, false).backward(Tensor.zeros(3)), "indices, g", "2 entries", "got 2 and 3");
        assertIae(() -> M.sumTo(null), "target", "(2, 3)", "null");
        assertIae(() -> M.sumTo(Shape.of(2)), "target", "broadcasts to (2, 3)", "(2,)");
    }

    @Test
    void movementOpsRejectBadArguments() {
        assertIae(() -> M.reshape(4, 2), "dims", "6 elements", "(2, 3)", "[4, 2]", "8");
        assertIae(() -> M.reshape(-1, -1), "dims", "at most one -1", "[-1, -1]");
        assertIae(() -> M.reshape(-1, 4), "dims", "cannot infer", "[-1, 4]", "6 elements");
        assertIae(() -> M.reshape(3, -2), "dims", "[3, -2]");
        assertIae(() -> M.reshape((int[]) null), "dims", "null");
        assertIae(() -> M.permute(0), "order", "permutation of 2 axes", "[0]");
        assertIae(() -> M.permute(0, 0), "order", "[0, 0]");
        assertIae(() -> M.permute(0, 2), "axis", "got 2");
        assertIae(() -> M.permute((int[]) null), "order", "null");
        assertIae(() -> M.transpose(0, 5), "axis", "got 5");
        assertIae(() -> M.slice(0, 0, 1, 0), "step", "> 0", "got 0");
        assertIae(() -> M.slice(3, 0, 1, 1), "axis", "got 3");
        assertIae(() -> M.expand(4, 3), "target", "(2, 3)", "(4, 3)");
        assertIae(() -> M.expand((int[]) null), "shape", "null");
        assertIae(() -> M.unsqueeze(3), "axis", "[-3, 2]", "got 3");
        assertIae(() -> M.squeeze(0), "axis", "size 1", "size 2", "(2, 3)");
        assertIae(() -> M.pad(1, 0, -2, 0f), "before, after", ">= 0", "0, -2");
        assertIae(() -> M.pad(2, 0, 0, 0f), "axis", "got 2");
        assertIae(() -> M.withSlice(1, 0, 3, 2, Tensor.zeros(2, 3)), "part", "(2, 2)", "(2, 3)");
        assertIae(() -> M.withSlice(1, 0, 3, 1, null), "part", "null");
        assertIae(() -> M.indexSelect(0, new int[] {2}), "indices", "[0, 1]", "got 2", "position 0");
        assertIae(() -> M.indexSelect(0, null), "indices", "null");
        assertIae(() -> M.oneHot(-1), "classes", ">= 1", "-1");
    }

    @Test
    void joinsRejectMissingAndMismatchedParts() {
        assertIae(() -> Tensor.concat(0), "parts", "at least one", "none");
        assertIae(() -> Tensor.concat(0, (Tensor[]) null), "parts", "none");
        assertIae(() -> Tensor.concat(0, (Tensor) null), "parts[0]", "null");
        assertIae(() -> Tensor.concat(0, M, null), "parts[1]", "null");
        assertIae(() -> Tensor.concat(1, M, Tensor.zeros(3, 3)), "parts[1]", "(2, 3)", "axis 1", "(3, 3)");
        assertIae(() -> Tensor.concat(2, M, M), "axis", "got 2");
        assertIae(() -> Tensor.stack(0), "parts", "none");
        assertIae(() -> Tensor.stack(0, M, null), "parts[1]", "null");
        assertIae(() -> Tensor.stack(0, (Tensor) null), "parts[0]", "null");
        assertIae(() -> Tensor.stack(0, M, Tensor.zeros(3, 2)), "parts[1]", "(2, 3)", "(3, 2)");
    }

    @Test
    void indexedMovesRejectBadIndices() {
        assertIae(() -> Tensor.indexAdd(null, 0, new int[0], M), "shape", "null");
        assertIae(() -> Tensor.indexAdd(Shape.of(2, 3), 0, null, M), "indices", "[0, 1]", "null");
        assertIae(() -> Tensor.indexAdd(Shape.of(2, 3), 0, new int[] {0, -1}, M), "indices", "[0, 1]", "-1", "position 1");
        assertIae(() -> Tensor.indexAdd(Shape.of(2, 3), 0, new int[] {0, 1}, null), "source", "null");
        assertIae(() -> Tensor.indexAdd(Shape.of(2, 3), 2, new int[] {0}, M), "axis", "got 2");
        assertIae(() -> Tensor.zeros(3).gatherRows(Tensor.vector(0)), "input", "rank 2", "(3,)");
        assertIae(() -> M.gatherRows(null), "index", "null");
        assertIae(() -> M.gatherRows(Tensor.zeros(1, 1)), "index", "rank 1", "(1, 1)");
        assertIae(() -> M.gatherRows(Tensor.vector(-1)), "index", "[0, 1]", "-1.0", "position 0");
        assertIae(() -> M.gatherRows(Tensor.vector(Float.NaN)), "index", "NaN");
        assertIae(() -> M.scatterAddRows(Tensor.vector(0), 4), "index", "2 row numbers", "(2, 3)", "(1,)");
        assertIae(() -> M.scatterAddRows(null, 4), "index", "null");
        assertIae(() -> M.scatterAddRows(Tensor.vector(0, 4), 4), "index", "[0, 3]", "4.0", "position 1");
        assertIae(() -> M.scatterAddRows(Tensor.vector(0, 1.5f), 4), "index", "1.5");
        assertIae(() -> M.scatterAddRows(Tensor.vector(0, 1), -1), "rows", ">= 0", "-1");
    }

    @Test
    void comparisonHelpersNameTheirArgument() {
        assertIae(() -> M.maxAbsDiff(Tensor.zeros(3, 2)), "other", "(2, 3)", "(3, 2)");
        assertIae(() -> M.maxAbsDiff(null), "other", "null");
        assertIae(() -> M.requireSameShape("logits", Tensor.zeros(2)), "logits", "(2, 3)", "(2,)");
        assertIae(() -> M.requireShape("target", Shape.of(1)), "target", "expected shape (1,)", "got (2, 3)");
        assertFalse(M.allClose(null, 0, 0));
        assertFalse(M.allClose(Tensor.zeros(3, 2), 1, 1));
    }

    /**
     * Random (often wrong) integer arguments for the index-taking entry points: each call returns
     * or throws IllegalArgumentException, never an index error from inside a kernel.
     */
    @Test
    void randomIntegerArgumentsNeverEscapeAsAnotherException() {
        Random r = new Random(5);
        int[] picks = {-100, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 7, 100, Integer.MIN_VALUE, Integer.MAX_VALUE};
        Tensor[] inputs = {Tensor.scalar(1), Tensor.zeros(0), Tensor.arange(5), Tensor.randn(1, 2, 3, 4),
            Tensor.randn(2, 4, 3).transpose(0, 1), Tensor.zeros(2, 0, 3)};
        for (int trial = 0; trial < 20_000; trial++) {
            Tensor t = inputs[r.nextInt(inputs.length)];
            int a = picks[r.nextInt(picks.length)];
            int b = picks[r.nextInt(picks.length)];
            int c = picks[r.nextInt(picks.length)];
            int d = picks[r.nextInt(picks.length)];
            Executable call;
            switch (r.nextInt(18)) {
                case 0: call = () -> t.get(a, b); break;
                case 1: call = () -> t.slice(a, b, c, d); break;
                case 2: call = () -> t.reshape(a, b); break;
                case 3: call = () -> t.permute(a, b, c); break;
                case 4: call = () -> t.transpose(a, b); break;
                case 5: call = () -> t.unsqueeze(a); break;
                case 6: call = () -> t.squeeze(a); break;
                case 7: call = () -> t.pad(a, Math.abs(b % 5), Math.abs(c % 5), 1f); break;
                case 8: call = () -> t.sum(new int[] {a, b}, d > 0); break;
                case 9: call = () -> t.max(a, b > 0); break;
                case 10: call = () -> t.indexSelect(a, new int[] {b, c}); break;
                case 11: call = () -> t.expand(a, b); break;
                case 12: call = () -> t.maxPool2d(a, b, c); break;
                case 13: call = () -> Tensor.concat(a, t, t); break;
                case 14: call = () -> Tensor.stack(a, t, t); break;
                case 15: call = () -> t.withSlice(a, b, c, d, t); break;
                case 16: call = () -> t.oneHot(a); break;
                default: call = () -> Tensor.indexAdd(t.shape(), a, new int[] {b, c}, t); break;
            }
            try {
                call.execute();
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage() != null && expected.getMessage().contains(":"), expected.getMessage());
            } catch (Throwable other) {
                throw new AssertionError("trial " + trial + " on " + t.shape() + " with " + a + ", " + b + ", " + c + ", " + d
                    + " threw " + other, other);
            }
        }
    }
}
