package org.tornagrad.autograd.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;
import org.tornagrad.tensor.Shape;

/**
 * A traced computation with static shapes: numbered buffers and the kernel calls that read and
 * write them, in order. It holds a loss's forward and backward; a backend compiles it (the Java
 * compiler fuses elementwise chains, the TornadoVM compiler builds one task graph) or
 * {@link ProgramRunner} replays it call by call.
 *
 * <p>Each instruction mirrors one {@link org.tornagrad.kernels.Backend} method: {@link Kernel}
 * names it, and its {@code ints}, {@code floats}, {@code shape}, {@code strides}, {@code strides2}
 * and {@code buffers} are that method's arguments in order (see {@link Kernel} for the layout).
 */
public final class Program {

    /** The kernels a program calls, one per Backend method, with the layout of their arguments. */
    public enum Kernel {
        /** ints {op, xOffset, n}, floats {a, b}, buffers {x, out}. */
        UNARY,
        /** ints {op, n}, floats {a, b}, buffers {x, y, g, out}. */
        UNARY_BACKWARD,
        /** ints {op, xOffset, yOffset}, shape, strides (x), strides2 (y), buffers {x, y, out}. */
        BINARY,
        /** ints {op, left (1/0), xOffset, yOffset}, shape, strides, strides2, buffers {x, y, z, g, out}. */
        BINARY_GRAD,
        /** ints {offset}, shape, strides, buffers {src, out}. */
        COPY,
        /** ints {dstOffset}, shape, strides (dst), buffers {src, dst}: writes into dst. */
        SCATTER,
        /** ints {rows, cols}, buffers {x, out}. */
        SUM_ROWS,
        /** ints {rows, cols}, buffers {x, outMax, outIndex (int)}. */
        MAX_ROWS,
        /** ints {rows, cols}, buffers {g, index (int), out}. */
        MAX_ROWS_BACKWARD,
        /** ints {rowLength, n}, buffers {src, index, out}. */
        GATHER_ROWS,
        /** ints {rowLength, n, rows}, buffers {g, index, out}. */
        SCATTER_ADD_ROWS,
        /** ints {planes, h, w, kernel, stride, padding}, buffers {x, out, argmax (int)}. */
        MAX_POOL2D,
        /** ints {planes, h, w, outH, outW}, buffers {g, argmax (int), gradIn}. */
        MAX_POOL2D_BACKWARD,
        /** ints {batch, m, k, n}, buffers {a, b, out}. */
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

        /** A copy of an int constant's value. */
        public int[] intValue() {
            return intValue == null ? null : intValue.clone();
        }
    }

    /** One kernel call. */
    public static final class Instruction {
        public final Kernel kernel;
        private final int[] ints;
        private final float[] floats;
        private final int[] shape;
        private final int[] strides;
        private final int[] strides2;
        private final int[] buffers;

        Instruction(Kernel kernel, int[] ints, float[] floats, int[] shape, int[] strides, int[] strides2, int[] buffers) {
            this.kernel = kernel;
            this.ints = ints;
            this.floats = floats;
            this.shape = shape;
            this.strides = strides;
            this.strides2 = strides2;
            this.buffers = buffers;
        }

        public int ints(int i) {
            return ints[i];
        }

        public float floats(int i) {
            return floats[i];
        }

        public int[] shape() {
            return shape == null ? null : shape.clone();
        }

        public int[] strides() {
            return strides == null ? null : strides.clone();
        }

        public int[] strides2() {
            return strides2 == null ? null : strides2.clone();
        }

        public int buffer(int i) {
            return buffers[i];
        }

        public int bufferCount() {
            return buffers.length;
        }

        /**
         * Whether the instruction writes the buffer in {@code slot}: the last one, or the last two
         * for MAX_ROWS and MAX_POOL2D (values and arg-max). SCATTER also reads the buffer it writes.
         */
        public boolean writes(int slot) {
            if (kernel == Kernel.MAX_ROWS || kernel == Kernel.MAX_POOL2D) {
                return slot >= buffers.length - 2;
            }
            return slot == buffers.length - 1;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(kernel.name().toLowerCase());
            if (kernel == Kernel.UNARY || kernel == Kernel.UNARY_BACKWARD) {
                sb.append('[').append(Unary.name(ints[0])).append(']');
            } else if (kernel == Kernel.BINARY || kernel == Kernel.BINARY_GRAD) {
                sb.append('[').append(Binary.name(ints[0])).append(']');
            }
            sb.append('(');
            for (int i = 0; i < buffers.length; i++) {
                sb.append(i == 0 ? "" : ", ").append('%').append(buffers[i]);
            }
            return sb.append(')').toString();
        }
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

    /** A printable listing, one instruction per line: the schedule a learner can read. */
    public String listing() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : inputs.entrySet()) {
            sb.append("input ").append(e.getKey()).append(" = %").append(e.getValue()).append(' ')
                .append(inputShapes.get(e.getKey())).append('\n');
        }
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
