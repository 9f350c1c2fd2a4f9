package org.tornagrad.kernels;

/**
 * The plain-Java loops over a range of output elements [from, to). The sequential reference
 * backend runs each over the whole range; the multi-core backend runs the same loops over fixed
 * chunks, which is why the two agree bit for bit.
 */
final class JavaLoops {
    private JavaLoops() {
    }

    static void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = Unary.apply(op, x[xOffset + i], a, b);
        }
    }

    /**
     * Walks output elements [from, to) of {@code shape} row by row (a row is the last axis), so
     * that the inner loop has constant strides; {@code body} handles one run of a row.
     */
    static void forRuns(int[] shape, int[] xStrides, int xOffset, int[] yStrides, int yOffset,
                        int from, int to, RunBody body) {
        int rank = shape.length;
        if (rank == 0) {
            if (from < to) {
                body.run(0, 1, xOffset, 0, yOffset, 0);
            }
            return;
        }
        int last = shape[rank - 1];
        if (last == 0) {
            return;
        }
        int[] index = new int[rank];
        int rest = from;
        for (int d = rank - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        int xStep = xStrides[rank - 1];
        int yStep = yStrides == null ? 0 : yStrides[rank - 1];
        int i = from;
        while (i < to) {
            int xo = xOffset;
            int yo = yOffset;
            for (int d = 0; d < rank; d++) {
                xo += index[d] * xStrides[d];
                if (yStrides != null) {
                    yo += index[d] * yStrides[d];
                }
            }
            int run = Math.min(last - index[rank - 1], to - i);
            body.run(i, run, xo, xStep, yo, yStep);
            i += run;
            index[rank - 1] += run;
            for (int d = rank - 1; d > 0 && index[d] == shape[d]; d--) {
                index[d] = 0;
                index[d - 1]++;
            }
        }
    }

    /** One run of a row: {@code n} outputs from {@code out}, inputs at the given offsets and steps. */
    interface RunBody {
        void run(int out, int n, int xo, int xStep, int yo, int yStep);
    }

    static void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides,
                       float[] y, int yOffset, int[] yStrides, float[] out, int from, int to) {
        forRuns(shape, xStrides, xOffset, yStrides, yOffset, from, to, (o, n, xo, xs, yo, ys) -> {
            for (int j = 0; j < n; j++) {
                out[o + j] = Binary.apply(op, x[xo + j * xs], y[yo + j * ys]);
            }
        });
    }

    static void copy(int[] shape, float[] src, int offset, int[] strides, float[] out, int from, int to) {
        forRuns(shape, strides, offset, null, 0, from, to, (o, n, xo, xs, yo, ys) -> {
            for (int j = 0; j < n; j++) {
                out[o + j] = src[xo + j * xs];
            }
        });
    }

    /** Output positions [from, to) of the view: {@code dst[view(i)] = src[i]}. */
    static void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides, int from, int to) {
        forRuns(shape, dstStrides, dstOffset, null, 0, from, to, (o, n, xo, xs, yo, ys) -> {
            for (int j = 0; j < n; j++) {
                dst[xo + j * xs] = src[o + j];
            }
        });
    }

    static void maxRowsBackward(float[] g, int[] index, int cols, float[] out, int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = 0f;
            }
            out[r * cols + index[r]] = g[r];
        }
    }

    static void gatherRows(float[] src, int rowLength, float[] index, float[] out, int fromRow, int toRow) {
        for (int i = fromRow; i < toRow; i++) {
            int from = (int) index[i] * rowLength;
            for (int j = 0; j < rowLength; j++) {
                out[i * rowLength + j] = src[from + j];
            }
        }
    }

    /** Columns [fromCol, toCol) of every row: each element accumulates its rows in index order. */
    static void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows,
                               int fromCol, int toCol) {
        for (int r = 0; r < rows; r++) {
            for (int j = fromCol; j < toCol; j++) {
                out[r * rowLength + j] = 0f;
            }
        }
        addRows(g, rowLength, index, n, out, fromCol, toCol);
    }

    /**
     * Columns [fromCol, toCol) of {@code out} plus each row i of {@code g} at row {@code index[i]},
     * i in increasing order: {@link #scatterAddRows} after its zeroing.
     */
    static void addRows(float[] g, int rowLength, float[] index, int n, float[] out, int fromCol, int toCol) {
        for (int i = 0; i < n; i++) {
            int to = (int) index[i] * rowLength;
            for (int j = fromCol; j < toCol; j++) {
                out[to + j] += g[i * rowLength + j];
            }
        }
    }

    static void sumRows(float[] x, int cols, float[] out, int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            out[r] = Reduction.rowSum(x, r * cols, cols);
        }
    }

    static void maxRows(float[] x, int cols, float[] outMax, int[] outIndex, int fromRow, int toRow) {
        for (int r = fromRow; r < toRow; r++) {
            int j = Reduction.rowArgMax(x, r * cols, cols);
            outIndex[r] = j;
            outMax[r] = x[r * cols + j];
        }
    }

    static void maxPool2d(float[] x, int h, int w, int kernel, int stride, int padding,
                          float[] out, int[] argmax, int fromPlane, int toPlane) {
        int outH = Pooling.outputSize(h, kernel, stride, padding);
        int outW = Pooling.outputSize(w, kernel, stride, padding);
        for (int p = fromPlane; p < toPlane; p++) {
            int inOffset = p * h * w;
            int outOffset = p * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int idx = Pooling.windowArgMax(x, inOffset, h, w, oy, ox, kernel, stride, padding);
                    argmax[outOffset + oy * outW + ox] = idx;
                    out[outOffset + oy * outW + ox] = x[inOffset + idx];
                }
            }
        }
    }

    /** Scatters in output row-major order, plane by plane: the order PyTorch's CPU kernel uses. */
    static void maxPool2dBackward(float[] g, int[] argmax, int h, int w, int outH, int outW,
                                  float[] gradIn, int fromPlane, int toPlane) {
        for (int p = fromPlane; p < toPlane; p++) {
            int inOffset = p * h * w;
            int outOffset = p * outH * outW;
            for (int i = inOffset; i < inOffset + h * w; i++) {
                gradIn[i] = 0f;
            }
            for (int o = 0; o < outH * outW; o++) {
                gradIn[inOffset + argmax[outOffset + o]] += g[outOffset + o];
            }
        }
    }

    /** Rows [fromRow, toRow) of the flattened (batch * m) output; i-k-j order, k accumulated in float. */
    static void matmul(float[] a, float[] b, float[] out, int m, int k, int n, int fromRow, int toRow) {
        for (int row = fromRow; row < toRow; row++) {
            int batch = row / m;
            int aOffset = row * k;
            int bOffset = batch * k * n;
            int outOffset = row * n;
            for (int j = 0; j < n; j++) {
                out[outOffset + j] = 0f;
            }
            for (int kk = 0; kk < k; kk++) {
                float av = a[aOffset + kk];
                int bRow = bOffset + kk * n;
                for (int j = 0; j < n; j++) {
                    out[outOffset + j] += av * b[bRow + j];
                }
            }
        }
    }
}
