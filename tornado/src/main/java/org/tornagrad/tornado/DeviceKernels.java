package org.tornagrad.tornado;

import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Pooling;
import org.tornagrad.kernels.Reduction;
import org.tornagrad.kernels.Unary;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The device loops: one short static method per kernel, whose {@code @Parallel} loop TornadoVM
 * compiles to OpenCL (or PTX). Every formula comes from the shared bodies in {@code kernels}
 * ({@link Unary}, {@link Binary}, {@link Reduction}, {@link Pooling}); these methods only say which
 * element each work-item computes.
 *
 * <p>Rules the methods keep, because TornadoVM needs them: plain Java arrays and scalars as
 * parameters, whose names are not OpenCL C keywords (TornadoVM reuses them: a parameter called
 * {@code kernel} does not compile); no objects, no exceptions; loop bounds that are scalar
 * parameters (a bound read from an array makes TornadoVM launch a single work-item); and no float
 * atomics (OpenCL has none): where several inputs add into one output, one work-item owns that
 * output and adds them in the reference's order, which also gives the reference's bits.
 * TornadoVM compiles each task for its scalar arguments (the generated code has the loop bound
 * as a constant), so every distinct call is a kernel of its own.
 *
 * <p>Strided views come as {@code meta = [rank, shape[rank], strides[rank], strides2[rank]]}: the
 * element {@code i} of the row-major output reads {@code offset + sum(coordinate(d) * stride(d))}.
 */
final class DeviceKernels {
    private DeviceKernels() {
    }

    /** {@code Backend.unary}. */
    static void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out[i] = Unary.apply(op, x[xOffset + i], a, b);
        }
    }

    /**
     * Where element {@code i} of the row-major output lives in a view: {@code which} 0 reads the
     * first strides of {@code meta}, 1 the second.
     */
    static int viewIndex(int[] meta, int which, int offset, int i) {
        int rank = meta[0];
        int rest = i;
        int at = offset;
        for (int d = rank - 1; d >= 0; d--) {
            int size = meta[1 + d];
            int coordinate = rest % size;
            rest = rest / size;
            at += coordinate * meta[1 + (which + 1) * rank + d];
        }
        return at;
    }

    /** {@code Backend.binary}, with broadcasting through stride-0 axes of the two views. */
    static void binary(int op, int[] meta, float[] x, int xOffset, float[] y, int yOffset, float[] out, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out[i] = Binary.apply(op, x[viewIndex(meta, 0, xOffset, i)], y[viewIndex(meta, 1, yOffset, i)]);
        }
    }

    /** {@code Backend.copy}: gathers a strided view into a contiguous buffer. */
    static void copy(int[] meta, float[] src, int offset, float[] out, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out[i] = src[viewIndex(meta, 0, offset, i)];
        }
    }

    /** {@code Backend.scatter}: writes a contiguous buffer into a strided view of {@code dst}. */
    static void scatter(int[] meta, float[] src, float[] dst, int dstOffset, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            dst[viewIndex(meta, 0, dstOffset, i)] = src[i];
        }
    }

    /** {@code Backend.gatherRows}, one work-item per output element. */
    static void gatherRows(float[] src, int rowLength, float[] index, float[] out, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int row = e / rowLength;
            int column = e - row * rowLength;
            out[e] = src[(int) index[row] * rowLength + column];
        }
    }

    /**
     * {@code Backend.scatterAddRows}, step 1 of 3: one work-item per gathered row {@code i} links it
     * to the next gathered row routed to the same output row ({@code next[i]}, -1 for the last)
     * and says whether it is the first one ({@code head[i]}). Owning output elements instead
     * costs each one a scan of all n rows (rows x rowLength x n, 10^11 steps for CCS's gradient);
     * this costs n^2 integer compares, the same for every column, and keeps the reference's order
     * without atomics. The scan has a scalar bound and no early exit, so every work-item runs the
     * same loop.
     */
    static void rowChains(float[] index, int n, int[] next, int[] head) {
        for (@Parallel int i = 0; i < n; i++) {
            int row = (int) index[i];
            int first = 1;
            int after = -1;
            for (int j = 0; j < n; j++) {
                if ((int) index[j] == row) {
                    if (j < i) {
                        first = 0;
                    } else if (j > i && after < 0) {
                        after = j;
                    }
                }
            }
            next[i] = after;
            head[i] = first;
        }
    }

    /** {@code Backend.scatterAddRows}, step 2 of 3: the output rows no gathered row reaches stay 0. */
    static void zero(float[] out, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            out[e] = 0f;
        }
    }

    /**
     * {@code Backend.scatterAddRows}, step 3 of 3: one work-item per (gathered row, column); the
     * first row of each chain walks it in increasing {@code i}, starting from 0 as the reference
     * starts from its zeroed output, so repeats sum to the reference's bits, and writes the sum.
     * Only heads write, each to an output row no other head shares: no races.
     */
    static void addRowChains(float[] g, int rowLength, float[] index, int[] next, int[] head, float[] out,
                             int total) {
        for (@Parallel int t = 0; t < total; t++) {
            int i = t / rowLength;
            int column = t - i * rowLength;
            if (head[i] == 1) {
                float s = 0f;
                int j = i;
                while (j >= 0) {
                    s += g[j * rowLength + column];
                    j = next[j];
                }
                out[(int) index[i] * rowLength + column] = s;
            }
        }
    }

    /**
     * Sum, stage 1: one work-item per (row, block) of {@link Reduction#BLOCK} elements, each summed
     * by the shared {@link Reduction#blockSum} in double. A fixed-size, fixed-order reduction: no
     * {@code @Reduce} (wrong above 8,192 elements on OpenCL CPU devices) and no atomics.
     */
    static void sumBlocks(float[] x, int rows, int cols, int blocks, double[] partial) {
        for (@Parallel int t = 0; t < rows * blocks; t++) {
            int row = t / blocks;
            int from = (t - row * blocks) * Reduction.BLOCK;
            partial[t] = Reduction.blockSum(x, row * cols, from, Math.min(cols, from + Reduction.BLOCK));
        }
    }

    /**
     * Sum, stage 2: one work-item per row adds its block sums left to right in double, the order
     * of {@link Reduction#rowSum}, so the device gives the reference's bits.
     */
    static void sumBlockTotals(double[] partial, int rows, int blocks, float[] out) {
        for (@Parallel int row = 0; row < rows; row++) {
            double total = 0.0;
            for (int b = 0; b < blocks; b++) {
                total += partial[row * blocks + b];
            }
            out[row] = (float) total;
        }
    }

    /**
     * Max, stage 1: the shared {@link Reduction#rowArgMax} over each (row, block); writes the
     * block's winner (its column) and value.
     */
    static void maxBlocks(float[] x, int rows, int cols, int blocks, float[] blockMax, int[] blockIndex) {
        for (@Parallel int t = 0; t < rows * blocks; t++) {
            int row = t / blocks;
            int from = (t - row * blocks) * Reduction.BLOCK;
            int length = Math.min(cols, from + Reduction.BLOCK) - from;
            int j = from + Reduction.rowArgMax(x, row * cols + from, length);
            blockIndex[t] = j;
            blockMax[t] = x[row * cols + j];
        }
    }

    /**
     * Max, stage 2: {@link Reduction#rowArgMax} over a row's block winners. The first block holding
     * the row's max (or its first NaN) holds the first such element, so this is the reference's
     * answer, ties and NaN included.
     */
    static void maxBlockWinners(float[] blockMax, int[] blockIndex, int rows, int blocks, float[] outMax,
                                int[] outIndex) {
        for (@Parallel int row = 0; row < rows; row++) {
            int b = Reduction.rowArgMax(blockMax, row * blocks, blocks);
            outIndex[row] = blockIndex[row * blocks + b];
            outMax[row] = blockMax[row * blocks + b];
        }
    }

    /** {@code Backend.maxRowsBackward}: the gradient to each row's winner, 0 elsewhere. */
    static void maxRowsBackward(float[] g, int[] index, int cols, float[] out, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int row = e / cols;
            out[e] = (e - row * cols) == index[row] ? g[row] : 0f;
        }
    }

    /** {@code Backend.maxPool2d}: one work-item per output pixel, the shared window body. */
    static void maxPool2d(float[] x, int h, int w, int window, int stride, int padding, int outH, int outW,
                          float[] out, int[] argmax, int total) {
        for (@Parallel int t = 0; t < total; t++) {
            int plane = t / (outH * outW);
            int rest = t - plane * outH * outW;
            int oy = rest / outW;
            int ox = rest - oy * outW;
            int idx = Pooling.windowArgMax(x, plane * h * w, h, w, oy, ox, window, stride, padding);
            argmax[t] = idx;
            out[t] = x[plane * h * w + idx];
        }
    }

    /**
     * {@code Backend.maxPool2dBackward}, step 1 of 2: for each output row of each plane, the
     * lowest and highest input row its winners lie in ({@code span[2t]}, {@code span[2t + 1]}).
     * The backward gets no window size, so this is how step 2 learns which output rows can reach
     * an input row without scanning every output of the plane for each one.
     */
    static void poolRowSpans(int[] argmax, int w, int outW, int[] span, int outRows) {
        for (@Parallel int t = 0; t < outRows; t++) {
            int lo = Integer.MAX_VALUE;
            int hi = -1;
            for (int ox = 0; ox < outW; ox++) {
                int y = argmax[t * outW + ox] / w;
                lo = y < lo ? y : lo;
                hi = y > hi ? y : hi;
            }
            span[2 * t] = lo;
            span[2 * t + 1] = hi;
        }
    }

    /**
     * {@code Backend.maxPool2dBackward}, step 2 of 2: one work-item per input row of a plane; it
     * zeroes the row, then adds the output gradients whose winner lies in it, in output order as
     * the reference does, visiting only the output rows whose span covers it. Overlapping windows
     * route several gradients to one element, and OpenCL has no float atomics: owning the row
     * keeps it race-free and gives the reference's bits.
     */
    static void maxPool2dBackward(float[] g, int[] argmax, int[] span, int h, int w, int outH, int outW,
                                  float[] gradIn, int planeRows) {
        for (@Parallel int t = 0; t < planeRows; t++) {
            int plane = t / h;
            int y = t - plane * h;
            int inOffset = plane * h * w;
            for (int xx = 0; xx < w; xx++) {
                gradIn[inOffset + y * w + xx] = 0f;
            }
            for (int oy = 0; oy < outH; oy++) {
                int r = plane * outH + oy;
                if (span[2 * r] <= y && y <= span[2 * r + 1]) {
                    for (int ox = 0; ox < outW; ox++) {
                        int o = r * outW + ox;
                        int idx = argmax[o];
                        if (idx / w == y) {
                            gradIn[inOffset + idx] += g[o];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code Backend.matmul}: one work-item per output element, accumulating over k in float in
     * increasing k, the reference's order.
     */
    static void matmul(float[] a, float[] b, float[] out, int m, int k, int n, int total) {
        for (@Parallel int e = 0; e < total; e++) {
            int row = e / n;
            int j = e - row * n;
            int batch = row / m;
            int aOffset = row * k;
            int bOffset = batch * k * n;
            float s = 0f;
            for (int kk = 0; kk < k; kk++) {
                s += a[aOffset + kk] * b[bOffset + kk * n + j];
            }
            out[e] = s;
        }
    }
}
