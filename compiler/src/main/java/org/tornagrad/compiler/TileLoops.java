package org.tornagrad.compiler;

import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * The loops a fused kernel runs over one tile: one short loop per op, over operands that are
 * either a worker's tile-sized scratch block or a window of a program buffer. Each loop is the
 * formula of {@link Unary} or {@link Binary} written out for its op (same float operations in the
 * same order, so the same bits as the eager path). exp, log, sigmoid and BCE have tile ops of
 * their own ({@link TileOp}) over {@link BlockMath}. An op without a specialised loop calls the
 * shared scalar body, which is always right and only slower.
 */
final class TileLoops {
    private TileLoops() {
    }

    /** out = Unary.apply(op, x, a, b) over n elements; s1..s3 are scratch blocks. */
    static void unary(int op, float a, float b, float[] x, float[] out, int n) {
        switch (op) {
            case Unary.NEG:
                for (int i = 0; i < n; i++) {
                    out[i] = -x[i];
                }
                return;
            case Unary.SQRT:
                for (int i = 0; i < n; i++) {
                    out[i] = (float) Math.sqrt(x[i]);
                }
                return;
            case Unary.ABS:
                for (int i = 0; i < n; i++) {
                    out[i] = Math.abs(x[i]);
                }
                return;
            case Unary.SQUARE:
                for (int i = 0; i < n; i++) {
                    float v = x[i];
                    out[i] = v * v;
                }
                return;
            case Unary.RELU:
                // x <= 0 ? 0 : x, bit for bit: max(-0, 0) is +0 and max(NaN, 0) is NaN, as relu gives.
                for (int i = 0; i < n; i++) {
                    out[i] = Math.max(x[i], 0f);
                }
                return;
            case Unary.CLAMP:
                for (int i = 0; i < n; i++) {
                    out[i] = Math.min(Math.max(x[i], a), b);
                }
                return;
            case Unary.POW_SCALAR:
                if (a == 2f) {
                    // (float) Math.pow(v, 2) is the correctly rounded square, which v * v also is.
                    for (int i = 0; i < n; i++) {
                        float v = x[i];
                        out[i] = v * v;
                    }
                    return;
                }
                break;
            case Unary.ADD_SCALAR:
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] + a;
                }
                return;
            case Unary.MUL_SCALAR:
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] * a;
                }
                return;
            case Unary.RSUB_SCALAR:
                for (int i = 0; i < n; i++) {
                    out[i] = a - x[i];
                }
                return;
            case Unary.RECIPROCAL:
                for (int i = 0; i < n; i++) {
                    out[i] = 1f / x[i];
                }
                return;
            default:
                break;
        }
        for (int i = 0; i < n; i++) {
            out[i] = Unary.apply(op, x[i], a, b);
        }
    }

    /** out = Binary.apply(op, x, y) over n elements. */
    static void binary(int op, float[] x, float[] y, float[] out, int n) {
        switch (op) {
            case Binary.ADD:
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] + y[i];
                }
                return;
            case Binary.SUB:
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] - y[i];
                }
                return;
            case Binary.MUL:
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] * y[i];
                }
                return;
            case Binary.DIV:
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] / y[i];
                }
                return;
            case Binary.MAX:
                for (int i = 0; i < n; i++) {
                    out[i] = Math.max(x[i], y[i]);
                }
                return;
            case Binary.MIN:
                for (int i = 0; i < n; i++) {
                    out[i] = Math.min(x[i], y[i]);
                }
                return;
            default:
                break;
        }
        for (int i = 0; i < n; i++) {
            out[i] = Binary.apply(op, x[i], y[i]);
        }
    }

    /** The sum of x[from .. from+n) left to right in double: {@link org.tornagrad.kernels.Reduction}'s order for one block. */
    static double sequentialSum(float[] x, int from, int n) {
        double s = 0;
        for (int i = from; i < from + n; i++) {
            s += x[i];
        }
        return s;
    }
}
