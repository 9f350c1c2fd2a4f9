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
