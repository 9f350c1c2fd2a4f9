package org.tornagrad.kernels;

/**
 * The elementwise unary ops: an integer code each and the scalar forward body. Every backend
 * drives it with its own loops, so each formula is written exactly once; the derivatives are
 * written with these ops in {@code Variable}, beside each op's forward. The bodies are plain static float arithmetic (no objects, no exceptions),
 * which is what TornadoVM can compile for a device.
 *
 * <p>Two float parameters {@code a} and {@code b} carry the op's constants (clamp bounds, the
 * exponent of a power, the scalar of a scalar add or multiply); ops that need none ignore them.
 */
public final class Unary {
    public static final int NEG = 0;
    public static final int EXP = 1;
    public static final int LOG = 2;
    public static final int SQRT = 3;
    public static final int ABS = 4;
    public static final int SQUARE = 5;
    public static final int SIGMOID = 6;
    public static final int RELU = 7;
    public static final int SIGN = 8;
    /** {@code min(max(x, a), b)}. */
    public static final int CLAMP = 9;
    /** {@code x^a}. */
    public static final int POW_SCALAR = 10;
    /** {@code x + a}. */
    public static final int ADD_SCALAR = 11;
    /** {@code x * a}. */
    public static final int MUL_SCALAR = 12;
    /** {@code a - x}. */
    public static final int RSUB_SCALAR = 13;
    /** {@code 1 / x}. */
    public static final int RECIPROCAL = 14;
    public static final int TANH = 15;

    private static final String[] NAMES = {
        "neg", "exp", "log", "sqrt", "abs", "square", "sigmoid", "relu", "sign", "clamp",
        "pow", "add_scalar", "mul_scalar", "rsub_scalar", "reciprocal", "tanh"
    };

    private Unary() {
    }

    public static String name(int op) {
        if (op < 0 || op >= NAMES.length) {
            throw new IllegalArgumentException("unary op: expected a code in [0, " + (NAMES.length - 1) + "], got " + op);
        }
        return NAMES[op];
    }

    public static int count() {
        return NAMES.length;
    }

    /** The forward body: {@code y = op(x)}. */
    public static float apply(int op, float x, float a, float b) {
        switch (op) {
            case NEG: return -x;
            case EXP: return (float) Math.exp(x);
            case LOG: return (float) Math.log(x);
            case SQRT: return (float) Math.sqrt(x);
            case ABS: return Math.abs(x);
            case SQUARE: return x * x;
            case SIGMOID: return sigmoid(x);
            // As PyTorch: relu(NaN) = NaN, sign(NaN) = 0. NaN is tested for explicitly, and only
            // strict comparisons are used: TornadoVM 5.2 drops the unordered flag of <= and >=.
            case RELU: return x > 0f || x != x ? x : 0f;
            case SIGN: return x > 0f ? 1f : (x < 0f ? -1f : 0f);
            case CLAMP: return Binary.minimum(Binary.maximum(x, a), b);
            case POW_SCALAR: return (float) Math.pow(x, a);
            case ADD_SCALAR: return x + a;
            case MUL_SCALAR: return x * a;
            case RSUB_SCALAR: return a - x;
            case RECIPROCAL: return 1f / x;
            case TANH: return (float) Math.tanh(x);
            default: return nanFrom(x);
        }
    }

    /**
     * NaN, computed from {@code x} at run time rather than written as the constant
     * {@code Float.NaN}, because TornadoVM 5.2's OpenCL code generator prints a NaN constant as
     * {@code NaNF}, which does not compile, and the whole kernel then falls back to Java (or, for a
     * generated kernel, fails to build). {@code (x - x)} is 0 or NaN, and either times infinity is
     * NaN. The value of an unknown op code, and of a NaN scalar in a generated device kernel.
     */
    public static float nanFrom(float x) {
        return (x - x) * Float.POSITIVE_INFINITY;
    }

    /** The logistic function, computed as PyTorch computes it in float32. */
    public static float sigmoid(float x) {
        // PyTorch's CPU kernel, 1 / (1 + exp(-x)) with each step rounded to float32; a correctly
        // rounded sigmoid differs where it matters most: 1 + exp(-x) already rounds to 1 from
        // x = 16.64 (not 17.33), and BCE's log(1 - p) of a wrong-side target then hits the -100
        // clamp in PyTorch but gives -16.6 otherwise. exp(-x) overflowing to +inf gives 0, no NaN.
        return 1f / (1f + (float) Math.exp(-x));
    }
}
