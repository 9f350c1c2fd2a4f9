package org.tornagrad.compiler;

import java.util.Arrays;

/**
 * A strided view of a buffer ({@code offset + Σ index[d] * strides[d]}) read or written in
 * row-major order of {@code shape}, a range of positions at a time, without allocating (the
 * caller passes an int scratch of the view's rank): the loops behind gathers into a tile and
 * scatters into a slice.
 *
 * <p>The view is kept in its simplest equal form: axes of length 1 dropped, neighbours that step
 * through memory as one axis merged (a contiguous block, or a broadcast over several axes), so
 * that runs along the last axis are as long as they can be. A run is then a copy (stride 1), a
 * fill (stride 0, a broadcast) or a strided loop; a gather whose last axis is short and whose
 * next axis is denser in memory (a transpose, such as channels-last of an NCHW tensor) is copied
 * a block of rows at a time, column by column, so that the reads go through memory in order and
 * the index arithmetic is paid per block rather than per short row.
 */
final class StridedView {
    /** A last axis at most this long, under a denser axis, is gathered by blocks of rows. */
    private static final int SHORT_ROW = 16;

    final int[] shape;
    final int[] strides;
    final int offset;
    final int size;

    StridedView(int[] shape, int[] strides, int offset) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        this.size = n;
        this.offset = offset;
        int[] s = new int[shape.length];
        int[] st = new int[shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1 && n > 0) {
                continue; // its index is always 0
            }
            if (rank > 0 && st[rank - 1] == strides[d] * shape[d]) {
                s[rank - 1] *= shape[d]; // the outer axis steps exactly over the inner one
                st[rank - 1] = strides[d];
                continue;
            }
            s[rank] = shape[d];
            st[rank] = strides[d];
            rank++;
        }
        this.shape = Arrays.copyOf(s, rank);
        this.strides = Arrays.copyOf(st, rank);
    }

    int rank() {
        return shape.length;
    }

    /** out[oo + i] = src[view(from + i)] for i in [0, n). */
    void gather(float[] src, int from, int n, float[] out, int oo, int[] index) {
        int rank = shape.length;
        if (rank == 0) {
            Arrays.fill(out, oo, oo + n, n > 0 ? src[offset] : 0f);
            return;
        }
        int at = start(from, index);
        int last = shape[rank - 1];
        int step = strides[rank - 1];
        boolean blocks = rank >= 2 && last <= SHORT_ROW && Math.abs(strides[rank - 2]) < Math.abs(step);
        int done = 0;
        while (done < n) {
            int o = oo + done;
            if (blocks && index[rank - 1] == 0 && n - done >= last) {
                int rows = Math.min(shape[rank - 2] - index[rank - 2], (n - done) / last);
                int rowStep = strides[rank - 2];
                for (int c = 0; c < last; c++) {
                    int s = at + c * step;
                    for (int r = 0; r < rows; r++) {
                        out[o + r * last + c] = src[s + r * rowStep];
                    }
                }
                done += rows * last;
                index[rank - 2] += rows;
                at = carry(index, rank - 2, at + rows * rowStep);
                continue;
            }
            int run = Math.min(last - index[rank - 1], n - done);
            if (step == 1) {
                System.arraycopy(src, at, out, o, run);
            } else if (step == 0) {
                Arrays.fill(out, o, o + run, src[at]);
            } else {
                for (int j = 0; j < run; j++) {
                    out[o + j] = src[at + j * step];
                }
            }
            done += run;
            index[rank - 1] += run;
            at = carry(index, rank - 1, at + run * step);
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
            index[rank - 1] += run;
            at = carry(index, rank - 1, at + run * step);
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

    /**
     * After {@code index[axis]} moved forward to at most its length (and {@code at} with it),
     * carries a full axis into the ones above it; returns the new buffer position.
     */
    private int carry(int[] index, int axis, int at) {
        for (int d = axis; d > 0 && index[d] == shape[d]; d--) {
            at -= shape[d] * strides[d];
            index[d] = 0;
            index[d - 1]++;
            at += strides[d - 1];
        }
        return at;
    }
}
