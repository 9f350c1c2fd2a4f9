package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/** Index arithmetic and assertions for the tensor tests, written independently of Tensor. */
final class Ref {
    private Ref() {
    }

    static int size(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** The multi-index of row-major position {@code flat}. */
    static int[] unravel(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
        return idx;
    }

    /** The row-major position of {@code idx}. */
    static int ravel(int[] idx, int[] dims) {
        int flat = 0;
        for (int d = 0; d < dims.length; d++) {
            flat = flat * dims[d] + idx[d];
        }
        return flat;
    }

    static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(5) == 0 ? r.nextInt(3) - 1 : (float) r.nextGaussian();
        }
        return x;
    }

    /** Small integers: sums and products of them are exact in float, so references can compare bits. */
    static float[] ints(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(9) - 4;
        }
        return x;
    }

    static void assertBits(float[] expected, Tensor actual, String what) {
        float[] a = actual.toArray();
        assertEquals(expected.length, a.length, what + ": size");
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(a[i])) {
                fail(what + ": element " + i + " " + Arrays.toString(unravel(i, actual.shape().dims())) + ": expected "
                    + expected[i] + ", got " + a[i]);
            }
        }
    }

    static void assertBits(float[] expected, int[] dims, Tensor actual, String what) {
        assertEquals(Shape.of(dims), actual.shape(), what + ": shape");
        assertBits(expected, actual, what);
    }

    static void assertNear(double[] expected, Tensor actual, double rel, String what) {
        float[] a = actual.toArray();
        assertEquals(expected.length, a.length, what + ": size");
        for (int i = 0; i < a.length; i++) {
            double e = expected[i];
            boolean ok = Double.isNaN(e) ? Float.isNaN(a[i])
                : Double.isInfinite(e) ? e == a[i]
                : Math.abs(e - a[i]) <= rel * Math.max(Math.abs(e), 1e-30) + 1e-37;
            if (!ok) {
                fail(what + ": element " + i + ": expected " + e + ", got " + a[i]);
            }
        }
    }

    /** Asserts an IllegalArgumentException whose message contains every fragment. */
    static IllegalArgumentException assertIae(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                "expected '" + f + "' in the message: " + e.getMessage());
        }
        return e;
    }
}
