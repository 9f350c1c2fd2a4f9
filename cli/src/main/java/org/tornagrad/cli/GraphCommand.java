package org.tornagrad.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tornagrad.autograd.DotExporter;
import org.tornagrad.autograd.Variable;
import org.tornagrad.compiler.ProgramCompilers;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tornagrad graph LOSS}: the autograd graph of one loss, as DOT or (through Graphviz) SVG. */
@Command(name = "graph", mixinStandardHelpOptions = true, sortOptions = false,
    // Each line fits the help's 80 columns (see EvalCommand); the first, which picocli's command
    // list shows alone, is a whole sentence.
    description = {
        "Writes the autograd graph of one loss (Graphviz DOT, or SVG through Graphviz).",
        "",
        "Inputs come from NAME=FILE.npy arguments; any input not given is made up at",
        "random, with the shape from --shape or one that fits the others (e.g. inputs",
        "1x1x8x8 for dice).",
        "Example: tornagrad graph boundary --shape 1x3x16x16 --format svg --out b.svg",
        "",
        "With a compiler (--backend compiled or tornado-compiled): not the graph but",
        "the compiled program of the loss and its gradients for these shapes, one",
        "fused kernel or kernel call a step (text); with --kernels too, the source it",
        "generated (Java loops, or the device code TornadoVM made).",
        ""})
final class GraphCommand implements Callable<Integer> {
    /** System property naming the Graphviz program; default {@code dot}, looked up on PATH. */
    static final String DOT_PROPERTY = "tornagrad.dot";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LOSS",
        description = "dice, bce-dice, iou, focal, active-contour, boundary or ccs.")
    String lossName;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "NAME=FILE.npy", description = "Inputs read from files.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--shape", paramLabel = "[NAME=]DIMS",
        description = "Shape of a made-up input, e.g. 2x3x16x16 (the main input: inputs, y_pred, pred or"
            + " embeddings) or gt=2x16x16; repeatable.")
    List<String> shapes = new ArrayList<>();

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", parameterConsumer = OptionPairs.class, description = "A loss option, as for eval; repeatable.")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--format", paramLabel = "dot|svg", defaultValue = "dot",
        description = "dot (default) or svg (needs Graphviz).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the graph; default: stdout.")
    Path out;

    @Option(names = "--kernels",
        description = "With --backend tornado or tornado-compiled: instead of the graph, the code TornadoVM"
            + " generates for the loss's forward and backward as one task graph of fused kernels (OpenCL C on an"
            + " OpenCL device), one kernel per launch. With --backend compiled: the Java source of the compiled"
            + " program's generated loops.")
    boolean kernels;

    @Mixin
    BackendOption backend;

    @SuppressWarnings("try")    // the scope is used for its side effect: choosing the backend
    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!format.equals("dot") && !format.equals("svg")) {
            throw new IllegalArgumentException("--format: expected dot or svg, got '" + format + "'");
        }
        BackendOption.Choice chosen = backend.resolve();
        // --backend tornado --kernels shows what the device runs: the loss compiled for it.
        if (kernels && chosen.name().equals("tornado")) {
            chosen = new BackendOption.Choice(chosen.backend(), ProgramCompilers.get("tornado-compiled"));
        }
        boolean compiled = chosen.compiled();
        if (compiled && format.equals("svg")) {
            throw new IllegalArgumentException("--format: expected dot (the default) with --backend " + chosen.name()
                + ", which writes the compiled program's listing (text), not a graph; got " + format);
        }
        String dotProgram = format.equals("svg") ? findDot() : null;
        Loss loss = Losses.create(lossName, options);
        Map<String, Path> files = LossInputs.parse(loss, inputs);
        Map<String, int[]> shapeSpecs = parseShapes(loss, shapes, files);
        Map<String, Tensor> given = LossInputs.read(files);
        Map<String, Tensor> tensors = SyntheticInputs.complete(loss, options, given, shapeSpecs);

        String dot;
        if (kernels) {
            if (!compiled || dotProgram != null) {
                throw new IllegalArgumentException("--kernels: expected a compiler (--backend compiled, tornado or"
                    + " tornado-compiled) and --format dot, got --backend " + chosen.name() + " --format " + format);
            }
            try (CompiledLoss c = CompiledLoss.of(loss, chosen.compiler())) {
                dot = c.generatedSource(tensors, true);
            }
        } else if (compiled) {
            // The compiled path runs no autograd graph: what it runs is this program.
            try (CompiledLoss c = CompiledLoss.of(loss, chosen.compiler())) {
                dot = "// " + loss.name() + " loss and gradients, compiled for " + shapes(tensors) + " (--backend "
                    + chosen.name() + ")\n" + c.listing(tensors, true);
            }
        } else {
            try (Backends.Scope scope = Backends.use(chosen.backend())) {
                Variable value = loss.compute(LossInputs.variables(loss, tensors));
                dot = DotExporter.toDot(value.named(loss.name() + " loss"));
            }
        }
        byte[] bytes = dotProgram == null ? dot.getBytes(StandardCharsets.UTF_8) : runDot(dotProgram, dot);
        if (out == null) {
            PrintWriter w = spec.commandLine().getOut();
            w.print(new String(bytes, StandardCharsets.UTF_8));
            w.flush();
        } else {
            try {
                Files.write(out, bytes);
            } catch (IOException e) {
                throw new IllegalArgumentException("--out: expected a writable file, got '" + out + "' ("
                    + Errors.ioReason(e) + ")");
            }
        }
        return 0;
    }

    private static String shapes(Map<String, Tensor> tensors) {
        StringBuilder sb = new StringBuilder();
        tensors.forEach((name, t) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(' ').append(t.shape()));
        return sb.toString();
    }

    /**
     * The shapes of --shape; an input given twice is an error, as a repeated -o key is, not
     * last-one-wins. So is a shape for an input read from a file: the file's shape won, and the
     * --shape was dropped without a word.
     */
    static Map<String, int[]> parseShapes(Loss loss, List<String> specs, Map<String, Path> files) {
        Map<String, String> specOf = new HashMap<>();
        for (String spec : specs) {
            String name = SyntheticInputs.parseShapes(loss, List.of(spec)).keySet().iterator().next();
            if (files.containsKey(name)) {
                throw new IllegalArgumentException("--shape: expected a shape only for an input not read from a file,"
                    + " got '" + spec + "' for " + name + ", which is read from '" + files.get(name) + "'");
            }
            String before = specOf.put(name, spec);
            if (before != null) {
                throw new IllegalArgumentException("--shape: expected at most one shape for " + name + ", got '"
                    + before + "' and '" + spec + "'");
            }
        }
        return SyntheticInputs.parseShapes(loss, specs);
    }

    /** The Graphviz program: -Dtornagrad.dot, else {@code dot}, found on PATH. */
    static String findDot() {
        String program = System.getProperty(DOT_PROPERTY, "dot");
        if (program.contains(File.separator)) {
            if (Files.isExecutable(Path.of(program))) {
                return program;
            }
        } else {
            String path = System.getenv("PATH");
            for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                    return Path.of(dir, program).toString();
                }
            }
        }
        throw new IllegalArgumentException("--format svg: expected Graphviz's '" + program
            + "' program, not found on PATH; install the graphviz package (e.g. apt-get install graphviz)"
            + " or use --format dot");
    }

    private static byte[] runDot(String program, String dot) throws IOException, InterruptedException {
        Path result = Files.createTempFile("tornagrad-graph-", ".svg");
        Path errors = Files.createTempFile("tornagrad-graph-", ".log");
        try {
            Process p = new ProcessBuilder(program, "-Tsvg")
                .redirectOutput(result.toFile())
                .redirectError(errors.toFile())
                .start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(dot.getBytes(StandardCharsets.UTF_8));
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(program + " -Tsvg failed with exit code " + rc + ": "
                    + Errors.oneLine(Files.readString(errors)));
            }
            return Files.readAllBytes(result);
        } finally {
            Files.deleteIfExists(result);
            Files.deleteIfExists(errors);
        }
    }
}
