package org.tornagrad.compiler;

import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * One step of a fused kernel's per-tile program. Ops read and write only scratch blocks (slots),
 * all indexed from 0: HotSpot's C2 (JDK 17) vectorizes a loop only when every array in it is
 * indexed the same way, so buffers are copied into slots ({@link Code#LOAD}, a memcpy) and results
 * copied out ({@link Code#STORE}) rather than read and written at an offset inside the loops.
 */
final class TileOp {
    enum Code {
        UNARY, UNARY_BACKWARD, BINARY, BINARY_GRAD,
        /** slot = buffer[offset + s ..]. */
        LOAD,
        /** buffer[s ..] = slot. */
        STORE,
        /** slot = the single element buffer[offset], everywhere. */
        FILL,
        /** slot = a strided view of buffer. */
        GATHER,
        /** partial[tile] = Σ slot over the tile (a row longer than a tile; combined per row after all tiles). */
        SUM_PARTIAL,
        /** sums[row] = Σ slot over each whole row in the tile (rows no longer than a tile). */
        SUM_ROWS
    }

    final Code code;
    final int op;
    final float a;
    final float b;
    final boolean left;
    /** Input slots. */
    final int[] in;
    /** Output slot (-1: none). */
    final int out;
    /** LOAD, STORE, FILL, GATHER: the buffer; LOAD and FILL: the element offset. */
    final int buffer;
    final int offset;
    final StridedView view;
    /** Sinks: which sink of the kernel (an index into its sink table). */
    final int sink;

    TileOp(Code code, int op, float a, float b, boolean left, int[] in, int out, int buffer, int offset,
           StridedView view, int sink) {
        this.code = code;
        this.op = op;
        this.a = a;
        this.b = b;
        this.left = left;
        this.in = in;
        this.out = out;
        this.buffer = buffer;
        this.offset = offset;
        this.view = view;
        this.sink = sink;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(code.name().toLowerCase());
        switch (code) {
            case UNARY:
            case UNARY_BACKWARD:
                sb.append('[').append(Unary.name(op)).append(']');
                break;
            case BINARY:
            case BINARY_GRAD:
                sb.append('[').append(Binary.name(op)).append(left ? ", left" : "").append(']');
                break;
            case LOAD:
            case STORE:
            case GATHER:
                sb.append(" %").append(buffer).append(offset == 0 ? "" : "+" + offset);
                break;
            case FILL:
                sb.append(" %").append(buffer).append('[').append(offset).append(']');
                break;
            default:
                sb.append(" sink ").append(sink);
                break;
        }
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
}
