package org.tornagrad.compiler;

/**
 * Whether {@link VectorMath} can run: the incubating vector module of JDK 17+ must be in the boot
 * layer ({@code java --add-modules jdk.incubator.vector}); {@code -Dtornagrad.vector=false} turns
 * it off. Kept apart so that nothing touches the vector classes when the module is absent.
 */
final class VectorSupport {
    static final String PROPERTY = "tornagrad.vector";

    private VectorSupport() {
    }

    /**
     * Why {@link #available} is false, as a clause a message can end with, or null when it is true
     * (it runs the self-test again when the module is present).
     */
    static String unavailableReason() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return "the vector API is turned off (-D" + PROPERTY + "=false)";
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "this JVM runs without the vector module (add --add-modules jdk.incubator.vector to java's"
                + " options; ./tornagrad adds it)";
        }
        return available() ? null : "the vector module failed its self-test on this JVM";
    }

    static boolean available() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorMath.selfTest();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
