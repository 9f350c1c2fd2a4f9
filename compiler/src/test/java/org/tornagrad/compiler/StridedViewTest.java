package org.tornagrad.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * StridedView against the definition: position i of the view is {@code offset + Σ index[d] *
 * strides[d]} with {@code index} the row-major multi-index of i. Views made of permutations,
 * broadcasts (stride 0), steps, axes of length 1 and mergeable neighbours, read and written in
 * ranges that start and end anywhere (as tiles do).
 */
class StridedViewTest {

    /** The buffer position of each view position, from the definition. */
    private static int[] positions(int[] shape, int[] strides, int offset) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int[] at = new int[n];
        for (int i = 0; i < n; i++) {
            int rest = i;
            int p = offset;
            for (int d = shape.length - 1; d >= 0; d--) {
                p += (rest % shape[d]) * strides[d];
                rest /= shape[d];
            }
            at[i] = p;
        }
        return at;
    }

    /** The largest buffer position a view touches (its offset when it is empty). */
    private static int lastPosition(int[] positions, int offset) {
        int max = offset;
        for (int p : positions) {
            max = Math.max(max, p);
        }
        return max;
    }

    /** A random view over a buffer: a permuted, possibly broadcast and stepped layout. */
    private static int[][] randomView(Random r) {
        int rank = r.nextInt(5);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(r.nextBoolean() ? 5 : 40);
        }
        // Strides of a contiguous array of a permutation of the shape, then some broadcast or stepped.
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        for (int d = rank - 1; d > 0; d--) {
            int k = r.nextInt(d + 1);
            int tmp = order[d];
            order[d] = order[k];
            order[k] = tmp;
        }
        int[] strides = new int[rank];
        int step = 1 + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
        for (int d = rank - 1; d >= 0; d--) {
            int axis = order[d];
            strides[axis] = r.nextInt(5) == 0 ? 0 : step;
            step *= shape[axis];
        }
        return new int[][] {shape, strides, {r.nextInt(7)}};
    }

    @Test
    void gatherReadsEveryRangeOfRandomViewsAsTheDefinitionSays() {
        Random r = new Random(11);
        for (int trial = 0; trial < 3000; trial++) {
            int[][] v = randomView(r);
            int[] at = positions(v[0], v[1], v[2][0]);
            float[] src = new float[lastPosition(at, v[2][0]) + 1];
            for (int i = 0; i < src.length; i++) {
                src[i] = i + 0.5f;
            }
            StridedView view = new StridedView(v[0], v[1], v[2][0]);
            assertEquals(at.length, view.size);
            int from = at.length == 0 ? 0 : r.nextInt(at.length);
            int n = at.length - from == 0 ? 0 : r.nextInt(at.length - from + 1);
            int oo = r.nextInt(3);
            float[] out = new float[oo + n + 2];
            java.util.Arrays.fill(out, -1f);
            view.gather(src, from, n, out, oo, new int[Math.max(1, view.rank())]);
            float[] expected = new float[out.length];
            java.util.Arrays.fill(expected, -1f);
            for (int i = 0; i < n; i++) {
                expected[oo + i] = src[at[from + i]];
            }
            assertArrayEquals(expected, out, () -> "view " + java.util.Arrays.toString(v[0]) + " strides "
                + java.util.Arrays.toString(v[1]) + " offset " + v[2][0]);
        }
    }

    @Test
    void scatterWritesEveryRangeOfRandomViewsAsTheDefinitionSays() {
        Random r = new Random(12);
        for (int trial = 0; trial < 3000; trial++) {
            int[][] v = randomView(r);
            int[] at = positions(v[0], v[1], v[2][0]);
            int max = lastPosition(at, v[2][0]);
            StridedView view = new StridedView(v[0], v[1], v[2][0]);
            int from = at.length == 0 ? 0 : r.nextInt(at.length);
            int n = at.length - from == 0 ? 0 : r.nextInt(at.length - from + 1);
            int so = r.nextInt(3);
            float[] src = new float[so + n];
            for (int i = 0; i < src.length; i++) {
                src[i] = i + 0.25f;
            }
            float[] dst = new float[max + 1];
            float[] expected = new float[max + 1];
            view.scatter(src, so, from, n, dst, new int[Math.max(1, view.rank())]);
            for (int i = 0; i < n; i++) {
                expected[at[from + i]] = src[so + i]; // in order: where a broadcast repeats a position, the last write stays
            }
            assertArrayEquals(expected, dst, () -> "view " + java.util.Arrays.toString(v[0]) + " strides "
                + java.util.Arrays.toString(v[1]) + " offset " + v[2][0]);
        }
    }

    @Test
    void aChannelsLastViewOfAnNchwTensorIsGatheredByBlocksAndStaysExact() {
        // (N, C, H, W) = (2, 4, 3, 5) read as (N, H, W, C): the softmax-over-channels layout.
        int[] shape = {2, 3, 5, 4};
        int[] strides = {60, 5, 1, 15};
        int[] at = positions(shape, strides, 0);
        float[] src = new float[120];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        StridedView view = new StridedView(shape, strides, 0);
        assertEquals(3, view.rank(), "H and W merge into one axis of 15");
        for (int from = 0; from < 120; from += 7) {
            for (int n = 0; from + n <= 120; n += 13) {
                float[] out = new float[n];
                view.gather(src, from, n, out, 0, new int[3]);
                for (int i = 0; i < n; i++) {
                    assertEquals(src[at[from + i]], out[i], "position " + (from + i));
                }
            }
        }
    }
}
