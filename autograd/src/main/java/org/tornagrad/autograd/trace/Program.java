package org.tornagrad.autograd.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.kernels.Backend;
import org.tornagrad.tensor.Shape;

/**
 * A traced computation with static shapes: numbered buffers and the kernel calls that read and
 * write them, in order. It holds a loss's forward and backward; a backend compiles it (the Java
 * compiler fuses elementwise chains, the TornadoVM compiler builds one task graph) or
 * {@link ProgramRunner} replays it call by call.
 *
 * <p>Each instruction mirrors one {@link Backend} method: a record per kernel ({@link Unary},
 * {@link Binary}, ...; {@link Instruction#kind()} names it) whose components are that method's
 * arguments in order, with each array replaced by the id of its buffer. Adding a kernel is one
 * record here and its implementations in the compilers.
 */
public final class Program {

    /** The kinds of instruction, one per Backend method: {@link Instruction#kind()}, for switches. */
    public enum Kernel {
        /** {@link Unary}. */
        UNARY,
        /** {@link Binary}. */
        BINARY,
        /** {@link Copy}. */
        COPY,
        /** {@link Scatter}. */
        SCATTER,
        /** {@link SumRows}. */
        SUM_ROWS,
        /** {@link MaxRows}. */
        MAX_ROWS,
        /** {@link MaxRowsBackward}. */
        MAX_ROWS_BACKWARD,
        /** {@link GatherRows}. */
        GATHER_ROWS,
        /** {@link ScatterAddRows}. */
        SCATTER_ADD_ROWS,
        /** {@link MaxPool2d}. */
        MAX_POOL2D,
        /** {@link MaxPool2dBackward}. */
        MAX_POOL2D_BACKWARD,
        /** {@link Matmul}. */
        MATMUL
    }

    /** Where a buffer's contents come from. */
    public enum Role {
        /** Copied in (or wrapped) at each run, by name. */
        INPUT,
        /** Fixed at trace time (a constant the traced code made on the host). */
        CONSTANT,
        /** Written by an instruction before it is read. */
        TEMP
    }

    /** One buffer: float or int, its length, its role, and its value when constant. */
    public static final class Buffer {
        public final int id;
        public final boolean isInt;
        public final int length;
        public final Role role;
        public final String name;
        private final float[] floatValue;
        private final int[] intValue;

        Buffer(int id, boolean isInt, int length, Role role, String name, float[] floatValue, int[] intValue) {
            this.id = id;
            this.isInt = isInt;
            this.length = length;
            this.role = role;
            this.name = name;
            this.floatValue = floatValue;
            this.intValue = intValue;
        }

        /** A copy of a float constant's value. */
        public float[] floatValue() {
            return floatValue == null ? null : floatValue.clone();
        }

        /** One element of a float constant's value. */
        public float floatAt(int index) {
            if (floatValue == null) {
                throw new IllegalStateException("buffer %" + id + ": expected a float constant, got a " + role
                    + (isInt ? " int" : " float") + " buffer");
            }
            return floatValue[index];
        }

        /** A copy of an int constant's value. */
        public int[] intValue() {
            return intValue == null ? null : intValue.clone();
        }
    }

    /**
     * One kernel call: a record per {@link Kernel}, whose components are the arguments of its
     * {@link Backend} method in order, each array replaced by the id of its buffer. Its
     * constructor checks them and throws an IllegalArgumentException that names the field, the
     * expected and the actual value.
     */
    public sealed interface Instruction permits Unary, Binary, Copy, Scatter, SumRows,
        MaxRows, MaxRowsBackward, GatherRows, ScatterAddRows, MaxPool2d, MaxPool2dBackward, Matmul {

        /** The kernel it calls. */
        Kernel kind();

        /**
         * The ids of the buffers it reads and writes, in the order of its Backend method's array
         * parameters (a new array each call). A slot is an index into it.
         */
        int[] buffers();

        /**
         * Whether the instruction writes the buffer in {@code slot}: the last one, or the last two
         * for {@link MaxRows} and {@link MaxPool2d} (values and arg-max).
         */
        default boolean writes(int slot) {
            return slot == buffers().length - 1;
        }

        /** Whether it reads the buffer in {@code slot}: those it does not write; a {@link Scatter} also reads the one it writes. */
        default boolean reads(int slot) {
            return !writes(slot);
        }

        /** The short name in listings: the kernel in lower case, with the op for the unary and binary kinds. */
        default String label() {
            return kind().name().toLowerCase();
        }

        /** Calls its Backend method on {@code backend}, with {@code arrays[id]} (float[] or int[]) for each buffer id. */
        void callOn(Backend backend, Object[] arrays);
    }

    /** {@link Backend#unary}: buffers {x, out}. */
    public record Unary(int op, float a, float b, int x, int xOffset, int n, int out) implements Instruction {
        public Unary {
            unaryOp("unary.op", op);
            id("unary.x", x);
            atLeast("unary.xOffset", xOffset, 0);
            atLeast("unary.n", n, 0);
            id("unary.out", out);
        }

        @Override
        public Kernel kind() {
            return Kernel.UNARY;
        }

        @Override
        public int[] buffers() {
            return new int[] {x, out};
        }

        @Override
        public String label() {
            return "unary[" + org.tornagrad.kernels.Unary.name(op) + "]";
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.unary(op, a, b, f(arrays, x), xOffset, f(arrays, out), n);
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#binary}: buffers {x, y, out}; the strides have the shape's rank. */
    public record Binary(int op, int[] shape, int x, int xOffset, int[] xStrides, int y, int yOffset, int[] yStrides,
                         int out) implements Instruction {
        public Binary {
            binaryOp("binary.op", op);
            shape = checkedShape("binary.shape", shape);
            id("binary.x", x);
            atLeast("binary.xOffset", xOffset, 0);
            xStrides = checkedStrides("binary.xStrides", xStrides, shape);
            id("binary.y", y);
            atLeast("binary.yOffset", yOffset, 0);
            yStrides = checkedStrides("binary.yStrides", yStrides, shape);
            id("binary.out", out);
        }

        /** A copy. */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** A copy. */
        @Override
        public int[] xStrides() {
            return xStrides.clone();
        }

        /** A copy. */
        @Override
        public int[] yStrides() {
            return yStrides.clone();
        }

        @Override
        public Kernel kind() {
            return Kernel.BINARY;
        }

        @Override
        public int[] buffers() {
            return new int[] {x, y, out};
        }

        @Override
        public String label() {
            return "binary[" + org.tornagrad.kernels.Binary.name(op) + "]";
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.binary(op, shape(), f(arrays, x), xOffset, xStrides(), f(arrays, y), yOffset, yStrides(),
                f(arrays, out));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#copy}: buffers {src, out}; the strides have the shape's rank. */
    public record Copy(int[] shape, int src, int offset, int[] strides, int out) implements Instruction {
        public Copy {
            shape = checkedShape("copy.shape", shape);
            id("copy.src", src);
            atLeast("copy.offset", offset, 0);
            strides = checkedStrides("copy.strides", strides, shape);
            id("copy.out", out);
        }

        /** A copy. */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** A copy. */
        @Override
        public int[] strides() {
            return strides.clone();
        }

        @Override
        public Kernel kind() {
            return Kernel.COPY;
        }

        @Override
        public int[] buffers() {
            return new int[] {src, out};
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.copy(shape(), f(arrays, src), offset, strides(), f(arrays, out));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#scatter}: buffers {src, dst}; writes into dst, which it also reads. */
    public record Scatter(int[] shape, int src, int dst, int dstOffset, int[] dstStrides) implements Instruction {
        public Scatter {
            shape = checkedShape("scatter.shape", shape);
            id("scatter.src", src);
            id("scatter.dst", dst);
            atLeast("scatter.dstOffset", dstOffset, 0);
            dstStrides = checkedStrides("scatter.dstStrides", dstStrides, shape);
        }

        /** A copy. */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** A copy. */
        @Override
        public int[] dstStrides() {
            return dstStrides.clone();
        }

        @Override
        public Kernel kind() {
            return Kernel.SCATTER;
        }

        @Override
        public int[] buffers() {
            return new int[] {src, dst};
        }

        /** Both: the source, and the destination it writes part of. */
        @Override
        public boolean reads(int slot) {
            return slot == 0 || slot == 1;
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.scatter(shape(), f(arrays, src), f(arrays, dst), dstOffset, dstStrides());
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#sumRows}: buffers {x, out}. */
    public record SumRows(int x, int rows, int cols, int out) implements Instruction {
        public SumRows {
            id("sum_rows.x", x);
            atLeast("sum_rows.rows", rows, 0);
            atLeast("sum_rows.cols", cols, 0);
            id("sum_rows.out", out);
        }

        @Override
        public Kernel kind() {
            return Kernel.SUM_ROWS;
        }

        @Override
        public int[] buffers() {
            return new int[] {x, out};
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.sumRows(f(arrays, x), rows, cols, f(arrays, out));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#maxRows}: buffers {x, outMax, outIndex (int)}; writes the last two. */
    public record MaxRows(int x, int rows, int cols, int outMax, int outIndex) implements Instruction {
        public MaxRows {
            id("max_rows.x", x);
            atLeast("max_rows.rows", rows, 0);
            atLeast("max_rows.cols", cols, 0);
            id("max_rows.outMax", outMax);
            id("max_rows.outIndex", outIndex);
        }

        @Override
        public Kernel kind() {
            return Kernel.MAX_ROWS;
        }

        @Override
        public int[] buffers() {
            return new int[] {x, outMax, outIndex};
        }

        @Override
        public boolean writes(int slot) {
            return slot == 1 || slot == 2;
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.maxRows(f(arrays, x), rows, cols, f(arrays, outMax), i(arrays, outIndex));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#maxRowsBackward}: buffers {g, index (int), out}. */
    public record MaxRowsBackward(int g, int index, int rows, int cols, int out) implements Instruction {
        public MaxRowsBackward {
            id("max_rows_backward.g", g);
            id("max_rows_backward.index", index);
            atLeast("max_rows_backward.rows", rows, 0);
            atLeast("max_rows_backward.cols", cols, 0);
            id("max_rows_backward.out", out);
        }

        @Override
        public Kernel kind() {
            return Kernel.MAX_ROWS_BACKWARD;
        }

        @Override
        public int[] buffers() {
            return new int[] {g, index, out};
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.maxRowsBackward(f(arrays, g), i(arrays, index), rows, cols, f(arrays, out));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#gatherRows}: buffers {src, index, out}. */
    public record GatherRows(int src, int rowLength, int index, int n, int out) implements Instruction {
        public GatherRows {
            id("gather_rows.src", src);
            atLeast("gather_rows.rowLength", rowLength, 0);
            id("gather_rows.index", index);
            atLeast("gather_rows.n", n, 0);
            id("gather_rows.out", out);
        }

        @Override
        public Kernel kind() {
            return Kernel.GATHER_ROWS;
        }

        @Override
        public int[] buffers() {
            return new int[] {src, index, out};
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.gatherRows(f(arrays, src), rowLength, f(arrays, index), n, f(arrays, out));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#scatterAddRows}: buffers {g, index, out}. */
    public record ScatterAddRows(int g, int rowLength, int index, int n, int out, int rows) implements Instruction {
        public ScatterAddRows {
            id("scatter_add_rows.g", g);
            atLeast("scatter_add_rows.rowLength", rowLength, 0);
            id("scatter_add_rows.index", index);
            atLeast("scatter_add_rows.n", n, 0);
            id("scatter_add_rows.out", out);
            atLeast("scatter_add_rows.rows", rows, 0);
        }

        @Override
        public Kernel kind() {
            return Kernel.SCATTER_ADD_ROWS;
        }

        @Override
        public int[] buffers() {
            return new int[] {g, index, out};
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.scatterAddRows(f(arrays, g), rowLength, f(arrays, index), n, f(arrays, out), rows);
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#maxPool2d}: buffers {x, out, argmax (int)}; writes the last two. */
    public record MaxPool2d(int x, int planes, int h, int w, int kernel, int stride, int padding, int out, int argmax)
        implements Instruction {
        public MaxPool2d {
            id("max_pool2d.x", x);
            atLeast("max_pool2d.planes", planes, 0);
            atLeast("max_pool2d.h", h, 0);
            atLeast("max_pool2d.w", w, 0);
            atLeast("max_pool2d.kernel", kernel, 1);
            atLeast("max_pool2d.stride", stride, 1);
            atLeast("max_pool2d.padding", padding, 0);
            id("max_pool2d.out", out);
            id("max_pool2d.argmax", argmax);
        }

        @Override
        public Kernel kind() {
            return Kernel.MAX_POOL2D;
        }

        @Override
        public int[] buffers() {
            return new int[] {x, out, argmax};
        }

        @Override
        public boolean writes(int slot) {
            return slot == 1 || slot == 2;
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.maxPool2d(f(arrays, x), planes, h, w, kernel, stride, padding, f(arrays, out), i(arrays, argmax));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#maxPool2dBackward}: buffers {g, argmax (int), gradIn}. */
    public record MaxPool2dBackward(int g, int argmax, int planes, int h, int w, int outH, int outW, int gradIn)
        implements Instruction {
        public MaxPool2dBackward {
            id("max_pool2d_backward.g", g);
            id("max_pool2d_backward.argmax", argmax);
            atLeast("max_pool2d_backward.planes", planes, 0);
            atLeast("max_pool2d_backward.h", h, 0);
            atLeast("max_pool2d_backward.w", w, 0);
            atLeast("max_pool2d_backward.outH", outH, 0);
            atLeast("max_pool2d_backward.outW", outW, 0);
            id("max_pool2d_backward.gradIn", gradIn);
        }

        @Override
        public Kernel kind() {
            return Kernel.MAX_POOL2D_BACKWARD;
        }

        @Override
        public int[] buffers() {
            return new int[] {g, argmax, gradIn};
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.maxPool2dBackward(f(arrays, g), i(arrays, argmax), planes, h, w, outH, outW, f(arrays, gradIn));
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** {@link Backend#matmul}: buffers {a, b, out}. */
    public record Matmul(int a, int b, int out, int batch, int m, int k, int n) implements Instruction {
        public Matmul {
            id("matmul.a", a);
            id("matmul.b", b);
            id("matmul.out", out);
            atLeast("matmul.batch", batch, 0);
            atLeast("matmul.m", m, 0);
            atLeast("matmul.k", k, 0);
            atLeast("matmul.n", n, 0);
        }

        @Override
        public Kernel kind() {
            return Kernel.MATMUL;
        }

        @Override
        public int[] buffers() {
            return new int[] {a, b, out};
        }

        @Override
        public void callOn(Backend backend, Object[] arrays) {
            backend.matmul(f(arrays, a), f(arrays, b), f(arrays, out), batch, m, k, n);
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    /** An instruction in a listing: its label and its buffers, {@code unary[exp](%0, %1)}. */
    private static String text(Instruction in) {
        StringBuilder sb = new StringBuilder(in.label()).append('(');
        int[] ids = in.buffers();
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ", ").append('%').append(ids[i]);
        }
        return sb.append(')').toString();
    }

    private static float[] f(Object[] arrays, int id) {
        return (float[]) arrays[id];
    }

    private static int[] i(Object[] arrays, int id) {
        return (int[]) arrays[id];
    }

    private static void id(String field, int id) {
        if (id < 0) {
            throw new IllegalArgumentException(field + ": expected a buffer id >= 0, got " + id);
        }
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + ": expected >= " + min + ", got " + value);
        }
    }

    private static void unaryOp(String field, int op) {
        if (op < 0 || op >= org.tornagrad.kernels.Unary.count()) {
            throw new IllegalArgumentException(field + ": expected a unary op code in [0, "
                + (org.tornagrad.kernels.Unary.count() - 1) + "], got " + op);
        }
    }

    private static void binaryOp(String field, int op) {
        if (op < 0 || op >= org.tornagrad.kernels.Binary.count()) {
            throw new IllegalArgumentException(field + ": expected a binary op code in [0, "
                + (org.tornagrad.kernels.Binary.count() - 1) + "], got " + op);
        }
    }

    /** A copy of {@code shape}, checked: non-null, no negative dimension. */
    private static int[] checkedShape(String field, int[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException(field + ": expected a shape, got null");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(field + ": expected dimensions >= 0, got "
                    + java.util.Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    /** A copy of {@code strides}, checked: one per dimension of {@code shape}. */
    private static int[] checkedStrides(String field, int[] strides, int[] shape) {
        if (strides == null) {
            throw new IllegalArgumentException(field + ": expected " + shape.length + " strides, got null");
        }
        if (strides.length != shape.length) {
            throw new IllegalArgumentException(field + ": expected " + shape.length
                + " strides (the shape's rank), got " + strides.length);
        }
        return strides.clone();
    }

    private final List<Buffer> buffers;
    private final List<Instruction> instructions;
    private final Map<String, Integer> inputs;
    private final Map<String, Shape> inputShapes;
    private final Map<String, Integer> outputs;
    private final Map<String, Shape> outputShapes;

    Program(List<Buffer> buffers, List<Instruction> instructions, Map<String, Integer> inputs,
            Map<String, Shape> inputShapes, Map<String, Integer> outputs, Map<String, Shape> outputShapes) {
        this.buffers = Collections.unmodifiableList(new ArrayList<>(buffers));
        this.instructions = Collections.unmodifiableList(new ArrayList<>(instructions));
        this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        this.inputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(inputShapes));
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.outputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(outputShapes));
    }

    public List<Buffer> buffers() {
        return buffers;
    }

    public List<Instruction> instructions() {
        return instructions;
    }

    /** Input name to buffer id. */
    public Map<String, Integer> inputs() {
        return inputs;
    }

    public Map<String, Shape> inputShapes() {
        return inputShapes;
    }

    /** Output name ("loss", "grad:NAME") to buffer id. */
    public Map<String, Integer> outputs() {
        return outputs;
    }

    public Map<String, Shape> outputShapes() {
        return outputShapes;
    }

    /** One line per input, {@code input NAME = %ID SHAPE}: how every listing of a compiled program starts. */
    public String inputListing() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : inputs.entrySet()) {
            sb.append("input ").append(e.getKey()).append(" = %").append(e.getValue()).append(' ')
                .append(inputShapes.get(e.getKey())).append('\n');
        }
        return sb.toString();
    }

    /** A printable listing, one instruction per line: the schedule a learner can read. */
    public String listing() {
        StringBuilder sb = new StringBuilder(inputListing());
        for (Instruction in : instructions) {
            sb.append("  ").append(in).append('\n');
        }
        for (Map.Entry<String, Integer> e : outputs.entrySet()) {
            sb.append("output ").append(e.getKey()).append(" = %").append(e.getValue()).append(' ')
                .append(outputShapes.get(e.getKey())).append('\n');
        }
        return sb.toString();
    }
}
