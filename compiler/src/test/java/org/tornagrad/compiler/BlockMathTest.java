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
        // The lane sum: the vector lanes and the scalar eight-accumulator loops agree exactly.
        double[] a = new double[8];
        int i = 0;
        for (; i + 32 <= N; i += 32) {
            for (int j = 0; j < 8; j++) {
                a[j] += (x[i + j] + x[i + j + 8]) + (x[i + j + 16] + x[i + j + 24]);
            }
        }
        for (; i + 8 <= N; i += 8) {
            for (int j = 0; j < 8; j++) {
                a[j] += x[i + j];
            }
        }
        double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7];
        assertEquals(BlockMath.combine(a0, a1, a2, a3, a4, a5, a6, a7, x, i, N), BlockMath.laneSum(x, N, new double[8]));
    }
}
