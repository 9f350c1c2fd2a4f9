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
        return name == null ? Backends.defaultBackend() : Backends.get(name);
    }
}
