package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.tensor.Ref.assertBits;
import static org.tornagrad.tensor.Ref.assertIae;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Views and copies that move data, against index loops written here. */
class TensorMovementTest {
    static final int[] DIMS = {2, 3, 4};
    static final float[] X = range(24);

    static float[] range(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    static Tensor x() {
        return Tensor.of(X, DIMS);
    }

    /** out[idx] = in[idx permuted back]: axis i of the result is axis order[i] of the input. */
    static float[] permuteReference(float[] in, int[] dims, int[] order) {
        int[] outDims = new int[dims.length];
        for (int i = 0; i < order.length; i++) {
            outDims[i] = dims[order[i]];
        }
        float[] out = new float[in.length];
        for (int o = 0; o < out.length; o++) {
            int[] oi = Ref.unravel(o, outDims);
            int[] ii = new int[dims.length];
            for (int i = 0; i < order.length; i++) {
                ii[order[i]] = oi[i];
            }
            out[o] = in[Ref.ravel(ii, dims)];
        }
        return out;
    }

    @Test
    void reshapeKeepsRowMajorOrderAndInfersOneAxis() {
        assertBits(X, new int[] {6, 4}, x().reshape(6, 4), "(6, 4)");
        assertBits(X, new int[] {4, 6}, x().reshape(4, -1), "(4, -1)");
        assertBits(X, new int[] {24}, x().reshape(-1), "(-1,)");
        assertBits(new float[] {5}, new int[] {}, Tensor.vector(5).reshape(), "to a scalar");
        assertBits(new float[] {}, new int[] {3, 0}, Tensor.zeros(0, 3).reshape(3, 0), "zero-size");
        // A non-contiguous view is reshaped in its own row-major order.
        Tensor t = x().transpose(0, 2);
        assertFalse(t.isContiguous());
        assertBits(permuteReference(X, DIMS, new int[] {2, 1, 0}), new int[] {4, 6}, t.reshape(4, 6), "transposed");
    }

    @Test
    void anAxisOfLengthOneDoesNotBreakContiguity() {
        // (2, 1, 12) with its length-1 axis moved last: the same row-major order, as PyTorch's
        // is_contiguous says, so neither a reshape nor the buffer access copies.
        Tensor one = Tensor.of(X, 2, 1, 12);
        Tensor moved = one.permute(0, 2, 1);
        assertTrue(moved.isContiguous());
        assertTrue(moved.bufferOrNull() == one.bufferOrNull(), "the moved view shares the array");
        assertBits(permuteReference(X, new int[] {2, 1, 12}, new int[] {0, 2, 1}), new int[] {2, 12, 1}, moved,
            "(2, 12, 1)");
        assertBits(X, new int[] {24}, moved.reshape(-1), "reshaped");
        // A length-2 axis moved the same way is still a strided view.
        Tensor two = Tensor.of(X, 2, 2, 6).permute(0, 2, 1);
        assertFalse(two.isContiguous());
        assertTrue(two.bufferOrNull() == null, "a strided view has no row-major buffer");
    }

    @Test
    void permuteAndTransposeReorderAxes() {
        for (int[] order : new int[][] {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}, {2, 1, 0}, {-1, 0, 1}}) {
            int[] pos = order.clone();
            for (int i = 0; i < 3; i++) {
                pos[i] = pos[i] < 0 ? pos[i] + 3 : pos[i];
            }
            int[] outDims = {DIMS[pos[0]], DIMS[pos[1]], DIMS[pos[2]]};
            assertBits(permuteReference(X, DIMS, pos), outDims, x().permute(order), Arrays.toString(order));
        }
        assertBits(permuteReference(X, DIMS, new int[] {0, 2, 1}), new int[] {2, 4, 3}, x().transpose(1, 2), "transpose(1, 2)");
        assertBits(permuteReference(X, DIMS, new int[] {0, 2, 1}), new int[] {2, 4, 3}, x().transpose(-1, -2), "transpose(-1, -2)");
        assertEquals(11f, x().permute(2, 0, 1).get(3, 0, 2), "x[0][2][3]");
    }

    /** Python's range(len)[start:stop:step], step > 0. */
    static List<Integer> pySlice(int len, int start, int stop, int step) {
        int from = start < 0 ? Math.max(0, start + len) : Math.min(start, len);
        int to = stop < 0 ? Math.max(0, stop + len) : Math.min(stop, len);
        List<Integer> out = new ArrayList<>();
        for (long i = from; i < to; i += step) {
            out.add((int) i);
        }
        return out;
    }

    @Test
    void sliceFollowsPythonSemanticsWithStepsAndNegativeIndices() {
        int n = 10;
        Tensor v = Tensor.vector(range(n));
        int[][] cases = {{0, 10, 1}, {2, 9, 3}, {-8, -1, 3}, {-100, 100, 1}, {5, 2, 1}, {3, 3, 1}, {0, 10, 100},
            {9, 10, 2}, {-1, 10, 1}, {Integer.MIN_VALUE, Integer.MAX_VALUE, 4}, {1, 10, Integer.MAX_VALUE}, {-3, -100, 1}};
        for (int[] c : cases) {
            List<Integer> want = pySlice(n, c[0], c[1], c[2]);
            float[] w = new float[want.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = want.get(i);
            }
            assertBits(w, new int[] {w.length}, v.slice(0, c[0], c[1], c[2]), Arrays.toString(c));
        }
        // Along a middle axis of a 3-d tensor, then sliced again (a view of a view).
        Tensor s = x().slice(2, 1, 4, 2).slice(1, -2, 3, 1);
        float[] want = new float[2 * 2 * 2];
        int k = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 1; j < 3; j++) {
                for (int l = 1; l < 4; l += 2) {
                    want[k++] = X[(i * 3 + j) * 4 + l];
                }
            }
        }
        assertBits(want, new int[] {2, 2, 2}, s, "slice of a slice");
        assertIae(() -> v.slice(0, 0, 5, 0), "step", "> 0", "0");
        assertIae(() -> v.slice(0, 5, 0, -1), "step", "-1");
        assertIae(() -> v.slice(1, 0, 5, 1), "axis", "[-1, 0]", "1");
    }

    @Test
    void withSliceReplacesExactlyTheSlicedElements() {
        Tensor base = Tensor.vector(range(10));
        Tensor out = base.withSlice(0, 1, 8, 3, Tensor.vector(-1, -2, -3));
        assertBits(new float[] {0, -1, 2, 3, -2, 5, 6, -3, 8, 9}, new int[] {10}, out, "positions 1, 4, 7");
        assertBits(range(10), base, "the original is unchanged");
        assertIae(() -> base.withSlice(0, 1, 8, 3, Tensor.vector(1, 2)), "part", "(3,)", "(2,)");
    }

    @Test
    void expandRepeatsSizeOneAxesAndAddsLeadingAxes() {
        Tensor c = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        float[] want = new float[2 * 3 * 4];
        for (int i = 0; i < want.length; i++) {
            want[i] = 1 + Ref.unravel(i, new int[] {2, 3, 4})[1];
        }
        assertBits(want, new int[] {2, 3, 4}, c.expand(2, 3, 4), "(3,1) -> (2,3,4)");
        assertBits(new float[] {7, 7, 7}, new int[] {3}, Tensor.scalar(7).expand(3), "() -> (3,)");
        assertBits(new float[] {}, new int[] {0, 1}, c.slice(0, 0, 0, 1).expand(0, 1), "zero-size");
        assertIae(() -> c.expand(3, 2, 4), "target", "(3, 1)", "(3, 2, 4)");
        assertIae(() -> c.expand(4), "target", "(4,)");
    }

    @Test
    void unsqueezeAndSqueezeInsertAndRemoveUnitAxes() {
        assertEquals(Shape.of(1, 2, 3, 4), x().unsqueeze(0).shape());
        assertEquals(Shape.of(2, 3, 4, 1), x().unsqueeze(-1).shape());
        assertEquals(Shape.of(2, 1, 3, 4), x().unsqueeze(1).shape());
        assertEquals(Shape.of(2, 3, 1, 4), x().unsqueeze(-2).shape());
        assertBits(X, new int[] {2, 3, 1, 4}, x().unsqueeze(2), "values unchanged");
        assertBits(X, DIMS, x().unsqueeze(2).squeeze(2), "round trip");
        assertBits(X, DIMS, x().unsqueeze(3).squeeze(-1), "negative squeeze");
        assertEquals(Shape.scalar(), Tensor.vector(3).squeeze(0).shape());
        assertIae(() -> x().unsqueeze(4), "axis", "[-4, 3]", "4");
        assertIae(() -> x().unsqueeze(-5), "axis", "-5");
        assertIae(() -> x().squeeze(1), "axis", "size 1", "size 3");
    }

    @Test
    void padAddsConstantValuesOnEitherSideOfOneAxis() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertBits(new float[] {9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9, 9}, new int[] {2, 6}, m.pad(1, 1, 2, 9), "axis 1");
        assertBits(new float[] {0, 0, 0, 1, 2, 3, 4, 5, 6}, new int[] {3, 3}, m.pad(-2, 1, 0, 0), "axis -2");
        assertBits(new float[] {-1, -1}, new int[] {2, 1}, Tensor.zeros(2, 0).pad(1, 0, 1, -1), "pad an empty axis");
        assertBits(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, m.pad(0, 0, 0, 5), "no padding");
        assertIae(() -> m.pad(0, -1, 0, 0), "before, after", ">= 0", "-1");
    }

    @Test
    void concatJoinsAlongAnAxisIncludingViewsAndEmptyParts() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {5, 6, 7, 8, 9, 10}, 2, 3);
        assertBits(new float[] {1, 2, 5, 6, 7, 3, 4, 8, 9, 10}, new int[] {2, 5}, Tensor.concat(1, a, b), "axis 1");
        assertBits(new float[] {1, 2, 5, 6, 7, 3, 4, 8, 9, 10}, new int[] {2, 5}, Tensor.concat(-1, a, Tensor.zeros(2, 0), b), "with an empty part");
        Tensor bt = Tensor.of(new float[] {5, 8, 6, 9, 7, 10}, 3, 2).transpose(0, 1);
        assertBits(new float[] {5, 6, 7, 1, 2, 8, 9, 10, 3, 4}, new int[] {2, 5}, Tensor.concat(1, bt, a), "a transposed part");
        assertBits(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, new int[] {4, 2}, Tensor.concat(0, a, a), "axis 0");
        // Many parts along a middle axis, against an index loop.
        Tensor[] parts = new Tensor[5];
        int total = 0;
        for (int p = 0; p < parts.length; p++) {
            parts[p] = Tensor.of(Ref.ints(p, 2 * (p + 1) * 3), 2, p + 1, 3);
            total += p + 1;
        }
        float[] want = new float[2 * total * 3];
        for (int i = 0; i < 2; i++) {
            int at = 0;
            for (Tensor p : parts) {
                for (int j = 0; j < p.dim(1); j++) {
                    for (int k = 0; k < 3; k++) {
                        want[(i * total + at + j) * 3 + k] = p.get(i, j, k);
                    }
                }
                at += p.dim(1);
            }
        }
        assertBits(want, new int[] {2, total, 3}, Tensor.concat(1, parts), "five parts on axis 1");
        assertIae(() -> Tensor.concat(0, a, b), "parts[1]", "(2, 2)", "(2, 3)");
        assertIae(() -> Tensor.concat(0, a, Tensor.zeros(2)), "parts[1]", "rank 2", "(2,)");
    }

    @Test
    void stackAddsANewAxis() {
        Tensor a = Tensor.vector(1, 2, 3);
        Tensor b = Tensor.vector(4, 5, 6);
        assertBits(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, Tensor.stack(0, a, b), "axis 0");
        assertBits(new float[] {1, 4, 2, 5, 3, 6}, new int[] {3, 2}, Tensor.stack(1, a, b), "axis 1");
        assertBits(new float[] {1, 4, 2, 5, 3, 6}, new int[] {3, 2}, Tensor.stack(-1, a, b), "axis -1");
        assertBits(new float[] {7, 8}, new int[] {2}, Tensor.stack(0, Tensor.scalar(7), Tensor.scalar(8)), "scalars");
        assertIae(() -> Tensor.stack(0, a, Tensor.vector(1, 2)), "parts[1]", "(3,)", "(2,)");
        assertIae(() -> Tensor.stack(2, a, b), "axis", "2");
    }

    @Test
    void indexSelectPicksEntriesInOrderWithRepeats() {
        int[] idx = {2, 0, 2, 1};
        Tensor s = x().indexSelect(1, idx);
        float[] want = new float[2 * 4 * 4];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < idx.length; j++) {
                for (int k = 0; k < 4; k++) {
                    want[(i * 4 + j) * 4 + k] = X[(i * 3 + idx[j]) * 4 + k];
                }
            }
        }
        assertBits(want, new int[] {2, 4, 4}, s, "axis 1");
        assertBits(new float[] {3, 0}, new int[] {2}, Tensor.vector(0, 1, 2, 3).indexSelect(0, new int[] {3, 0}), "1-d");
        assertEquals(Shape.of(2, 0, 4), x().indexSelect(1, new int[0]).shape());
        assertIae(() -> x().indexSelect(1, new int[] {0, 3}), "indices", "[0, 2]", "3", "position 1");
        assertIae(() -> x().indexSelect(1, new int[] {-1}), "indices", "-1");
    }

    @Test
    void indexAddAccumulatesRepeatedIndices() {
        Shape shape = Shape.of(2, 4, 3);
        int[] idx = {1, 3, 1};
        Tensor src = Tensor.of(Ref.ints(9, 2 * 3 * 3), 2, 3, 3);
        float[] want = new float[shape.size()];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < idx.length; j++) {
                for (int k = 0; k < 3; k++) {
                    want[(i * 4 + idx[j]) * 3 + k] += src.get(i, j, k);
                }
            }
        }
        assertBits(want, new int[] {2, 4, 3}, Tensor.indexAdd(shape, 1, idx, src), "axis 1 with a repeat");
        assertIae(() -> Tensor.indexAdd(shape, 1, new int[] {1, 4, 0}, src), "indices", "[0, 3]", "4", "position 1");
        assertIae(() -> Tensor.indexAdd(shape, 1, new int[] {1, 0}, src), "source", "(2, 2, 3)", "(2, 3, 3)");
    }

    @Test
    void gatherRowsAndScatterAddRowsAreInverseMoves() {
        Tensor m = Tensor.of(range(12), 4, 3);
        Tensor idx = Tensor.vector(3, 0, 3);
        assertBits(new float[] {9, 10, 11, 0, 1, 2, 9, 10, 11}, new int[] {3, 3}, m.gatherRows(idx), "rows 3, 0, 3");
        Tensor g = Tensor.of(range(9), 3, 3);
        assertBits(new float[] {3, 4, 5, 0, 0, 0, 0, 0, 0, 6, 8, 10}, new int[] {4, 3}, g.scatterAddRows(idx, 4), "row 3 twice");
        assertIae(() -> m.gatherRows(Tensor.vector(4)), "index", "[0, 3]", "4");
        assertIae(() -> m.gatherRows(Tensor.vector(0.5f)), "index", "0.5");
    }

    @Test
    void oneHotAddsAClassAxis() {
        Tensor labels = Tensor.of(new float[] {2, 0, 1, 2}, 2, 2);
        float[] want = new float[12];
        float[] l = labels.toArray();
        for (int i = 0; i < 4; i++) {
            want[i * 3 + (int) l[i]] = 1;
        }
        assertBits(want, new int[] {2, 2, 3}, labels.oneHot(3), "(2,2) -> (2,2,3)");
        assertBits(new float[] {0, 1}, new int[] {2}, Tensor.scalar(1).oneHot(2), "scalar");
        assertIae(() -> labels.oneHot(2), "labels", "[0, 1]", "2.0", "position 0");
        assertIae(() -> Tensor.vector(0.5f).oneHot(2), "labels", "0.5");
        assertIae(() -> Tensor.vector(-1f).oneHot(2), "labels", "-1.0");
        assertIae(() -> Tensor.vector(Float.NaN).oneHot(2), "labels", "NaN");
        assertIae(() -> labels.oneHot(0), "classes", ">= 1", "0");
        assertIae(() -> Tensor.vector(0, 1).oneHot(Integer.MAX_VALUE), "shape");
    }

    @Test
    void viewsAndCopiesReportContiguity() {
        assertTrue(x().isContiguous());
        assertFalse(x().transpose(0, 1).isContiguous());
        assertTrue(x().transpose(0, 1).contiguous().isContiguous());
        assertFalse(x().expand(2, 2, 3, 4).isContiguous());
        assertBits(permuteReference(X, DIMS, new int[] {1, 0, 2}), new int[] {3, 2, 4}, x().transpose(0, 1).contiguous(), "copy");
    }
}
