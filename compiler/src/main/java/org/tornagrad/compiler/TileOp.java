package org.tornagrad.compiler;

import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * One step of a fused kernel's per-tile program. Ops read and write only scratch blocks (slots),
 * all indexed from 0: HotSpot's C2 (JDK 17) vectorizes a loop only when every array in it is
 * indexed the same way, so buffers are copied into slots ({@link Load}, a memcpy) and results
 * copied out ({@link Store}) rather than read and written at an offset inside the loops.
 *
 * <p>Each kind of op is its own class, called through one virtual call per tile: the call site
 * sees many classes, so the JIT compiles each op's loops as a unit of its own instead of inlining
 * them all into the kernel loop. That matters for the vector-API functions of {@link BlockMath}:
 * inlined together into one large method they exceed C2's inlining budget, and the vector code
 * then falls back to boxed, allocating objects.
 */
abstract class TileOp {
    /** Input slots. */
    final int[] in;
    /** Output slot (-1: none). */
    final int out;

    TileOp(int[] in, int out) {
        this.in = in;
        this.out = out;
    }

    /** Runs the op on the tile {@code [t.start, t.start + t.length)}. */
    abstract void run(Tile t);

    abstract String name();

    /** The program buffer {@code op} reads (a load, fill, gather or padded read), or -1. */
    static int readBuffer(TileOp op) {
        if (op instanceof Load) {
            return ((Load) op).buffer;
        } else if (op instanceof Fill) {
            return ((Fill) op).buffer;
        } else if (op instanceof Gather) {
            return ((Gather) op).buffer;
        } else if (op instanceof Pad) {
            return ((Pad) op).buffer;
        }
        return -1;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name());
        if (in != null && in.length > 0) {
            sb.append(" (");
            for (int i = 0; i < in.length; i++) {
                sb.append(i == 0 ? "" : ", ").append('$').append(in[i]);
            }
            sb.append(')');
        }
        if (out >= 0) {
            sb.append(" -> $").append(out);
        }
        return sb.toString();
    }

    /** What a tile op sees: the member's slots and scratch, the tile, the program's buffers. */
    static final class Tile {
        float[][] slots;
        float[] s1;
        float[] s2;
        int[] index;
        double[] lanes;
        /** Eight double lanes per sum of a generated loop ({@link CodeGenerator#MAX_SUMS}). */
        double[] sums;
        /** Eight float lanes per sum of a generated loop, for the current float run ({@link BlockMath#laneSum}). */
        float[] runs;
        Object[] buffers;
        FusedKernel.Sink[] sinks;
        int tile;
        int start;
        int length;
        /** Set by a generated loop that met a value outside a fast range: the tile is redone by the interpreter. */
        boolean outOfRange;
        /** Written by generated loops that touch later loads ({@code LoopSource.touch}), only so that the JIT keeps the loads; never read. */
        float touched;
    }

    static final class Load extends TileOp {
        final int buffer;
        final int offset;

        Load(int buffer, int offset, int out) {
            super(new int[0], out);
            this.buffer = buffer;
            this.offset = offset;
        }

        @Override
        void run(Tile t) {
            System.arraycopy((float[]) t.buffers[buffer], offset + t.start, t.slots[out], 0, t.length);
        }

        @Override
        String name() {
            return "load %" + buffer + (offset == 0 ? "" : "+" + offset);
        }
    }

    static final class Store extends TileOp {
        final int buffer;

        Store(int buffer, int in) {
            super(new int[] {in}, -1);
            this.buffer = buffer;
        }

        @Override
        void run(Tile t) {
            System.arraycopy(t.slots[in[0]], 0, (float[]) t.buffers[buffer], t.start, t.length);
        }

        @Override
        String name() {
            return "store %" + buffer;
        }
    }

    /** The single element buffer[element], everywhere. */
    static final class Fill extends TileOp {
        final int buffer;
        final int element;

        Fill(int buffer, int element, int out) {
            super(new int[0], out);
            this.buffer = buffer;
            this.element = element;
        }

        @Override
        void run(Tile t) {
            java.util.Arrays.fill(t.slots[out], 0, t.length, ((float[]) t.buffers[buffer])[element]);
        }

        @Override
        String name() {
            return "fill %" + buffer + "[" + element + "]";
        }
    }

    /** A strided view of a buffer. */
    static final class Gather extends TileOp {
        final int buffer;
        final StridedView view;

        Gather(int buffer, StridedView view, int out) {
            super(new int[0], out);
            this.buffer = buffer;
            this.view = view;
        }

        @Override
        void run(Tile t) {
            view.gather((float[]) t.buffers[buffer], t.start, t.length, t.slots[out], 0, t.index);
        }

        @Override
        String name() {
            return "gather %" + buffer;
        }
    }

    /** A zero tensor with a region filled from a buffer (a slice's gradient), see {@link PaddedView}. */
    static final class Pad extends TileOp {
        final int buffer;
        final PaddedView view;

        Pad(int buffer, PaddedView view, int out) {
            super(new int[0], out);
            this.buffer = buffer;
            this.view = view;
        }

        @Override
        void run(Tile t) {
            view.gather((float[]) t.buffers[buffer], t.start, t.length, t.slots[out], 0, t.index);
        }

        @Override
        String name() {
            return "pad %" + buffer + " " + view;
        }
    }

    static final class UnaryOp extends TileOp {
        final int op;
        final float a;
        final float b;

        UnaryOp(int op, float a, float b, int[] in, int out) {
            super(in, out);
            this.op = op;
            this.a = a;
            this.b = b;
        }

        @Override
        void run(Tile t) {
            TileLoops.unary(op, a, b, t.slots[in[0]], t.slots[out], t.length);
        }

        @Override
        String name() {
            return "unary[" + Unary.name(op) + "]";
        }
    }

    static final class Exp extends TileOp {
        Exp(int[] in, int out) {
            super(in, out);
        }

        @Override
        void run(Tile t) {
            BlockMath.exp(t.slots[in[0]], t.slots[out], t.length);
        }

        @Override
        String name() {
            return "exp";
        }
    }

    static final class Log extends TileOp {
        Log(int[] in, int out) {
            super(in, out);
        }

        @Override
        void run(Tile t) {
            BlockMath.log(t.slots[in[0]], t.slots[out], t.length);
        }

        @Override
        String name() {
            return "log";
        }
    }

    static final class Sigmoid extends TileOp {
        Sigmoid(int[] in, int out) {
            super(in, out);
        }

        @Override
        void run(Tile t) {
            BlockMath.sigmoid(t.slots[in[0]], t.slots[out], t.length);
        }

        @Override
        String name() {
            return "sigmoid";
        }
    }

    static final class BinaryOp extends TileOp {
        final int op;

        BinaryOp(int op, int[] in, int out) {
            super(in, out);
            this.op = op;
        }

        @Override
        void run(Tile t) {
            TileLoops.binary(op, t.slots[in[0]], t.slots[in[1]], t.slots[out], t.length);
        }

        @Override
        String name() {
            return "binary[" + Binary.name(op) + "]";
        }
    }

    static final class Bce extends TileOp {
        Bce(int[] in, int out) {
            super(in, out);
        }

        @Override
        void run(Tile t) {
            BlockMath.bce(t.slots[in[0]], t.slots[in[1]], t.slots[out], t.length, t.s1, t.s2);
        }

        @Override
        String name() {
            return "bce";
        }
    }

    /** partial[tile] = Σ slot over the tile (a row longer than a tile; combined per row after all tiles). */
    static final class SumPartial extends TileOp {
        final int sink;

        SumPartial(int sink, int in) {
            super(new int[] {in}, -1);
            this.sink = sink;
        }

        @Override
        void run(Tile t) {
            t.sinks[sink].partials[t.tile] = BlockMath.laneSum(t.slots[in[0]], t.length, t.lanes);
        }

        @Override
        String name() {
            return "sum_partial sink " + sink;
        }
    }

    /** sums[row] = Σ slot over each whole row in the tile (rows no longer than a tile), in Reduction's order. */
    static final class SumRows extends TileOp {
        final int sink;

        SumRows(int sink, int in) {
            super(new int[] {in}, -1);
            this.sink = sink;
        }

        @Override
        void run(Tile t) {
            FusedKernel.Sink s = t.sinks[sink];
            float[] xs = t.slots[in[0]];
            float[] target = (float[]) t.buffers[s.out];
            int cols = s.cols;
            for (int r = t.start / cols, at = 0; at < t.length; r++, at += cols) {
                target[r] = (float) TileLoops.sequentialSum(xs, at, cols);
            }
        }

        @Override
        String name() {
            return "sum_rows sink " + sink;
        }
    }
}
