package org.tornagrad.kernels;

/**
 * The elementwise binary ops (NumPy broadcasting is the loops' business, not the bodies'): the
 * scalar forward body of each. As in {@link Unary}, each formula lives only here, and the partial
 * derivatives are written with these ops in {@code Variable}.
 */
public final class Binary {
    public static final int ADD = 0;
    public static final int SUB = 1;
    public static final int MUL = 2;
    public static final int DIV = 3;
    /** {@code torch.maximum}: on ties each side gets half the gradient. */
    public static final int MAX = 4;
    /** {@code torch.minimum}: on ties each side gets half the gradient. */
    public static final int MIN = 5;
    public static final int POW = 6;
    /** Comparisons give 1 or 0 and have no gradient. */
    public static final int EQ = 7;
    public static final int NE = 8;
    public static final int LT = 9;
    public static final int LE = 10;
    public static final int GT = 11;
    public static final int GE = 12;
    /**
     * PyTorch's {@code F.binary_cross_entropy(p, t, reduction='none')}:
     * {@code -(t max(log p, -100) + (1 - t) max(log(1 - p), -100))}.
     */
    public static final int BCE = 13;

    private static final String[] NAMES = {
        "add", "sub", "mul", "div", "maximum", "minimum", "pow", "eq", "ne", "lt", "le", "gt", "ge", "bce"
    };

    private Binary() {
    }

    public static String name(int op) {
        if (op < 0 || op >= NAMES.length) {
            throw new IllegalArgumentException("binary op: expected a code in [0, " + (NAMES.length - 1) + "], got " + op);
        }
        return NAMES[op];
    }

    public static int count() {
        return NAMES.length;
    }

    /** Whether the op is a comparison (no gradient flows through it). */
    public static boolean isComparison(int op) {
        return op >= EQ && op <= GE;
    }

    public static float apply(int op, float x, float y) {
        switch (op) {
            case ADD: return x + y;
            case SUB: return x - y;
            case MUL: return x * y;
            case DIV: return x / y;
            case MAX: return maximum(x, y);
            case MIN: return minimum(x, y);
            case POW: return (float) Math.pow(x, y);
            case EQ: return x == y ? 1f : 0f;
            case NE: return x != y ? 1f : 0f;
            case LT: return x < y ? 1f : 0f;
            // Written with < and == only: TornadoVM 5.2 drops the unordered flag of <= and >=, which
            // made NaN <= y true on the device (false in Java).
            case LE: return x < y || x == y ? 1f : 0f;
            case GT: return x > y ? 1f : 0f;
            case GE: return x > y || x == y ? 1f : 0f;
            case BCE: return bce(x, y);
            default: return Unary.nanFrom(x);
        }
    }

    /** One element of binary cross-entropy with PyTorch's -100 clamp on each log. */
    public static float bce(float p, float t) {
        return -(t * clampedLog(p) + (1f - t) * clampedLog(1f - p));
    }

    /** {@code max(log v, -100)}, the clamp PyTorch applies inside binary_cross_entropy. */
    public static float clampedLog(float v) {
        return maximum((float) Math.log(v), -100f);
    }

    /**
     * {@code Math.max(x, y)}, bit for bit (the first NaN operand, +0 over -0), spelled out: TornadoVM
     * 5.2 compiles {@code Math.max} to OpenCL {@code fmax}, which returns the non-NaN operand, so a
     * device would drop a NaN that Java keeps. Only == and > are used, whose NaN results TornadoVM
     * keeps.
     */
    public static float maximum(float x, float y) {
        if (x != x) {
            return x;
        }
        if (y != y) {
            return y;
        }
        if (x == 0f && y == 0f) {
            // Both zeros: +0 unless both are -0, which is what the sum of two zeros gives.
            return x + y;
        }
        return x > y ? x : y;
    }

    /** {@code Math.min(x, y)}, bit for bit (the first NaN operand, -0 over +0); see {@link #maximum}. */
    public static float minimum(float x, float y) {
        if (x != x) {
            return x;
        }
        if (y != y) {
            return y;
        }
        if (x == 0f && y == 0f) {
            // Both zeros: -0 unless both are +0.
            return -(-x - y);
        }
        return x < y ? x : y;
    }
}
