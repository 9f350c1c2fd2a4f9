package org.tornagrad.compiler;

import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.ParallelBackend;

/**
 * The backend name {@code compiled} selects the compiled path: a loss is traced once per input
 * shape and run as a {@link CompiledProgram} (see {@code CompiledLoss} in the losses module).
 * Single kernel calls, which have nothing to fuse with (eager ops, the trace itself), run on the
 * multi-core Java loops with the same thread count.
 */
public final class CompiledBackend implements Backend {
    public static final String NAME = "compiled";

    private final ParallelBackend eager;

    /**
     * The instance {@link java.util.ServiceLoader} creates: as many threads as the parallel
     * backend (no thread starts until a compiled program runs).
     */
    public CompiledBackend() {
        this.eager = new ParallelBackend();
    }

    /** Whether {@code backend} selects the compiled path. */
    public static boolean isCompiled(Backend backend) {
        return backend instanceof CompiledBackend;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        String noLoops = CodeGenerator.disabledReason();
        return "traced and fused: a loss runs as one compiled program per shape, " + WorkerTeam.shared().size()
            + " threads" + (noLoops == null ? ", vector API, generated loops"
            : (BlockMath.VECTOR ? ", vector API" : "") + "; no generated loops (slower): " + noLoops);
    }

    @Override
    public void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
        eager.unary(op, a, b, x, xOffset, out, n);
    }

    @Override
    public void unaryBackward(int op, float a, float b, float[] x, float[] y, float[] g, float[] out, int n) {
        eager.unaryBackward(op, a, b, x, y, g, out, n);
    }

    @Override
    public void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides, float[] y, int yOffset,
                       int[] yStrides, float[] out) {
        eager.binary(op, shape, x, xOffset, xStrides, y, yOffset, yStrides, out);
    }

    @Override
    public void binaryGrad(int op, boolean left, int[] shape, float[] x, int xOffset, int[] xStrides, float[] y,
                           int yOffset, int[] yStrides, float[] z, float[] g, float[] out) {
        eager.binaryGrad(op, left, shape, x, xOffset, xStrides, y, yOffset, yStrides, z, g, out);
    }

    @Override
    public void copy(int[] shape, float[] src, int offset, int[] strides, float[] out) {
        eager.copy(shape, src, offset, strides, out);
    }

    @Override
    public void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides) {
        eager.scatter(shape, src, dst, dstOffset, dstStrides);
    }

    @Override
    public void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out) {
        eager.gatherRows(src, rowLength, index, n, out);
    }

    @Override
    public void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows) {
        eager.scatterAddRows(g, rowLength, index, n, out, rows);
    }

    @Override
    public void sumRows(float[] x, int rows, int cols, float[] out) {
        eager.sumRows(x, rows, cols, out);
    }

    @Override
    public void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex) {
        eager.maxRows(x, rows, cols, outMax, outIndex);
    }

    @Override
    public void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out) {
        eager.maxRowsBackward(g, index, rows, cols, out);
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int kernel, int stride, int padding, float[] out,
                          int[] argmax) {
        eager.maxPool2d(x, planes, h, w, kernel, stride, padding, out, argmax);
    }

    @Override
    public void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW,
                                  float[] gradIn) {
        eager.maxPool2dBackward(g, argmax, planes, h, w, outH, outW, gradIn);
    }

    @Override
    public void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n) {
        eager.matmul(a, b, out, batch, m, k, n);
    }
}
