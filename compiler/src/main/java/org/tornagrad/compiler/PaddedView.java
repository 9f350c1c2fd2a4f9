package org.tornagrad.compiler;

import java.util.Arrays;

/**
 * A zero tensor of shape {@code shape} whose region {@code start[d] + k * step[d]},
 * {@code k < size[d]} holds a contiguous source of shape {@code size}: what the backward of a
 * slice builds (zeros, then the gradient scattered into the slice), read without building it.
 */
final class PaddedView {
    final int[] shape;
    final int[] start;
    final int[] step;
    final int[] size;
    private final int[] sourceStrides;

    private PaddedView(int[] shape, int[] start, int[] step, int[] size) {
        this.shape = shape;
        this.start = start;
        this.step = step;
        this.size = size;
        this.sourceStrides = new int[size.length];
        int s = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            sourceStrides[d] = s;
            s *= size[d];
        }
    }

    int rank() {
        return shape.length;
    }

    /** Row-major strides of the contiguous source (of shape {@code size}). */
    int[] sourceStrides() {
        return sourceStrides.clone();
    }

    /**
     * The padded view of a scatter of {@code regionShape} elements into the strided view
     * ({@code regionStrides}, {@code regionOffset}) of a contiguous {@code shape}; null when the
     * view is not such a region (then the scatter is kept as it is).
     */
    static PaddedView of(int[] shape, int[] regionShape, int[] regionStrides, int regionOffset) {
        int rank = shape.length;
        if (regionShape.length != rank || regionStrides.length != rank || rank == 0) {
            return null;
        }
        int[] strides = new int[rank];
        int s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        int[] start = new int[rank];
        int[] step = new int[rank];
        int rest = regionOffset;
        for (int d = 0; d < rank; d++) {
            start[d] = rest / strides[d];
            rest %= strides[d];
            if (regionShape[d] == 1) {
                step[d] = 1;
            } else if (regionStrides[d] <= 0 || regionStrides[d] % strides[d] != 0) {
                return null;
            } else {
                step[d] = regionStrides[d] / strides[d];
            }
            if (regionShape[d] < 1 || start[d] + (long) (regionShape[d] - 1) * step[d] >= shape[d]) {
                return null;
            }
        }
        if (rest != 0) {
            return null;
        }
        return new PaddedView(shape.clone(), start, step, regionShape.clone());
    }

    /** out[oo + i] = this view at position from + i (row-major in shape), for i in [0, n). */
    void gather(float[] src, int from, int n, float[] out, int oo, int[] index) {
        int rank = shape.length;
        int rest = from;
        for (int d = rank - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        int last = rank - 1;
        int done = 0;
        while (done < n) {
            int c0 = index[last];
            int run = Math.min(shape[last] - c0, n - done);
            int o = oo + done;
            int row = 0;
            boolean inside = true;
            for (int d = 0; d < last && inside; d++) {
                int u = index[d] - start[d];
                inside = u >= 0 && u % step[d] == 0 && u / step[d] < size[d];
                row += inside ? u / step[d] * sourceStrides[d] : 0;
            }
            if (!inside) {
                Arrays.fill(out, o, o + run, 0f);
            } else if (step[last] == 1) {
                int lo = Math.max(c0, start[last]);
                int hi = Math.min(c0 + run, start[last] + size[last]);
                if (lo >= hi) {
                    Arrays.fill(out, o, o + run, 0f);
                } else {
                    Arrays.fill(out, o, o + (lo - c0), 0f);
                    System.arraycopy(src, row + lo - start[last], out, o + (lo - c0), hi - lo);
                    Arrays.fill(out, o + (hi - c0), o + run, 0f);
                }
            } else {
                for (int j = 0; j < run; j++) {
                    int u = c0 + j - start[last];
                    boolean in = u >= 0 && u % step[last] == 0 && u / step[last] < size[last];
                    out[o + j] = in ? src[row + u / step[last]] : 0f;
                }
            }
            done += run;
            index[last] += run;
            for (int d = last; d > 0 && index[d] == shape[d]; d--) {
                index[d] = 0;
                index[d - 1]++;
            }
        }
    }

    @Override
    public String toString() {
        return "pad" + Arrays.toString(shape) + " start" + Arrays.toString(start) + " step" + Arrays.toString(step)
            + " size" + Arrays.toString(size);
    }
}
