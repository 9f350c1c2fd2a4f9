package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.tornagrad.kernels.Backends;

/** What the tests of this module share: the skip when TornadoVM is absent, data, comparisons. */
public final class TornadoTests {
    private TornadoTests() {
    }

    /** Skips the calling test, saying what is missing, unless TornadoVM runs here with a device. */
    public static void assumeTornado() {
        String reason = TornadoSupport.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason
            + " (run with TORNADOVM_HOME set: mvn -Ptornado -pl tornado -am test)");
    }

    /** Gaussian values times {@code scale}, from a fixed seed. */
    public static float[] gaussian(long seed, int n, float scale) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * scale;
        }
        return a;
    }

    /** Uniform values in [lo, hi), from a fixed seed. */
    public static float[] uniform(long seed, int n, float lo, float hi) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + (hi - lo) * r.nextFloat();
        }
        return a;
    }

    /** The distance in units in the last place (0 for equal bits or two NaNs, MAX_VALUE for one NaN). */
    public static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        if (a == b) {
            return 0;
        }
        long ia = Float.floatToIntBits(a);
        long ib = Float.floatToIntBits(b);
        ia = ia < 0 ? Integer.MIN_VALUE - ia : ia;
        ib = ib < 0 ? Integer.MIN_VALUE - ib : ib;
        return Math.abs(ia - ib);
    }

    /** Every element within {@code maxUlps} of the reference (NaN only matches NaN). */
    public static void assertUlps(String what, float[] expected, float[] actual, long maxUlps) {
        // Read as host code reads a backend's result: through the hook that copies it back.
        Backends.sync(actual);
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (ulps(expected[i], actual[i]) > maxUlps) {
                fail(what + ": element " + i + ": expected " + expected[i] + " (java), got " + actual[i]
                    + " (tornado), " + ulps(expected[i], actual[i]) + " ulps apart, allowed " + maxUlps);
            }
        }
    }

    /**
     * Every element with the reference's exact bits: the sign of a zero counts, and a NaN must be
     * a NaN where Java gives one. Its payload is the device's: NVIDIA's GPUs make 0x7fffffff where
     * Java (and PoCL) make 0x7fc00000, and Java itself compares NaNs by Float.floatToIntBits, which
     * folds every payload into one.
     */
    public static void assertBits(String what, float[] expected, float[] actual) {
        Backends.sync(actual);
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            int want = Float.floatToRawIntBits(expected[i]);
            int got = Float.floatToRawIntBits(actual[i]);
            if (want != got && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                fail(what + ": element " + i + ": expected " + expected[i] + " (java, 0x" + Integer.toHexString(want)
                    + "), got " + actual[i] + " (tornado, 0x" + Integer.toHexString(got) + ")");
            }
        }
    }

    public static void assertSame(String what, int[] expected, int[] actual) {
        Backends.sync(actual);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                fail(what + ": element " + i + ": expected " + expected[i] + " (java), got " + actual[i] + " (tornado)");
            }
        }
    }
}
