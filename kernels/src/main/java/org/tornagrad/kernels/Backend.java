package org.tornagrad.kernels;

/**
 * The service provider interface every backend implements: the loops that drive the scalar bodies
 * of {@link Unary}, {@link Binary}, {@link Reduction} and {@link Pooling} over flat float buffers.
 * Shapes, broadcasting rules and argument checks live above, in the tensor layer; a backend
 * receives buffers that are already known to be large enough.
 *
 * <p>Strided arguments describe a view: element {@code (i0, i1, ...)} of the view lives at
 * {@code offset + i0 * strides[0] + i1 * strides[1] + ...}; a stride of 0 broadcasts. Outputs are
 * always contiguous, in row-major order.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}; see {@link Backends}.
 */
public interface Backend {

    /** The name users select the backend by ({@code java}, {@code parallel}, ...). */
    String name();

    /** A one-line description for {@code tornagrad backends}. */
    default String description() {
        return name();
    }

    /** {@code out[i] = Unary.apply(op, x[xOffset + i], a, b)} for i in [0, n). */
    void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n);

    /**
     * Called when host code is about to read {@code buffer} element by element (outside any
     * kernel). Backends ignore it; the tracer uses it to reject a traced function whose result
     * would depend on host-side reads of its inputs.
     */
    default void onHostRead(float[] buffer) {
    }

    /**
     * Called on the backend that {@link Backends#claim}ed {@code buffer} (float[] or int[]) when
     * host code reads it ({@code forWrite} false) or is about to write into it (true): copy the
     * current contents back into the array and {@link Backends#release} it; before a write, also
     * drop any other copy. Backends that compute into the host arrays directly never claim one.
     */
    default void syncToHost(Object buffer, boolean forWrite) {
    }

    /** {@code out = Binary.apply(op, x, y)} over {@code shape}, reading both inputs as strided views. */
    void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides,
                float[] y, int yOffset, int[] yStrides, float[] out);

    /** Copies a strided view into the contiguous {@code out}. */
    void copy(int[] shape, float[] src, int offset, int[] strides, float[] out);

    /**
     * Writes the contiguous {@code src} into the strided view of {@code dst} (the inverse of
     * {@link #copy}): how slices, pads and concatenations are assembled on the backend.
     */
    void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides);

    /**
     * {@code out[i] = src[index[i]]} for rows of {@code rowLength} elements; {@code index} holds
     * integral row numbers as floats (so that a traced program can take them as an input buffer).
     */
    void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out);

    /**
     * The backward of {@link #gatherRows}: {@code out} ({@code rows} rows) is zero, then
     * {@code out[index[i]] += g[i]} for i in increasing order (a fixed order: repeats add up the same
     * way on every backend).
     */
    void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows);

    /** {@code out[r]} = the sum of row r of the contiguous (rows, cols) matrix, in {@link Reduction}'s order. */
    void sumRows(float[] x, int rows, int cols, float[] out);

    /** The largest element of each row and its column (first on ties). */
    void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex);

    /**
     * The backward of {@link #maxRows}: {@code out} (rows, cols) is zero except
     * {@code out[r][index[r]] = g[r]}.
     */
    void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out);

    /**
     * Max pooling of {@code planes} contiguous (h, w) planes with a square window; writes the
     * winners' flat in-plane indices to {@code argmax} for the backward pass.
     */
    void maxPool2d(float[] x, int planes, int h, int w, int kernel, int stride, int padding,
                   float[] out, int[] argmax);

    /** Routes each output gradient to its window's winner: {@code gradIn[argmax] += g}. */
    void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW,
                           float[] gradIn);

    /** Batched matrix product of contiguous (batch, m, k) and (batch, k, n) into (batch, m, n). */
    void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n);
}
