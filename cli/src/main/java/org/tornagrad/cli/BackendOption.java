package org.tornagrad.cli;

import java.util.ArrayList;
import java.util.List;
import org.tornagrad.compiler.ProgramCompiler;
import org.tornagrad.compiler.ProgramCompilers;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import picocli.CommandLine.Option;

/**
 * {@code --backend NAME}, shared by the commands that compute: an eager backend (each op runs at
 * once: {@code java}, {@code parallel}, {@code tornado}) or a program compiler (the loss traced
 * once per shape and run as one compiled program: {@code compiled}, {@code tornado-compiled}).
 */
final class BackendOption {
    static final String PROPERTY = "tornagrad.backend";
    static final String ENV = "TORNAGRAD_BACKEND";

    @Option(names = "--backend", paramLabel = "NAME",
        description = "Backend or compiler to run on (see `tornagrad backends`); default: -Dtornagrad.backend, "
            + "else $TORNAGRAD_BACKEND, else java.")
    String name;

    /** What {@code --backend} chose: an eager backend, or a compiler (then {@link #backend} runs what is not compiled). */
    record Choice(Backend backend, ProgramCompiler compiler) {
        String name() {
            return compiler != null ? compiler.name() : backend.name();
        }

        boolean compiled() {
            return compiler != null;
        }
    }

    /** The chosen backend or compiler (an IllegalArgumentException listing the known names for an unknown one). */
    Choice resolve() {
        String chosen = name;
        String source = "--backend";
        if (chosen == null) {
            String property = System.getProperty(PROPERTY);
            boolean fromProperty = property != null && !property.isBlank();
            chosen = fromProperty ? property.trim() : System.getenv(ENV);
            source = fromProperty ? "-D" + PROPERTY : ENV;
            if (chosen == null || chosen.isBlank()) {
                return new Choice(Backends.defaultBackend(), null);
            }
            chosen = chosen.trim();
        }
        requireTornado(chosen, source);
        ProgramCompiler compiler = ProgramCompilers.find(chosen);
        if (compiler != null) {
            return new Choice(Backends.get("parallel"), compiler);
        }
        if (!Backends.names().contains(chosen)) {
            List<String> names = new ArrayList<>(Backends.names());
            ProgramCompilers.all().forEach(c -> names.add(c.name()));
            throw new IllegalArgumentException(source + ": expected a backend or compiler, one of " + names + ", got '"
                + chosen + "'");
        }
        return new Choice(Backends.get(chosen), null);
    }

    /** The tornado names are on the class path only when ./tornagrad runs under TornadoVM: say how to get them. */
    private static void requireTornado(String chosen, String source) {
        if (!chosen.startsWith("tornado") || Backends.names().contains(chosen) || ProgramCompilers.find(chosen) != null) {
            return;
        }
        String home = System.getenv("TORNADOVM_HOME");
        throw new IllegalArgumentException(source + " " + chosen + ": TornadoVM is not available: " + (home == null
            || home.isBlank() ? "TORNADOVM_HOME is not set (set it to a TornadoVM SDK and JAVA_HOME to a JDK 25,"
            + " see docs/tornadovm.md)" : "TORNADOVM_HOME is set, but this JVM does not have the tornado module on"
            + " its class path (run ./tornagrad, which builds it with -Ptornado)"));
    }
}
