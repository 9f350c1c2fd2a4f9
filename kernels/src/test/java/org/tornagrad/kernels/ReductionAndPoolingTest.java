package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shared summation order, arg-max and pooling window bodies against references written here. */
class ReductionAndPoolingTest {

    /** The documented order: blocks of BLOCK summed left to right in double, block sums added in order. */
    static float blockOrderedSum(float[] x, int offset, int n) {
        double total = 0;
        for (int start = 0; start < n; start += Reduction.BLOCK) {
            double block = 0;
            for (int i = start; i < Math.min(n, start + Reduction.BLOCK); i++) {
                block += x[offset + i];
            }
            total += block;
        }
        return (float) total;
    }

    @Test
    void rowSumAddsFixedBlocksInDoubleInBlockOrder() {
        Random r = new Random(7);
        float[] x = new float[200_003 + 11];
        for (int i = 0; i < x.length; i++) {
            // Wide dynamic range, so that a different order or float accumulation changes the bits.
            x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        }
        for (int n : new int[] {0, 1, Reduction.BLOCK - 1, Reduction.BLOCK, Reduction.BLOCK + 1, 200_003}) {
            assertEquals(Float.floatToIntBits(blockOrderedSum(x, 11, n)), Float.floatToIntBits(Reduction.rowSum(x, 11, n)),
                "n = " + n);
        }
        assertEquals(13, Reduction.blocks(200_003));
        assertEquals(0, Reduction.blocks(0));
        assertEquals(1, Reduction.blocks(Reduction.BLOCK));
    }

    @Test
    void rowSumIsNotAFloatAccumulation() {
        // 2^24 + 1 + 1 + ... : in float every +1 is lost, in double it is kept.
        float[] x = new float[1001];
        x[0] = 16777216f;
        java.util.Arrays.fill(x, 1, x.length, 1f);
        assertEquals(16777216f + 1000f, Reduction.rowSum(x, 0, x.length));
    }

    @Test
    void rowArgMaxTakesTheFirstOfTiesAndTheFirstNaN() {
        assertEquals(1, Reduction.rowArgMax(new float[] {1f, 5f, 5f, 2f}, 0, 4));
        assertEquals(2, Reduction.rowArgMax(new float[] {9f, 1f, 5f, 5f, 2f}, 1, 4) + 1);
        assertEquals(1, Reduction.rowArgMax(new float[] {1f, Float.NaN, Float.NaN, 0f}, 0, 4), "torch.max gives index 1");
        assertEquals(0, Reduction.rowArgMax(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, 2));
        assertEquals(3, Reduction.rowArgMax(new float[] {1f, 2f, 3f, Float.NaN, Float.POSITIVE_INFINITY}, 0, 5));
        assertEquals(0, Reduction.rowArgMax(new float[] {7f}, 0, 1));
    }

    @Test
    void poolOutputSizeIsFloorDivisionAndZeroWhenTheWindowDoesNotFit() {
        assertEquals(3, Pooling.outputSize(5, 3, 2, 1));
        assertEquals(2, Pooling.outputSize(4, 2, 2, 0));
        assertEquals(2, Pooling.outputSize(5, 2, 2, 0), "floor((5 - 2) / 2) + 1");
        assertEquals(1, Pooling.outputSize(1, 1, 1, 0));
        assertEquals(0, Pooling.outputSize(2, 3, 2, 0), "PyTorch: output size is too small, not 1");
        assertEquals(0, Pooling.outputSize(1, 3, 1, 0));
    }

    @Test
    void windowArgMaxIgnoresPaddingTakesTheFirstTieInRowMajorOrderAndTheLastNaN() {
        // A 3x3 plane at offset 2, all negative:
        //   -5 -4 -3
        //   -4 -3 -9
        //   -8 -7 -3
        float[] x = {99f, 99f, -5f, -4f, -3f, -4f, -3f, -9f, -8f, -7f, -3f};
        // Kernel 3, padding 1, window at (0, 0) covers rows/columns -1..1: a zero pad would win; -inf padding does not.
        assertEquals(4, Pooling.windowArgMax(x, 2, 3, 3, 0, 0, 3, 1, 1));
        // Kernel 2 at (1, 1): -3 at (1, 1) and (2, 2) tie; the first in row-major order wins.
        assertEquals(4, Pooling.windowArgMax(x, 2, 3, 3, 1, 1, 2, 1, 0));
        // Stride 2, padding 1, window (1, 1) covers rows/columns 1..3: -3 (1, 1) and -3 (2, 2) again -> (1, 1).
        assertEquals(4, Pooling.windowArgMax(x, 2, 3, 3, 1, 1, 3, 2, 1));
        // Window (0, 1) with stride 2, padding 1: rows -1..1, columns 1..3 -> -4, -3 (0, 2), -3 (1, 1) -> (0, 2).
        assertEquals(2, Pooling.windowArgMax(x, 2, 3, 3, 0, 1, 3, 2, 1));
        float[] ties = {1f, 2f, 2f, 2f};
        assertEquals(1, Pooling.windowArgMax(ties, 0, 2, 2, 0, 0, 2, 2, 0), "first 2 in row-major order");
        float[] nans = {Float.NaN, 1f, Float.NaN, 0f};
        assertEquals(2, Pooling.windowArgMax(nans, 0, 2, 2, 0, 0, 2, 2, 0), "PyTorch's CPU kernel keeps the last NaN");
    }

    @Test
    void gatheredGradientIsTheScattersSumBitForBit() {
        Random r = new Random(11);
        int[][] cases = { // h, w, kernel, stride, padding
            {7, 9, 3, 1, 1}, {8, 8, 5, 1, 2}, {9, 7, 3, 2, 1}, {10, 11, 4, 3, 2}, {5, 6, 2, 2, 0}, {4, 4, 7, 1, 3},
            {1, 5, 1, 1, 0}, {6, 6, 3, 3, 0}};
        for (int[] c : cases) {
            int h = c[0], w = c[1], k = c[2], stride = c[3], pad = c[4];
            int outH = Pooling.outputSize(h, k, stride, pad);
            int outW = Pooling.outputSize(w, k, stride, pad);
            int planes = 2;
            float[] x = new float[planes * h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(10) == 0 ? Float.NaN : r.nextInt(4);   // ties and NaN, so winners repeat
            }
            float[] g = new float[planes * outH * outW];
            int[] argmax = new int[g.length];
            for (int o = 0; o < g.length; o++) {
                g[o] = r.nextInt(8) == 0 ? -0f : (float) r.nextGaussian() * 1e3f;
                int plane = o / (outH * outW);
                int oy = o % (outH * outW) / outW;
                argmax[o] = Pooling.windowArgMax(x, plane * h * w, h, w, oy, o % outW, k, stride, pad);
            }
            // The scatter, plane by plane in output order, written here.
            float[] want = new float[x.length];
            for (int o = 0; o < g.length; o++) {
                want[o / (outH * outW) * h * w + argmax[o]] += g[o];
            }
            for (int i = 0; i < x.length; i++) {
                int plane = i / (h * w);
                int y = i % (h * w) / w;
                float got = Pooling.gatheredGradient(g, argmax, plane * outH * outW, w, outH, outW, k, stride, pad, y, i % w);
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got),
                    java.util.Arrays.toString(c) + " pixel " + i + ": expected " + want[i] + ", got " + got);
            }
        }
    }
}
