package org.tornagrad.autograd.trace;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.kernels.Backend;

/**
 * A backend that records every kernel call into a {@link Program} while a delegate computes it.
 * Buffers are identified by array identity: arrays registered as inputs, arrays first seen as an
 * output (temporaries), and arrays first seen as an input that no one wrote (constants made on the
 * host, captured by value).
 *
 * <p>Host code that reads an input or an intermediate element by element (to choose a shape, to
 * build a mask) would bake that run's data into the program; {@link #onHostRead} rejects it, so
 * a traced program is valid for every input of the same shapes.
 */
final class TracingBackend implements Backend {
    private final Backend delegate;
    private final Map<Object, Integer> ids = new IdentityHashMap<>();
    private final List<Program.Buffer> buffers = new ArrayList<>();
    private final List<Program.Instruction> instructions = new ArrayList<>();

    TracingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return "trace(" + delegate.name() + ")";
    }

    int registerInput(String name, float[] buffer) {
        if (ids.containsKey(buffer)) {
            throw new IllegalArgumentException("inputs: expected a separate buffer for each input, '" + name
                + "' shares one with another input");
        }
        return add(buffer, false, buffer.length, Program.Role.INPUT, name, null, null);
    }

    private int add(Object array, boolean isInt, int length, Program.Role role, String name, float[] f, int[] i) {
        int id = buffers.size();
        buffers.add(new Program.Buffer(id, isInt, length, role, name, f, i));
        ids.put(array, id);
        return id;
    }

    /** The id of an array read by a kernel: known, or a new constant captured by value. */
    private int read(float[] a) {
        Integer id = ids.get(a);
        return id != null ? id : add(a, false, a.length, Program.Role.CONSTANT, null, a.clone(), null);
    }

    private int read(int[] a) {
        Integer id = ids.get(a);
        return id != null ? id : add(a, true, a.length, Program.Role.CONSTANT, null, null, a.clone());
    }

    /** The id of an array a kernel writes: known (written in place), or a new temporary. */
    private int write(float[] a) {
        Integer id = ids.get(a);
        return id != null ? id : add(a, false, a.length, Program.Role.TEMP, null, null, null);
    }

    private int write(int[] a) {
        Integer id = ids.get(a);
        return id != null ? id : add(a, true, a.length, Program.Role.TEMP, null, null, null);
    }

    Integer idOf(float[] a) {
        return ids.get(a);
    }

    /** The id of an output buffer, captured as a constant when no kernel made it. */
    int outputId(float[] a) {
        return read(a);
    }

    List<Program.Buffer> buffers() {
        return buffers;
    }

    List<Program.Instruction> instructions() {
        return instructions;
    }

    private void record(Program.Instruction in) {
        instructions.add(in);
    }

    @Override
    public void onHostRead(float[] buffer) {
        Integer id = ids.get(buffer);
        if (id != null && buffers.get(id).role != Program.Role.CONSTANT) {
            Program.Buffer b = buffers.get(id);
            throw new IllegalStateException("trace: the traced code read " + (b.role == Program.Role.INPUT
                ? "input '" + b.name + "'" : "intermediate buffer %" + id) + " on the host, so the program would"
                + " depend on this run's data; do data-dependent work before tracing (Loss.prepare)");
        }
    }

    @Override
    public void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
        int xi = read(x);
        delegate.unary(op, a, b, x, xOffset, out, n);
        record(new Program.Unary(op, a, b, xi, xOffset, n, write(out)));
    }

    @Override
    public void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides, float[] y, int yOffset,
                       int[] yStrides, float[] out) {
        int xi = read(x);
        int yi = read(y);
        delegate.binary(op, shape, x, xOffset, xStrides, y, yOffset, yStrides, out);
        record(new Program.Binary(op, shape, xi, xOffset, xStrides, yi, yOffset, yStrides, write(out)));
    }

    @Override
    public void copy(int[] shape, float[] src, int offset, int[] strides, float[] out) {
        int si = read(src);
        delegate.copy(shape, src, offset, strides, out);
        record(new Program.Copy(shape, si, offset, strides, write(out)));
    }

    @Override
    public void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides) {
        int si = read(src);
        int di = read(dst);
        delegate.scatter(shape, src, dst, dstOffset, dstStrides);
        record(new Program.Scatter(shape, si, di, dstOffset, dstStrides));
    }

    @Override
    public void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out) {
        int si = read(src);
        int ii = read(index);
        delegate.gatherRows(src, rowLength, index, n, out);
        record(new Program.GatherRows(si, rowLength, ii, n, write(out)));
    }

    @Override
    public void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows) {
        int gi = read(g);
        int ii = read(index);
        delegate.scatterAddRows(g, rowLength, index, n, out, rows);
        record(new Program.ScatterAddRows(gi, rowLength, ii, n, write(out), rows));
    }

    @Override
    public void sumRows(float[] x, int rows, int cols, float[] out) {
        int xi = read(x);
        delegate.sumRows(x, rows, cols, out);
        record(new Program.SumRows(xi, rows, cols, write(out)));
    }

    @Override
    public void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex) {
        int xi = read(x);
        delegate.maxRows(x, rows, cols, outMax, outIndex);
        record(new Program.MaxRows(xi, rows, cols, write(outMax), write(outIndex)));
    }

    @Override
    public void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out) {
        int gi = read(g);
        int ii = read(index);
        delegate.maxRowsBackward(g, index, rows, cols, out);
        record(new Program.MaxRowsBackward(gi, ii, rows, cols, write(out)));
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int kernel, int stride, int padding, float[] out,
                          int[] argmax) {
        int xi = read(x);
        delegate.maxPool2d(x, planes, h, w, kernel, stride, padding, out, argmax);
        record(new Program.MaxPool2d(xi, planes, h, w, kernel, stride, padding, write(out), write(argmax)));
    }

    @Override
    public void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW, float[] gradIn) {
        int gi = read(g);
        int ai = read(argmax);
        delegate.maxPool2dBackward(g, argmax, planes, h, w, outH, outW, gradIn);
        record(new Program.MaxPool2dBackward(gi, ai, planes, h, w, outH, outW, write(gradIn)));
    }

    @Override
    public void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n) {
        int ai = read(a);
        int bi = read(b);
        delegate.matmul(a, b, out, batch, m, k, n);
        record(new Program.Matmul(ai, bi, write(out), batch, m, k, n));
    }
}
