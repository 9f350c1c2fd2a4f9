package org.tornagrad.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tornagrad.compiler.ProgramCompiler;
import org.tornagrad.compiler.ProgramCompilers;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tornagrad backends}: the eager backends and the program compilers found, one a line, the
 * default marked with {@code *}.
 */
@Command(name = "backends", mixinStandardHelpOptions = true,
    description = {"Lists the backends (eager: each op runs at once) and the compilers (a",
        "loss traced once per shape and run as one fused program) available, with",
        "what each runs on; * marks the default.",
        // Within the help's 80 columns, as every description line (see EvalCommand).
        "Choose one with --backend NAME, -Dtornagrad.backend=NAME or",
        "TORNAGRAD_BACKEND=NAME."})
final class BackendsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String defaultName = new BackendOption().resolve().name();
        Map<String, String> rows = new LinkedHashMap<>();
        for (Backend b : Backends.all()) {
            rows.put(b.name(), "eager: " + b.description());
        }
        for (ProgramCompiler c : ProgramCompilers.all()) {
            rows.put(c.name(), "compiler: " + c.description());
        }
        int width = 0;
        for (String name : rows.keySet()) {
            width = Math.max(width, name.length());
        }
        for (Map.Entry<String, String> e : rows.entrySet()) {
            out.printf("%s %-" + width + "s  %s%n", e.getKey().equals(defaultName) ? "*" : " ", e.getKey(), e.getValue());
        }
        out.flush();
        return 0;
    }
}
