package org.tornagrad.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

class BlockMathTest {
    private static final int N = 4099; // not a multiple of the vector width: the scalar tail runs too

    private static float[] uniform(long seed, float lo, float hi) {
        Random r = new Random(seed);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = lo + (hi - lo) * r.nextFloat();
        }
        return x;
    }

    private static double ulps(float got, double exact) {
        return Math.abs(got - exact) / Math.ulp((float) exact);
    }

    @Test
    void expIsWithinTwoUlpsOverItsFastRange() {
        float[] x = uniform(1, -86.9f, 86.9f);
        float[] out = new float[N];
        BlockMath.exp(x, out, N);
        for (int i = 0; i < N; i++) {
            assertTrue(ulps(out[i], Math.exp(x[i])) <= 2, "exp(" + x[i] + ") = " + out[i]);
        }
    }

    @Test
    void expFastIsWithinOnePointZeroTwoUlpsOnEveryFortyFirstFloatOfItsRange() {
        // The polynomial's fit (compiler/fit_exp_polynomial.py) is checked where it counts: the
        // floats themselves. A sweep of all 2.2e9 of them (|v| < 87) gave at most 1.010 ulp; every
        // 41st bit pattern, both signs, keeps the test under a second. A fit one degree lower
        // (relative error 1e-7) is off by 2 ulps here.
        int limit = Float.floatToIntBits(BlockMath.EXP_LIMIT);
        double worst = 0;
        float worstAt = 0;
        for (int bits = 0; bits < limit; bits += 41) {
            for (float v : new float[] {Float.intBitsToFloat(bits), -Float.intBitsToFloat(bits)}) {
                double err = ulps(BlockMath.expFast(v), Math.exp(v));
                if (err > worst) {
                    worst = err;
                    worstAt = v;
                }
            }
        }
        assertTrue(worst <= 1.02, "exp(" + worstAt + ") is off by " + worst + " ulp");
    }

    @Test
    void expIsWithinOneUlpAtTheEdgesOfItsFastRange() {
        // p * 2^k is made by adding k to p's exponent: at the ends of the range (k = -126 and 126)
        // and around k = 0 a wrong shift or an exponent leaving its field would be far off.
        float[] x = new float[3 * 4096];
        for (int i = 0; i < 4096; i++) {
            x[i] = Math.nextDown(Float.intBitsToFloat(Float.floatToIntBits(87f) - i));
            x[4096 + i] = -x[i];
            x[8192 + i] = (i - 2048) * 1e-4f;
        }
        float[] out = new float[x.length];
        BlockMath.exp(x, out, x.length);
        for (int i = 0; i < x.length; i++) {
            assertTrue(ulps(out[i], Math.exp(x[i])) <= 1, "exp(" + x[i] + ") = " + out[i]);
            assertTrue(ulps(BlockMath.expFast(x[i]), Math.exp(x[i])) <= 1, "expFast(" + x[i] + ") = " + BlockMath.expFast(x[i]));
        }
    }

    @Test
    void logIsWithinTwoUlpsOverPositiveNormals() {
        Random r = new Random(2);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) Math.exp((r.nextDouble() - 0.5) * 170); // 1e-37 .. 1e37
        }
        float[] out = new float[N];
        BlockMath.log(x, out, N);
        for (int i = 0; i < N; i++) {
            double exact = Math.log(x[i]);
            // Near log = 0 the result is tiny: bound the absolute error by an ulp of 1 there.
            double err = Math.abs(out[i] - exact) / Math.max(Math.ulp((float) exact), Math.ulp(1f) / 2);
            assertTrue(err <= 2, "log(" + x[i] + ") = " + out[i] + ", exact " + exact);
        }
    }

    @Test
    void sigmoidAndBceAreWithinTheParityTolerance() {
        float[] x = uniform(3, -20f, 20f);
        float[] t = uniform(4, 0f, 1f);
        float[] p = new float[N];
        float[] bce = new float[N];
        float[] scratch = new float[N];
        BlockMath.sigmoid(x, p, N);
        BlockMath.bce(p, t, bce, N, scratch, new float[N]);
        for (int i = 0; i < N; i++) {
            float ps = Unary.sigmoid(x[i]);
            assertEquals(ps, p[i], 4 * Math.ulp(ps), "sigmoid(" + x[i] + ")");
            float b = Binary.bce(ps, t[i]);
            assertEquals(b, bce[i], 1e-5 * Math.abs(b) + 1e-6, "bce(" + ps + ", " + t[i] + ")");
        }
    }

    @Test
    void blocksWithValuesOutsideTheFastRangeAreTheEagerBodiesBitForBit() {
        float[] x = uniform(5, -5f, 5f);
        x[17] = Float.NaN;
        x[100] = -100f;   // sigmoid underflows to 0: BCE's -100 clamp must see exactly 0
        x[101] = 90f;     // exp overflows to infinity
        x[102] = Float.NEGATIVE_INFINITY;
        float[] out = new float[N];
        BlockMath.sigmoid(x, out, N);
        for (int i = 0; i < N; i++) {
            assertEquals(Float.floatToIntBits(Unary.sigmoid(x[i])), Float.floatToIntBits(out[i]), "sigmoid(" + x[i] + ")");
        }
        BlockMath.exp(x, out, N);
        for (int i = 0; i < N; i++) {
            assertEquals(Float.floatToIntBits(Unary.apply(Unary.EXP, x[i], 0, 0)), Float.floatToIntBits(out[i]));
        }
        float[] p = new float[N];
        float[] t = uniform(6, 0f, 1f);
        BlockMath.sigmoid(x, p, N);
        float[] scratch = new float[N];
        BlockMath.bce(p, t, out, N, scratch, new float[N]);
        for (int i = 0; i < N; i++) {
            assertEquals(Float.floatToIntBits(Binary.bce(p[i], t[i])), Float.floatToIntBits(out[i]));
        }
    }

    @Test
    void theVectorAndScalarFormulasGiveTheSameBits() {
        float[] x = uniform(7, -80f, 80f);
        float[] pos = uniform(8, 1e-6f, 1e6f);
        float[] v = new float[N];
        if (BlockMath.VECTOR) {
            VectorMath.exp(x, v, N);
            for (int i = 0; i < N; i++) {
                assertEquals(Float.floatToIntBits(BlockMath.expFast(x[i])), Float.floatToIntBits(v[i]), "exp(" + x[i] + ")");
            }
            VectorMath.log(pos, v, N);
            for (int i = 0; i < N; i++) {
                assertEquals(Float.floatToIntBits(BlockMath.logFast(pos[i])), Float.floatToIntBits(v[i]), "log(" + pos[i] + ")");
            }
            VectorMath.sigmoid(x, v, N);
            for (int i = 0; i < N; i++) {
                assertEquals(Float.floatToIntBits(1f / (1f + BlockMath.expFast(-x[i]))), Float.floatToIntBits(v[i]));
            }
        }
        // The lane sum: the vector lanes and a plain writing of laneSum's order agree exactly, for
        // lengths with and without a partial float run, 8-blocks and a tail.
        for (int n : new int[] {0, 5, 8, 31, 32, 40, 511, 512, 520, 1000, 1531, N}) {
            assertEquals(laneSumByDefinition(x, n), BlockMath.laneSum(x, n, new double[8]), "n = " + n);
        }
    }

    /** BlockMath.laneSum's order, one lane at a time. */
    private static double laneSumByDefinition(float[] x, int n) {
        double[] a = new double[8];
        int blocks = n / 32 * 32;
        int i = 0;
        while (i < blocks) {
            int end = Math.min(i + BlockMath.FLOAT_RUN, blocks);
            for (int j = 0; j < 8; j++) {
                float run = 0f;
                for (int k = i; k < end; k += 32) {
                    run += (x[k + j] + x[k + j + 8]) + (x[k + j + 16] + x[k + j + 24]);
                }
                a[j] += run;
            }
            i = end;
        }
        for (; i + 8 <= n; i += 8) {
            for (int j = 0; j < 8; j++) {
                a[j] += x[i + j];
            }
        }
        return BlockMath.combine(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], x, i, n);
    }

    @Test
    void aLongLaneSumStaysFarWithinOneFloatRoundingOfTheExactSum() {
        // Float runs of FLOAT_RUN elements, double above: a run adds at most 17 roundings, and runs
        // add up in double, so the error does not grow with the length. On these 2^20 values near
        // 0.1 (not exact in binary) the error is 3e-10; a float sum of whole lanes (runs of any
        // length) drifts to 3.1e-7. The bound asserted, 2^-26, lies between the two.
        Random r = new Random(11);
        float[] x = new float[(1 << 20) + 13];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.1f + 1e-3f * r.nextFloat();
        }
        java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
        for (float v : x) {
            exact = exact.add(new java.math.BigDecimal(v));
        }
        double got = BlockMath.laneSum(x, x.length, new double[8]);
        double rel = Math.abs(got - exact.doubleValue()) / exact.doubleValue();
        assertTrue(rel < Math.pow(2, -26), "relative error " + rel);
    }
}
