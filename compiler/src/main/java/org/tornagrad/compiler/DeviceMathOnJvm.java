package org.tornagrad.compiler;

/**
 * The float math functions that {@link DeviceSource}'s kernels call, for kernels run as plain
 * Java ({@link DeviceSourceOnJvm}): what TornadoVM's {@code TornadoMath} float methods do on a
 * JVM, Java's double function rounded to float, so that these kernels give the Java reference's
 * bits. On a device the target names {@code TornadoMath} instead, whose float methods TornadoVM
 * compiles to the device's float functions ({@code exp}, {@code log}, ... of OpenCL C).
 */
public final class DeviceMathOnJvm {
    private DeviceMathOnJvm() {
    }

    public static float exp(float x) {
        return (float) Math.exp(x);
    }

    public static float log(float x) {
        return (float) Math.log(x);
    }

    public static float pow(float x, float y) {
        return (float) Math.pow(x, y);
    }

    public static float tanh(float x) {
        return (float) Math.tanh(x);
    }
}
