package org.tornagrad.compiler;

import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * exp, log, sigmoid and binary cross-entropy over a block of floats, fast enough for the fused
 * kernels. {@code (float) Math.exp} costs 5 to 8 ns an element and does not vectorize, which alone
 * would make a sigmoid over 2M pixels slower than the memory traffic of the whole loss. Here each
 * function is a polynomial with Cody-Waite range reduction (log: the Cephes single-precision
 * polynomial of Moshier; exp: a minimax fit of our own, see {@link #EP0}), within about 1 ulp of
 * the correctly rounded result (the tests bound the error), its Horner steps
 * fused multiply-adds (one rounding each, and exactly specified, so every JVM gives the same bits;
 * 14-15% faster sigmoid and BCE loops than separate multiplies and adds; a CPU without FMA
 * instructions would compute {@code Math.fma} in software, far slower), computed 8 lanes
 * at a time by {@link VectorMath} when the JDK's vector module is present
 * ({@code --add-modules jdk.incubator.vector}), else element by element with the very same float
 * operations: the two give the same bits, only the speed differs.
 *
 * <p>The fast path covers the ordinary range: |x| < 87 for exp (normal results), positive normal
 * finite x for log. A block holding anything else (saturated logits, 0, NaN, infinities,
 * subnormals) is computed element by element with the scalar bodies of {@link Unary} and
 * {@link Binary}, so the edge cases PyTorch's semantics depend on (BCE's -100 clamp at p = 0,
 * sigmoid's saturation, NaN propagation) are exactly the eager path's. Whether a block takes the
 * fast path depends only on its own data, never on threads.
 */
final class BlockMath {
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it to a float of magnitude < 2^22 rounds it to an integer, held in the low mantissa bits. */
    static final float MAGIC = 12582912f;
    static final int MAGIC_BITS = 0x4B400000;
    /** ln 2 split in two so that k * LN2_HI is exact for |k| < 2^15 (Cody-Waite). */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** exp's fast range is |x| < EXP_LIMIT: normal results, and 2^k representable. */
    static final float EXP_LIMIT = 87f;
    /** Moves the mantissa boundary to sqrt(1/2), so that m lies in [sqrt(1/2), sqrt(2)) (musl's logf). */
    static final int SQRT_HALF_OFFSET = 0x3f800000 - 0x3f3504f3;
    static final int SQRT_HALF_BITS = 0x3f3504f3;

    /**
     * e^r = 1 + r + r^2 (EP0 r^4 + EP1 r^3 + ... + EP4) on |r| <= ln2/2: the minimax fit of
     * {@code compiler/fit_exp_polynomial.py} (relative error 3.6e-9, an eighth of float's half
     * ulp). Cephes' expf has one degree more (a sixth coefficient) for no gain a float can show:
     * over every float |v| < 87, both give exp within 1.01 ulp of the correctly rounded result
     * (this fit: 14 floats above 1 ulp, Cephes' 22), and sigmoid within 2.48 ulp. One
     * multiply-add fewer per exp matters because the sigmoid loops run out of multiply-add units
     * before anything else.
     */
    static final float EP0 = 1.3814540580e-03f;
    static final float EP1 = 8.3687454462e-03f;
    static final float EP2 = 4.1668388993e-02f;
    static final float EP3 = 1.6666521132e-01f;
    static final float EP4 = 4.9999994040e-01f;
    // Cephes logf: log(1 + m) = m - m^2/2 + m^3 (L0 m^8 + ... + L8) on m in [sqrt(1/2) - 1, sqrt(2) - 1).
    static final float LP0 = 7.0376836292E-2f;
    static final float LP1 = -1.1514610310E-1f;
    static final float LP2 = 1.1676998740E-1f;
    static final float LP3 = -1.2420140846E-1f;
    static final float LP4 = 1.4249322787E-1f;
    static final float LP5 = -1.6668057665E-1f;
    static final float LP6 = 2.0000714765E-1f;
    static final float LP7 = -2.4999993993E-1f;
    static final float LP8 = 3.3333331174E-1f;

    /** Whether the blocks run on the vector module (set once, at class initialisation). */
    static final boolean VECTOR = VectorSupport.available();

    private BlockMath() {
    }

    // ------------------------------------------------------------------------------------------
    // One element of the fast paths: the formulas VectorMath computes lane by lane, in the same order.

    /** exp(v) for |v| < 87. */
    static float expFast(float v) {
        float t = Math.fma(v, LOG2E, MAGIC);
        float k = t - MAGIC;
        float r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, v));
        float p = Math.fma(r, EP0, EP1);
        p = Math.fma(p, r, EP2);
        p = Math.fma(p, r, EP3);
        p = Math.fma(p, r, EP4);
        p = Math.fma(p, r * r, r) + 1f;
        // p * 2^k, exactly, as an integer add of k to p's exponent (an add instead of a float
        // multiply: the vector forms run out of multiply units before anything else). k is an
        // integer held in t's low mantissa bits, and MAGIC_BITS has none below bit 22, so t's
        // bits shifted left by 23 are k << 23. For |v| < EXP_LIMIT, p * 2^k (about e^v) is a
        // normal float, so the add never leaves the exponent field and gives the bits that a
        // multiply by 2^k would (checked on every float of the range).
        return Float.intBitsToFloat(Float.floatToRawIntBits(p) + (Float.floatToRawIntBits(t) << 23));
    }

    /** log(v) for a positive normal finite v. */
    static float logFast(float v) {
        int b = Float.floatToRawIntBits(v) + SQRT_HALF_OFFSET;
        // The exponent e as a float, through the MAGIC bits (exact, as the vector code does it).
        float e = Float.intBitsToFloat(MAGIC_BITS + ((b >> 23) - 127)) - MAGIC;
        float m = Float.intBitsToFloat((b & 0x007fffff) + SQRT_HALF_BITS) - 1f;
        float z = m * m;
        float y = Math.fma(m, LP0, LP1);
        y = Math.fma(y, m, LP2);
        y = Math.fma(y, m, LP3);
        y = Math.fma(y, m, LP4);
        y = Math.fma(y, m, LP5);
        y = Math.fma(y, m, LP6);
        y = Math.fma(y, m, LP7);
        y = Math.fma(y, m, LP8);
        y = y * m * z;
        y = Math.fma(e, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        return Math.fma(e, LN2_HI, m + y);
    }

    static boolean inExpRange(float v) {
        return Math.abs(v) < EXP_LIMIT; // false for NaN
    }

    static boolean inLogRange(float v) {
        return v >= Float.MIN_NORMAL && v <= Float.MAX_VALUE; // false for NaN
    }

    static boolean expFast(float[] x, int n) {
        if (VECTOR) {
            return VectorMath.allInExpRange(x, n);
        }
        for (int i = 0; i < n; i++) {
            if (!inExpRange(x[i])) {
                return false;
            }
        }
        return true;
    }

    static boolean logFast(float[] x, int n) {
        if (VECTOR) {
            return VectorMath.allInLogRange(x, n);
        }
        for (int i = 0; i < n; i++) {
            if (!inLogRange(x[i])) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Blocks. Every array is indexed from 0; out may be an input.

    /** out = exp(x) over n elements. */
    static void exp(float[] x, float[] out, int n) {
        if (!expFast(x, n)) {
            for (int i = 0; i < n; i++) {
                out[i] = Unary.apply(Unary.EXP, x[i], 0f, 0f);
            }
        } else if (VECTOR) {
            VectorMath.exp(x, out, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = expFast(x[i]);
            }
        }
    }

    /** out = 1 / (1 + exp(-x)), PyTorch's float32 formula, as {@link Unary#sigmoid}. */
    static void sigmoid(float[] x, float[] out, int n) {
        if (!expFast(x, n)) {
            for (int i = 0; i < n; i++) {
                out[i] = Unary.sigmoid(x[i]);
            }
        } else if (VECTOR) {
            VectorMath.sigmoid(x, out, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = 1f / (1f + expFast(-x[i]));
            }
        }
    }

    /** out = log(x) over n elements. */
    static void log(float[] x, float[] out, int n) {
        if (!logFast(x, n)) {
            for (int i = 0; i < n; i++) {
                out[i] = Unary.apply(Unary.LOG, x[i], 0f, 0f);
            }
        } else if (VECTOR) {
            VectorMath.log(x, out, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = logFast(x[i]);
            }
        }
    }

    /**
     * out = BCE(p, t) as {@link Binary#bce}: {@code -(t max(log p, -100) + (1 - t) max(log(1 - p), -100))};
     * {@code s1}, {@code s2} are scratch of n floats. out may alias p or t. The two logs are
     * block logs into the scratch, then one plain loop combines them (one vector function per
     * loop: inlining two logs into one loop exceeds C2's budget and boxes the vectors).
     */
    static void bce(float[] p, float[] tg, float[] out, int n, float[] s1, float[] s2) {
        for (int i = 0; i < n; i++) {
            s1[i] = 1f - p[i];
        }
        if (!logFast(p, n) || !logFast(s1, n)) {
            for (int i = 0; i < n; i++) {
                out[i] = Binary.bce(p[i], tg[i]);
            }
            return;
        }
        logInRange(s1, s1, n);
        logInRange(p, s2, n);
        for (int i = 0; i < n; i++) {
            float t = tg[i];
            out[i] = -(t * Math.max(s2[i], -100f) + (1f - t) * Math.max(s1[i], -100f));
        }
    }

    /** log over a block known to be in the fast range. */
    private static void logInRange(float[] x, float[] out, int n) {
        if (VECTOR) {
            VectorMath.log(x, out, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = logFast(x[i]);
            }
        }
    }

    /** How many elements a lane sum adds in float before its lanes widen to double ({@link #laneSum}). */
    static final int FLOAT_RUN = 512;

    /**
     * The sum of x[0 .. n) over eight interleaved lanes: lane j takes, for each block of 32
     * elements, the float sum (x[j] + x[j+8]) + (x[j+16] + x[j+24]), and adds these block sums in
     * float (from 0) over each run of {@link #FLOAT_RUN} elements (16 blocks; the last run may be
     * shorter), then each run's float sum to its double lane; then for each remaining block of 8 its
     * x[j] in double; the lanes combine in a fixed tree, then the last n mod 8 elements in order.
     * Eight independent chains instead of one (a sequential double sum is bound by the adder's
     * latency, about 1 ns an element). Why float runs: widening every block sum to double (two
     * conversions and a permute per eight lanes) took a third of a generated sum loop's time; a
     * run adds at most 17 roundings to its own sum (relative error under 17 * 2^-24, 1e-6, for
     * values of one sign), and runs add up in double, so the error does not grow with n.
     */
    static double laneSum(float[] x, int n, double[] lanes) {
        if (VECTOR) {
            return VectorMath.laneSum(x, n, lanes);
        }
        double a0 = 0;
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        double a4 = 0;
        double a5 = 0;
        double a6 = 0;
        double a7 = 0;
        int i = 0;
        final int blocks = n & ~31;
        while (i < blocks) {
            final int end = Math.min(i + FLOAT_RUN, blocks);
            float c0 = 0;
            float c1 = 0;
            float c2 = 0;
            float c3 = 0;
            float c4 = 0;
            float c5 = 0;
            float c6 = 0;
            float c7 = 0;
            for (; i < end; i += 32) {
                c0 += (x[i] + x[i + 8]) + (x[i + 16] + x[i + 24]);
                c1 += (x[i + 1] + x[i + 9]) + (x[i + 17] + x[i + 25]);
                c2 += (x[i + 2] + x[i + 10]) + (x[i + 18] + x[i + 26]);
                c3 += (x[i + 3] + x[i + 11]) + (x[i + 19] + x[i + 27]);
                c4 += (x[i + 4] + x[i + 12]) + (x[i + 20] + x[i + 28]);
                c5 += (x[i + 5] + x[i + 13]) + (x[i + 21] + x[i + 29]);
                c6 += (x[i + 6] + x[i + 14]) + (x[i + 22] + x[i + 30]);
                c7 += (x[i + 7] + x[i + 15]) + (x[i + 23] + x[i + 31]);
            }
            a0 += c0;
            a1 += c1;
            a2 += c2;
            a3 += c3;
            a4 += c4;
            a5 += c5;
            a6 += c6;
            a7 += c7;
        }
        for (; i + 8 <= n; i += 8) {
            a0 += x[i];
            a1 += x[i + 1];
            a2 += x[i + 2];
            a3 += x[i + 3];
            a4 += x[i + 4];
            a5 += x[i + 5];
            a6 += x[i + 6];
            a7 += x[i + 7];
        }
        return combine(a0, a1, a2, a3, a4, a5, a6, a7, x, i, n);
    }

    static double combine(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7,
                          float[] x, int from, int n) {
        double tail = 0;
        for (int i = from; i < n; i++) {
            tail += x[i];
        }
        return (((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))) + tail;
    }
}
