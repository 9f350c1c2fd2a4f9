package org.tornagrad.compiler;

import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * Which operands each backward formula of {@link Unary} and {@link Binary} reads. A traced
 * backward passes them all (the forward input, output and the upstream gradient), but the
 * product rule, for one, never looks at the product: leaving such operands out keeps the
 * compiler from recomputing (or keeping alive) values nobody uses. Unknown ops read everything.
 */
final class Uses {
    private Uses() {
    }

    static boolean unaryBackwardX(int op) {
        switch (op) {
            case Unary.NEG:
            case Unary.RSUB_SCALAR:
            case Unary.ADD_SCALAR:
            case Unary.MUL_SCALAR:
            case Unary.SIGN:
            case Unary.EXP:
            case Unary.SQRT:
            case Unary.SIGMOID:
            case Unary.RECIPROCAL:
            case Unary.TANH:
                return false;
            default:
                return true;
        }
    }

    static boolean unaryBackwardY(int op) {
        switch (op) {
            case Unary.EXP:
            case Unary.SQRT:
            case Unary.SIGMOID:
            case Unary.RECIPROCAL:
            case Unary.TANH:
                return true;
            case Unary.NEG:
            case Unary.RSUB_SCALAR:
            case Unary.ADD_SCALAR:
            case Unary.MUL_SCALAR:
            case Unary.SIGN:
            case Unary.LOG:
            case Unary.ABS:
            case Unary.SQUARE:
            case Unary.RELU:
            case Unary.CLAMP:
            case Unary.POW_SCALAR:
                return false;
            default:
                return true;
        }
    }

    static boolean binaryGradX(int op, boolean left) {
        switch (op) {
            case Binary.ADD:
            case Binary.SUB:
                return false;
            case Binary.MUL:
                return !left;
            case Binary.DIV:
                return !left;
            default:
                return true;
        }
    }

    static boolean binaryGradY(int op, boolean left) {
        switch (op) {
            case Binary.ADD:
            case Binary.SUB:
                return false;
            case Binary.MUL:
                return left;
            case Binary.DIV:
                return true;
            case Binary.BCE:
                return left;
            default:
                return true;
        }
    }

    static boolean binaryGradZ(int op, boolean left) {
        switch (op) {
            case Binary.ADD:
            case Binary.SUB:
            case Binary.MUL:
            case Binary.DIV:
            case Binary.MAX:
            case Binary.MIN:
            case Binary.BCE:
                return false;
            case Binary.POW:
                return !left;
            default:
                return true;
        }
    }
}
