package org.tornagrad.compiler;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
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
 * The JDK's javac, in this process and in memory: what turns generated sources (the CPU's vector
 * loops, the device kernels) into class bytes, against this module and the process's class path.
 */
public final class InProcessJavac {
    private static StandardJavaFileManager files;

    private InProcessJavac() {
    }

    /** Whether this runtime has a Java compiler (a JDK, not a bare JRE). */
    public static boolean available() {
        return ToolProvider.getSystemJavaCompiler() != null;
    }

    /**
     * The bytes of class {@code className} compiled from {@code source}, with javac's
     * {@code options} added to the class path and quiet defaults; throws with javac's messages
     * when it fails.
     */
    public static synchronized byte[] compile(String className, String source, List<String> options) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler (a JRE, not a JDK)");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        if (files == null) {
            files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        }
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        JavaFileManager memory = new ForwardingJavaFileManager<>(files) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        classes.put(name, out);
                        return out;
                    }
                };
            }
        };
        String path = className.replace('.', '/');
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + path + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> all = new ArrayList<>(List.of("-classpath", classPath(), "-proc:none", "-nowarn", "-Xlint:none"));
        all.addAll(options);
        StringWriter log = new StringWriter();
        Boolean ok = javac.getTask(log, memory, diagnostics, all, null, List.of(unit)).call();
        ByteArrayOutputStream bytes = classes.get(className);
        if (!Boolean.TRUE.equals(ok) || bytes == null) {
            throw new IllegalStateException("javac failed on generated " + className + ": " + diagnostics.getDiagnostics()
                + " " + log);
        }
        return bytes.toByteArray();
    }

    /** This module's classes (a folder or a jar), then the process's class path. */
    static String classPath() {
        StringBuilder cp = new StringBuilder();
        CodeSource code = InProcessJavac.class.getProtectionDomain().getCodeSource();
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
