package org.tornagrad.kernels;

/**
 * The summation order every backend shares, so that a sum gives the same bits on any backend and
 * with any number of threads: a row is cut into fixed blocks of {@link #BLOCK} elements, each
 * block is summed left to right in double, and the block sums are added left to right in double.
 * A multi-core backend may compute the blocks in parallel; it must combine them in block order.
 */
public final class Reduction {
    /** Elements per block: large enough to amortise a task, small enough to split 512x512 images. */
    public static final int BLOCK = 16384;

    private Reduction() {
    }

    public static int blocks(int length) {
        return (length + BLOCK - 1) / BLOCK;
    }

    /** Sum of {@code x[offset + from .. offset + to)} left to right, in double. */
    public static double blockSum(float[] x, int offset, int from, int to) {
        double s = 0.0;
        for (int i = from; i < to; i++) {
            s += x[offset + i];
        }
        return s;
    }

    /** The sum of one row of length {@code n} starting at {@code offset}, in the shared order. */
    public static float rowSum(float[] x, int offset, int n) {
        double total = 0.0;
        for (int b = 0; b < n; b += BLOCK) {
            total += blockSum(x, offset, b, Math.min(n, b + BLOCK));
        }
        return (float) total;
    }

    /**
     * Index of the largest element of one row, the first one on ties (as torch.max / argmax on
     * CPU); NaN wins over everything, as in PyTorch, so a NaN is never hidden by a max.
     */
    public static int rowArgMax(float[] x, int offset, int n) {
        int best = 0;
        float bestValue = x[offset];
        for (int i = 1; i < n; i++) {
            float v = x[offset + i];
            if (v > bestValue || (v != v && bestValue == bestValue)) {
                best = i;
                bestValue = v;
            }
        }
        return best;
    }
}
