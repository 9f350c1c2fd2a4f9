package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tornagrad.compiler.DeviceMathOnJvm;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * Without a device: {@link DeviceMathOnJvm}, the math class of the fused kernels run as Java, is
 * what {@link TornadoMath}'s float methods (the class {@link GeneratedKernels#MATH} names for the
 * device) compute on a JVM, bit for bit. The device's own float functions are checked against
 * Java by the kernels' tests on a device.
 */
class DeviceMathStandInTest {
    private static final float[] SPECIAL = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 2f, 0.5f,
        88.72284f, -103.97209f, 1.8446744e19f};

    @Test
    void theStandInIsTornadoMathOnTheJvm() {
        assertEquals(TornadoMath.class.getName(), GeneratedKernels.MATH);
        Random r = new Random(7);
        float[] x = new float[SPECIAL.length + 2000];
        System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
        for (int i = SPECIAL.length; i < x.length; i++) {
            x[i] = Float.intBitsToFloat(r.nextInt()); // every sign, exponent and payload
        }
        for (int i = 0; i < x.length; i++) {
            float a = x[i];
            float b = x[(i * 7 + 3) % x.length];
            same(TornadoMath.exp(a), DeviceMathOnJvm.exp(a), "exp", a);
            same(TornadoMath.log(a), DeviceMathOnJvm.log(a), "log", a);
            same(TornadoMath.tanh(a), DeviceMathOnJvm.tanh(a), "tanh", a);
            same(TornadoMath.pow(a, b), DeviceMathOnJvm.pow(a, b), "pow " + b, a);
        }
    }

    private static void same(float expected, float actual, String what, float x) {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), what + " of " + x);
    }
}
