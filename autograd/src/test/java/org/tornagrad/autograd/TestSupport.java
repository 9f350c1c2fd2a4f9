package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ParallelBackend;
import org.tornagrad.tensor.Tensor;

/** Inputs, comparisons and backend runs shared by the autograd tests. */
final class TestSupport {
    /** One multi-core backend per thread count the tests compare (pools are created once). */
    static final int[] THREAD_COUNTS = {1, 2, 8};
    private static final Backend[] PARALLEL = {
        new ParallelBackend(1), new ParallelBackend(2), new ParallelBackend(8)
    };

    private TestSupport() {
    }

    static Backend parallel(int threads) {
        for (int i = 0; i < THREAD_COUNTS.length; i++) {
            if (THREAD_COUNTS[i] == threads) {
                return PARALLEL[i];
            }
        }
        throw new IllegalStateException("no parallel backend with " + threads + " threads");
    }

    // ------------------------------------------------------------------------------------------
    // Inputs

    static Tensor uniform(long seed, double lo, double hi, int... dims) {
        return Tensor.uniform(seed, (float) lo, (float) hi, dims);
    }

    /** Values of magnitude in [lo, hi) with random signs: away from 0 by at least lo. */
    static Tensor signed(long seed, double lo, double hi, int... dims) {
        Random r = new Random(seed);
        float[] d = new float[size(dims)];
        for (int i = 0; i < d.length; i++) {
            double m = lo + (hi - lo) * r.nextDouble();
            d[i] = (float) (r.nextBoolean() ? m : -m);
        }
        return Tensor.of(d, dims);
    }

    /** Uniform values in [lo, hi) that stay at least {@code margin} away from every kink. */
    static Tensor avoiding(long seed, double lo, double hi, double margin, double[] kinks, int... dims) {
        Random r = new Random(seed);
        float[] d = new float[size(dims)];
        for (int i = 0; i < d.length; i++) {
            double x;
            boolean near;
            do {
                x = lo + (hi - lo) * r.nextDouble();
                near = false;
                for (double k : kinks) {
                    near |= Math.abs(x - k) < margin;
                }
            } while (near);
            d[i] = (float) x;
        }
        return Tensor.of(d, dims);
    }

    /**
     * Distinct values {@code spacing} apart in a shuffled order, centred on 0: no ties, so max and
     * max-pool winners are unambiguous under small perturbations.
     */
    static Tensor distinct(long seed, double spacing, int... dims) {
        int n = size(dims);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) ((perm[i] - n / 2) * spacing);
        }
        return Tensor.of(d, dims);
    }

    static int size(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------
    // Comparisons

    /** Shapes equal and |actual - expected| <= atol + rtol |expected| everywhere (infinities must match). */
    static void assertClose(Nd expected, Tensor actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.dims, actual.shape().dims(), what + ": shape");
        float[] a = actual.toArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < a.length; i++) {
            double e = expected.v[i];
            boolean ok;
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                ok = Double.isNaN(e) ? Float.isNaN(a[i]) : e == a[i];
            } else {
                ok = Math.abs(a[i] - e) <= atol + rtol * Math.abs(e);
            }
            double excess = ok ? 0 : (Double.isFinite(e) ? Math.abs(a[i] - e) / (atol + rtol * Math.abs(e)) : Double.POSITIVE_INFINITY);
            if (!ok && (worst < 0 || excess > worstExcess)) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " " + Arrays.toString(expected.unravel(worst)) + " is " + a[worst]
                + ", expected " + expected.v[worst] + " (rtol " + rtol + ", atol " + atol + ")");
        }
    }

    /** The forward output followed by the gradient of each input, as float arrays. */
    static float[][] forwardAndGrads(Backend backend, Function<Variable[], Variable> f, Tensor[] inputs) {
        try (Backends.Scope scope = Backends.use(backend)) {
            assertEquals(backend, Backends.current(), "the backend scope is in force");
            Variable[] params = new Variable[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                params[i] = Variable.param(inputs[i]);
            }
            Variable out = f.apply(params);
            Tensor projection = Tensor.uniform(77, 0.5f, 1.5f, out.shape().dims());
            out.backward(projection);
            float[][] result = new float[inputs.length + 1][];
            result[0] = out.data().toArray();
            for (int i = 0; i < inputs.length; i++) {
                assertTrue(params[i].grad() != null, "input " + i + " received a gradient");
                result[i + 1] = params[i].grad().toArray();
            }
            return result;
        }
    }

    /** Forward and gradients on {@code parallel} with 1, 2 and 8 threads equal {@code java}'s bit for bit. */
    static void assertParallelBitIdentical(String what, Function<Variable[], Variable> f, Tensor... inputs) {
        float[][] reference = forwardAndGrads(Backends.get("java"), f, inputs);
        for (int threads : THREAD_COUNTS) {
            float[][] parallel = forwardAndGrads(parallel(threads), f, inputs);
            for (int k = 0; k < reference.length; k++) {
                String part = k == 0 ? "forward" : "gradient of input " + (k - 1);
                assertArrayEquals(reference[k], parallel[k],
                    what + ": " + part + " on parallel(" + threads + ") differs from java");
            }
        }
    }
}
