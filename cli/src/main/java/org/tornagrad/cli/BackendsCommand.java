package org.tornagrad.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tornagrad backends}: the backends found, one a line, the default marked with {@code *}. */
@Command(name = "backends", mixinStandardHelpOptions = true,
    description = {"Lists the backends available (name, description); * marks the default.",
        // Within the help's 80 columns, as every description line (see EvalCommand).
        "Choose one with --backend NAME, -Dtornagrad.backend=NAME or",
        "TORNAGRAD_BACKEND=NAME."})
final class BackendsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String defaultName = Backends.defaultBackend().name();
        List<Backend> all = Backends.all();
        int width = 0;
        for (Backend b : all) {
            width = Math.max(width, b.name().length());
        }
        for (Backend b : all) {
            out.printf("%s %-" + width + "s  %s%n", b.name().equals(defaultName) ? "*" : " ", b.name(), b.description());
        }
        out.flush();
        return 0;
    }
}
