package org.tornagrad.kernels;

/** The sequential plain-Java backend: the reference every other backend is tested against. */
public final class ReferenceBackend implements Backend {
    public static final String NAME = "java";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "sequential plain Java, the reference";
    }

    @Override
    public void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
        JavaLoops.unary(op, a, b, x, xOffset, out, 0, n);
    }

    @Override
    public void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides,
                       float[] y, int yOffset, int[] yStrides, float[] out) {
        JavaLoops.binary(op, shape, x, xOffset, xStrides, y, yOffset, yStrides, out, 0, out.length);
    }

    @Override
    public void copy(int[] shape, float[] src, int offset, int[] strides, float[] out) {
        JavaLoops.copy(shape, src, offset, strides, out, 0, out.length);
    }

    @Override
    public void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides) {
        JavaLoops.scatter(shape, src, dst, dstOffset, dstStrides, 0, src.length);
    }

    @Override
    public void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out) {
        JavaLoops.maxRowsBackward(g, index, cols, out, 0, rows);
    }

    @Override
    public void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out) {
        JavaLoops.gatherRows(src, rowLength, index, out, 0, n);
    }

    @Override
    public void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows) {
        JavaLoops.scatterAddRows(g, rowLength, index, n, out, rows, 0, rowLength);
    }

    @Override
    public void sumRows(float[] x, int rows, int cols, float[] out) {
        JavaLoops.sumRows(x, cols, out, 0, rows);
    }

    @Override
    public void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex) {
        JavaLoops.maxRows(x, cols, outMax, outIndex, 0, rows);
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int kernel, int stride, int padding,
                          float[] out, int[] argmax) {
        JavaLoops.maxPool2d(x, h, w, kernel, stride, padding, out, argmax, 0, planes);
    }

    @Override
    public void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW,
                                  float[] gradIn) {
        JavaLoops.maxPool2dBackward(g, argmax, h, w, outH, outW, gradIn, 0, planes);
    }

    @Override
    public void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n) {
        JavaLoops.matmul(a, b, out, m, k, n, 0, batch * m);
    }
}
