package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The bodies spelled out for devices (no Math.max/min, no <= or >=) give exactly the bits of the
 * plain Java formulas they replace, on every pair of special values: NaNs with two payloads,
 * both zeros, infinities, the extremes of float and ordinary numbers.
 */
class NaNExplicitBodiesTest {
    /** Two NaNs with different payloads, so that "which NaN comes back" is checked too. */
    static final float NAN_A = Float.intBitsToFloat(0x7fc00000);
    static final float NAN_B = Float.intBitsToFloat(0xffc00123);
    static final float[] SPECIAL = {
        NAN_A, NAN_B, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, 1e-12f, -100f, 2.5f
    };

    static void assertBits(String what, float want, float got) {
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
            what + ": expected " + want + " (0x" + Integer.toHexString(Float.floatToRawIntBits(want)) + "), got " + got
                + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got)) + ")");
    }

    /**
     * As {@link #assertBits}, except that any NaN equals any NaN: the payload and sign of a NaN
     * that arithmetic (not a selection) produced vary between the interpreter and the JIT.
     */
    static void assertValue(String what, float want, float got) {
        if (Float.isNaN(want) && Float.isNaN(got)) {
            return;
        }
        assertBits(what, want, got);
    }

    @Test
    void maximumAndMinimumAreMathMaxAndMinBitForBit() {
        for (float x : SPECIAL) {
            for (float y : SPECIAL) {
                assertBits("maximum(" + x + ", " + y + ")", Math.max(x, y), Binary.maximum(x, y));
                assertBits("minimum(" + x + ", " + y + ")", Math.min(x, y), Binary.minimum(x, y));
                assertBits("apply max", Math.max(x, y), Binary.apply(Binary.MAX, x, y));
                assertBits("apply min", Math.min(x, y), Binary.apply(Binary.MIN, x, y));
            }
        }
    }

    @Test
    void comparisonsAndTheClampedLogAreThePlainJavaFormulas() {
        for (float x : SPECIAL) {
            for (float y : SPECIAL) {
                assertBits("le(" + x + ", " + y + ")", x <= y ? 1f : 0f, Binary.apply(Binary.LE, x, y));
                assertBits("ge(" + x + ", " + y + ")", x >= y ? 1f : 0f, Binary.apply(Binary.GE, x, y));
            }
            assertValue("clampedLog(" + x + ")", Math.max((float) Math.log(x), -100f), Binary.clampedLog(x));
        }
    }

    @Test
    void reluAndClampAreThePlainJavaFormulas() {
        for (float x : SPECIAL) {
            assertBits("relu(" + x + ")", x <= 0f ? 0f : x, Unary.apply(Unary.RELU, x, 0f, 0f));
            for (float a : SPECIAL) {
                for (float b : SPECIAL) {
                    assertBits("clamp(" + x + ", " + a + ", " + b + ")", Math.min(Math.max(x, a), b),
                        Unary.apply(Unary.CLAMP, x, a, b));
                }
            }
        }
    }
}
