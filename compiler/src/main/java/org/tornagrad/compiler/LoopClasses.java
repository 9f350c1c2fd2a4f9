package org.tornagrad.compiler;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.StringWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

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
    private static StandardJavaFileManager files;
    private static int compilations;

    private LoopClasses() {
    }

    /** Whether this runtime has a Java compiler (a JDK, not a bare JRE). */
    static boolean compilerAvailable() {
        return ToolProvider.getSystemJavaCompiler() != null;
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
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler (a JRE)");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        if (files == null) {
            files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        }
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        JavaFileManager memory = new ForwardingJavaFileManager<>(files) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        classes.put(className, out);
                        return out;
                    }
                };
            }
        };
        String name = "org/tornagrad/compiler/" + LoopSource.CLASS_NAME;
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> options = List.of("-classpath", classPath(), "--add-modules", "jdk.incubator.vector",
            "-proc:none", "-g:none", "-nowarn", "-Xlint:none");
        StringWriter log = new StringWriter();
        Boolean ok = javac.getTask(log, memory, diagnostics, options, null, List.of(unit)).call();
        ByteArrayOutputStream bytes = classes.get(name.replace('/', '.'));
        if (!Boolean.TRUE.equals(ok) || bytes == null) {
            throw new IllegalStateException("javac failed on a generated loop: " + diagnostics.getDiagnostics() + " " + log);
        }
        return bytes.toByteArray();
    }

    /** This module's classes (a folder or a jar), then the process's class path. */
    private static String classPath() {
        StringBuilder cp = new StringBuilder();
        CodeSource code = LoopClasses.class.getProtectionDomain().getCodeSource();
        if (code != null && code.getLocation() != null) {
            try {
                cp.append(Path.of(code.getLocation().toURI()));
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                // An unusual location (not a file): the class path below may still hold this module.
            }
        }
        String rest = System.getProperty("java.class.path", "");
        if (!rest.isEmpty()) {
            cp.append(cp.length() == 0 ? "" : File.pathSeparator).append(rest);
        }
        return cp.toString();
    }
}
