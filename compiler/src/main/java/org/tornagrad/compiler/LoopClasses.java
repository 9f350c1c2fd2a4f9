package org.tornagrad.compiler;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles generated loop sources in this process (the JDK's javac, in memory) and defines each as
 * a hidden class of this package, so it may extend {@link GeneratedLoop} and call the
 * package-private {@link VectorMath} and {@link BlockMath}. Classes are cached by source text: a
 * source holds only the shape of a run of ops, and programs of the same loss share their loops.
 */
final class LoopClasses {
    private static final MethodType CONSTRUCTOR =
        MethodType.methodType(void.class, int[].class, float[].class, String.class, String.class);

    private static final Map<String, MethodHandle> CACHE = new HashMap<>();
    private static final Map<String, Integer> RUN_LENGTHS = new HashMap<>();
    private static int compilations;

    private LoopClasses() {
    }

    /** Whether this runtime has a Java compiler (a JDK, not a bare JRE). */
    static boolean compilerAvailable() {
        return InProcessJavac.available();
    }

    /** A new loop instance of the class compiled from {@code s}; throws when javac fails. */
    static GeneratedLoop instantiate(LoopSource s) throws Throwable {
        MethodHandle ctor = constructor(s.source);
        return (GeneratedLoop) ctor.invoke(s.ints, s.floats, s.source, s.summary);
    }

    /** How many sources javac has compiled in this process (the cache's misses). */
    static synchronized int compilations() {
        return compilations;
    }

    /** The bytecode length of the {@code run} method compiled from {@code source} (compiling it if new). */
    static synchronized int runLength(String source) throws Throwable {
        constructor(source);
        return RUN_LENGTHS.get(source);
    }

    static synchronized MethodHandle constructor(String source) throws Throwable {
        MethodHandle ctor = CACHE.get(source);
        if (ctor == null) {
            byte[] bytes = compile(source);
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes, true);
            ctor = hidden.findConstructor(hidden.lookupClass(), CONSTRUCTOR);
            CACHE.put(source, ctor);
            RUN_LENGTHS.put(source, BytecodeLength.of(bytes, "run"));
            compilations++;
        }
        return ctor;
    }

    private static byte[] compile(String source) {
        return InProcessJavac.compile("org.tornagrad.compiler." + LoopSource.CLASS_NAME, source,
            List.of("--add-modules", "jdk.incubator.vector", "-g:none"));
    }
}
