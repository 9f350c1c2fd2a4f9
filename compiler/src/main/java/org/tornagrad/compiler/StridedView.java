package org.tornagrad.compiler;

/**
 * A strided view of a buffer ({@code offset + Σ index[d] * strides[d]}) read or written in
 * row-major order of {@code shape}, a range of positions at a time, without allocating (the
 * caller passes an int scratch of the view's rank): the loops behind gathers into a tile and
 * scatters into a slice.
 */
final class StridedView {
    final int[] shape;
    final int[] strides;
    final int offset;
    final int size;

    StridedView(int[] shape, int[] strides, int offset) {
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        this.size = n;
    }

    int rank() {
        return shape.length;
    }

    /** out[oo + i] = src[view(from + i)] for i in [0, n). */
    void gather(float[] src, int from, int n, float[] out, int oo, int[] index) {
        int rank = shape.length;
        if (rank == 0) {
            for (int i = 0; i < n; i++) {
                out[oo + i] = src[offset];
            }
            return;
        }
        int at = start(from, index);
        int last = shape[rank - 1];
        int step = strides[rank - 1];
        int done = 0;
        while (done < n) {
            int run = Math.min(last - index[rank - 1], n - done);
            int o = oo + done;
            if (step == 1) {
                System.arraycopy(src, at, out, o, run);
            } else {
                for (int j = 0; j < run; j++) {
                    out[o + j] = src[at + j * step];
                }
            }
            done += run;
            at = advance(index, run, at);
        }
    }

    /** dst[view(from + i)] = src[so + i] for i in [0, n). */
    void scatter(float[] src, int so, int from, int n, float[] dst, int[] index) {
        int rank = shape.length;
        if (rank == 0) {
            if (n > 0) {
                dst[offset] = src[so + n - 1];
            }
            return;
        }
        int at = start(from, index);
        int last = shape[rank - 1];
        int step = strides[rank - 1];
        int done = 0;
        while (done < n) {
            int run = Math.min(last - index[rank - 1], n - done);
            int s = so + done;
            if (step == 1) {
                System.arraycopy(src, s, dst, at, run);
            } else {
                for (int j = 0; j < run; j++) {
                    dst[at + j * step] = src[s + j];
                }
            }
            done += run;
            at = advance(index, run, at);
        }
    }

    /** Sets index to the multi-index of position {@code from}; returns its buffer position. */
    private int start(int from, int[] index) {
        int rest = from;
        int at = offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            int i = rest % shape[d];
            rest /= shape[d];
            index[d] = i;
            at += i * strides[d];
        }
        return at;
    }

    /** Moves index forward by {@code run} positions along the last axis (carrying); returns the new position. */
    private int advance(int[] index, int run, int at) {
        int rank = shape.length;
        index[rank - 1] += run;
        at += run * strides[rank - 1];
        for (int d = rank - 1; d > 0 && index[d] == shape[d]; d--) {
            at -= shape[d] * strides[d];
            index[d] = 0;
            index[d - 1]++;
            at += strides[d - 1];
        }
        return at;
    }
}
