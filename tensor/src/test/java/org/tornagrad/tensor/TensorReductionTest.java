package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.tensor.Ref.assertBits;
import static org.tornagrad.tensor.Ref.assertIae;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Reduction;

/** sum / max / sumTo / mean against loops written here over explicit indices. */
class TensorReductionTest {

    /** Sum over the axes flagged in {@code reduced}, by scattering every element into its output cell (in double). */
    static float[] sumReference(float[] x, int[] dims, boolean[] reduced) {
        int[] outDims = new int[dims.length];
        for (int d = 0; d < dims.length; d++) {
            outDims[d] = reduced[d] ? 1 : dims[d];
        }
        double[] acc = new double[Ref.size(outDims)];
        for (int i = 0; i < x.length; i++) {
            int[] idx = Ref.unravel(i, dims);
            for (int d = 0; d < dims.length; d++) {
                if (reduced[d]) {
                    idx[d] = 0;
                }
            }
            acc[Ref.ravel(idx, outDims)] += x[i];
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            out[i] = (float) acc[i];
        }
        return out;
    }

    @Test
    void sumOverEveryElementIsAScalar() {
        Tensor t = Tensor.of(Ref.ints(1, 60), 3, 4, 5);
        double want = 0;
        for (float v : t.toArray()) {
            want += v;
        }
        Tensor s = t.sum();
        assertEquals(0, s.rank());
        assertEquals((float) want, s.item());
        assertEquals(0f, Tensor.zeros(0, 4).sum().item());
        assertEquals(7f, Tensor.scalar(7f).sum().item());
    }

    @Test
    void sumOverChosenAxesWithAndWithoutKeepDims() {
        int[] dims = {2, 3, 4, 5};
        float[] x = Ref.ints(2, 120);
        Tensor t = Tensor.of(x, dims);
        int[][] axesCases = {{0}, {1}, {3}, {-1}, {0, 2}, {2, 0}, {1, 3}, {-3, -2}, {0, 1, 2, 3}, {}};
        for (int[] axes : axesCases) {
            boolean[] reduced = new boolean[4];
            for (int a : axes) {
                reduced[a < 0 ? a + 4 : a] = true;
            }
            float[] want = sumReference(x, dims, reduced);
            int[] keep = new int[4];
            int kept = 0;
            int[] dropped = new int[4];
            for (int d = 0; d < 4; d++) {
                keep[d] = reduced[d] ? 1 : dims[d];
                if (!reduced[d]) {
                    dropped[kept++] = dims[d];
                }
            }
            assertBits(want, keep, t.sum(axes, true), "keepDims " + Arrays.toString(axes));
            assertBits(want, Arrays.copyOf(dropped, kept), t.sum(axes, false), "drop " + Arrays.toString(axes));
        }
        // On a permuted view the axes are the view's.
        Tensor v = t.permute(3, 1, 0, 2);
        assertBits(sumReference(v.toArray(), new int[] {5, 3, 2, 4}, new boolean[] {true, false, false, true}),
            new int[] {3, 2}, v.sum(new int[] {0, 3}, false), "permuted view");
        assertBits(sumReference(x, dims, new boolean[] {false, true, false, false}), new int[] {2, 4, 5}, t.sum(1, false), "sum(int)");
    }

    @Test
    void sumOverAZeroSizeAxisGivesZerosOfTheKeptShape() {
        assertBits(new float[] {0, 0, 0}, new int[] {3}, Tensor.zeros(0, 3).sum(0, false), "sum over the empty axis");
        assertBits(new float[] {}, new int[] {0}, Tensor.zeros(0, 3).sum(1, false), "sum with an empty kept axis");
        assertBits(new float[] {0, 0, 0}, new int[] {1, 3}, Tensor.zeros(0, 3).sum(0, true), "keepDims");
    }

    @Test
    void largeSumsUseTheSharedBlockOrder() {
        int n = 3 * Reduction.BLOCK + 11;
        float[] x = Ref.random(3, n);
        for (int i = 0; i < n; i += 7) {
            x[i] *= 1e6f;
        }
        double total = 0;
        for (int b = 0; b < n; b += Reduction.BLOCK) {
            double block = 0;
            for (int i = b; i < Math.min(n, b + Reduction.BLOCK); i++) {
                block += x[i];
            }
            total += block;
        }
        assertEquals(Float.floatToIntBits((float) total), Float.floatToIntBits(Tensor.vector(x).sum().item()));
    }

    @Test
    void meanIsSumTimesOneOverN() {
        assertEquals(2.5f, Tensor.vector(1, 2, 3, 4).mean().item());
        assertEquals(10 * (1.0f / 3), Tensor.vector(1, 4, 5).mean().item());
        assertIae(() -> Tensor.zeros(0).mean(), "at least one element", "(0,)");
    }

    @Test
    void maxGivesTheValueAndTheFirstIndexOnTies() {
        Tensor t = Tensor.of(new float[] {
            3, 1, 3, 2,
            3, 5, 5, -1,
            -2, -2, -2, -2}, 3, 4);
        Tensor.MaxResult rows = t.max(1, false);
        assertBits(new float[] {3, 5, -2}, new int[] {3}, rows.values(), "row max");
        assertArrayEquals(new int[] {0, 1, 0}, rows.indices());
        Tensor.MaxResult cols = t.max(0, true);
        assertBits(new float[] {3, 5, 5, 2}, new int[] {1, 4}, cols.values(), "column max keepDims");
        assertArrayEquals(new int[] {0, 1, 1, 0}, cols.indices(), "column 0 ties 3 = 3: the first row wins");
        assertArrayEquals(new int[] {0, 1, 1, 0}, t.max(-2, false).indices());
    }

    @Test
    void maxPropagatesNaNAndPointsAtTheFirstNaN() {
        Tensor t = Tensor.vector(1f, Float.NaN, 7f, Float.NaN);
        Tensor.MaxResult m = t.max(0, false);
        assertTrue(Float.isNaN(m.values().item()));
        assertArrayEquals(new int[] {1}, m.indices(), "torch.max returns the first NaN");
        assertTrue(Float.isNaN(t.maxValue()));
        assertEquals(7f, Tensor.vector(-1f, 7f, Float.NEGATIVE_INFINITY).maxValue());
    }

    @Test
    void maxOfA3dTensorAlongEachAxisMatchesALoop() {
        int[] dims = {3, 4, 5};
        float[] x = Ref.ints(4, 60);
        Tensor t = Tensor.of(x, dims);
        for (int axis = 0; axis < 3; axis++) {
            int[] outDims = dims.clone();
            outDims[axis] = 1;
            float[] want = new float[Ref.size(outDims)];
            int[] wantIdx = new int[want.length];
            Arrays.fill(want, Float.NEGATIVE_INFINITY);
            Arrays.fill(wantIdx, -1);
            for (int i = 0; i < x.length; i++) {
                int[] idx = Ref.unravel(i, dims);
                int along = idx[axis];
                idx[axis] = 0;
                int o = Ref.ravel(idx, outDims);
                if (wantIdx[o] < 0 || x[i] > want[o]) {
                    want[o] = x[i];
                    wantIdx[o] = along;
                }
            }
            Tensor.MaxResult m = t.max(axis, true);
            assertBits(want, outDims, m.values(), "axis " + axis);
            assertArrayEquals(wantIdx, m.indices(), "axis " + axis);
            // The backward puts g at each arg-max and 0 elsewhere.
            Tensor g = Tensor.of(Ref.ints(5 + axis, want.length), outDims);
            float[] gv = g.toArray();
            float[] wantGrad = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                int[] idx = Ref.unravel(i, dims);
                int along = idx[axis];
                idx[axis] = 0;
                int o = Ref.ravel(idx, outDims);
                wantGrad[i] = along == wantIdx[o] ? gv[o] : 0f;
            }
            assertBits(wantGrad, dims, m.backward(g), "max backward axis " + axis);
        }
    }

    @Test
    void maxOverAnEmptyAxisIsRejected() {
        assertIae(() -> Tensor.zeros(2, 0).max(1, false), "axis", "non-empty", "(2, 0)");
        assertIae(() -> Tensor.zeros(0).maxValue(), "at least one element", "(0,)");
        assertEquals(Shape.of(0), Tensor.zeros(0, 3).max(1, false).values().shape());
    }

    @Test
    void sumToReducesBroadcastAxesBackToTheTarget() {
        int[] dims = {2, 3, 4};
        float[] x = Ref.ints(6, 24);
        Tensor t = Tensor.of(x, dims);
        assertBits(sumReference(x, dims, new boolean[] {true, false, true}), new int[] {3, 1}, t.sumTo(Shape.of(3, 1)), "(3, 1)");
        assertBits(sumReference(x, dims, new boolean[] {true, true, false}), new int[] {4}, t.sumTo(Shape.of(4)), "(4,)");
        assertBits(sumReference(x, dims, new boolean[] {true, true, true}), new int[] {}, t.sumTo(Shape.scalar()), "()");
        assertBits(sumReference(x, dims, new boolean[] {true, true, false}), new int[] {1, 1, 4}, t.sumTo(Shape.of(1, 1, 4)), "(1,1,4)");
        assertBits(x, dims, t.sumTo(Shape.of(2, 3, 4)), "same shape");
        assertBits(new float[] {0, 0, 0}, new int[] {1, 3}, Tensor.zeros(0, 3).sumTo(Shape.of(1, 3)), "zero-size");
        assertIae(() -> t.sumTo(Shape.of(3)), "target", "(2, 3, 4)", "(3,)");
        assertIae(() -> t.sumTo(Shape.of(5, 2, 3, 4)), "target", "(5, 2, 3, 4)");
    }
}
