package org.tornagrad.cli;

import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import picocli.CommandLine.Option;

/** {@code --backend NAME}, shared by the commands that compute. */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME",
        description = "Backend to run on (see `tornagrad backends`); default: -Dtornagrad.backend, "
            + "else $TORNAGRAD_BACKEND, else java.")
    String name;

    /** The chosen backend (an IllegalArgumentException listing the known ones for an unknown name). */
    Backend resolve() {
        if ("tornado".equals(name) && !Backends.names().contains(name)) {
            // The tornado backend is on the class path only when ./tornagrad runs under TornadoVM.
            String home = System.getenv("TORNADOVM_HOME");
            throw new IllegalArgumentException("--backend tornado: TornadoVM is not available: " + (home == null
                || home.isBlank() ? "TORNADOVM_HOME is not set (set it to a TornadoVM SDK and JAVA_HOME to a JDK 25,"
                + " see the README's TornadoVM section)" : "TORNADOVM_HOME is set, but this JVM does not have the"
                + " tornado backend on its class path (run ./tornagrad, which builds it with -Ptornado)"));
        }
        return name == null ? Backends.defaultBackend() : Backends.get(name);
    }
}
