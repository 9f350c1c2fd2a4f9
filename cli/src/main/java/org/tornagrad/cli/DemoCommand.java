package org.tornagrad.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tornagrad.autograd.NoGrad;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Losses;
import org.tornagrad.losses.Options;
import org.tornagrad.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tornagrad demo}: each chosen loss drives a logit map (CCS: anchor embeddings) towards a
 * synthetic target by plain gradient descent; prints a table and writes a PNG.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    // picocli's command list shows only the first line: it must be a whole sentence.
    description = {
        "Trains each chosen loss on a synthetic target and pictures the result.",
        "A logit map is optimized towards a segmentation target (discs, squares and",
        "diamonds on a grid, 4 classes) by plain gradient descent; CCS pulls anchor",
        "embeddings towards the classification vectors of the shapes' boxes.",
        "No input files needed. Shows progress on stderr, prints a table (loss, first",
        "and last value, IoU with the target, time per step, backend) and writes a PNG",
        "with target, prediction and gradient per loss.",
        ""})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--loss", paramLabel = "NAME|all", defaultValue = "all",
        description = "all (default), one loss, or a comma-separated list.")
    String lossSpec;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "150",
        description = "Gradient-descent steps per loss (default ${DEFAULT-VALUE}).")
    int steps;

    /** The start of every --out error. */
    static final String OUT_EXPECTED = "--out: expected a writable .png or .jpg path";

    @Option(names = "--out", paramLabel = "FILE.png", defaultValue = "tornagrad-demo.png",
        description = "The picture to write: PNG, or JPEG for a name ending in .jpg or .jpeg (default"
            + " ${DEFAULT-VALUE}, in the current directory).")
    Path out;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "64",
        description = "Side of the synthetic image, 24 to 256 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
        description = "Seed of the sample and the initial parameters (default ${DEFAULT-VALUE}).")
    long seed;

    // Read by lrScale(String), not by picocli's float converter, which took Java's 1f and 0x1p3.
    @Option(names = "--lr-scale", paramLabel = "X", defaultValue = "1",
        description = "Multiplies every loss's learning rate (default ${DEFAULT-VALUE}).")
    String lrScaleText;

    @Mixin
    BackendOption backend;

    /** The outcome of one loss's run. */
    record Result(String loss, String options, float first, float last, double firstScore, double score,
                  double msPerStep, DemoImage.Row row) {
    }

    @SuppressWarnings("try")    // the scope is used for its side effect: choosing the backend
    @Override
    public Integer call() {
        if (steps < 1 || steps > 100_000) {
            throw new IllegalArgumentException("--steps: expected an integer in [1, 100000], got " + steps);
        }
        if (size < 24 || size > 256) {
            throw new IllegalArgumentException("--size: expected an integer in [24, 256], got " + size);
        }
        float lrScale = lrScale(lrScaleText);
        BackendOption.Choice chosen = backend.resolve();
        List<String> losses = parseLosses(lossSpec);
        checkOut(out);
        System.setProperty("java.awt.headless", "true");
        DemoScene scene = DemoScene.make(size, seed);
        List<DemoTask> tasks = new ArrayList<>();
        for (String name : losses) {
            tasks.add(DemoTask.of(name, scene, seed, lrScale));
        }

        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, Progress.stderrIsTerminal());
        List<Result> results = new ArrayList<>();
        try (Backends.Scope scope = Backends.use(chosen.backend())) {
            for (int i = 0; i < tasks.size(); i++) {
                String label = String.format(Locale.ROOT, "[%d/%d] %-14s", i + 1, tasks.size(), tasks.get(i).lossName);
                if (chosen.compiled()) {
                    try (CompiledLoss compiled = CompiledLoss.of(tasks.get(i).loss, chosen.compiler())) {
                        results.add(train(tasks.get(i), steps, progress, label, compiled));
                    }
                } else {
                    results.add(train(tasks.get(i), steps, progress, label, null));
                }
            }
        }

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(table(results, chosen.name()));
        stdout.flush();
        List<DemoImage.Row> rows = new ArrayList<>();
        for (Result r : results) {
            rows.add(r.row());
        }
        boolean labelled = DemoImage.write(rows, size, steps, out);
        err.println("wrote " + out + (labelled ? "" : " (without labels: this JVM has no fonts;"
            + " install fontconfig and a font, e.g. apt-get install fonts-dejavu-core)"));
        err.flush();
        return 0;
    }

    /**
     * --lr-scale: a decimal, as loss options are written (Options.isDecimal), in (0, 1e6] once
     * it is a float; the message quotes the text given, not the float it became (1e-50 is 0).
     */
    static float lrScale(String text) {
        String range = "--lr-scale: expected a number in (0, 1e6]";
        if (!Options.isDecimal(text.trim())) {
            throw new IllegalArgumentException(range + Options.DECIMAL_EXAMPLES + ", got '" + text + "'");
        }
        float value = Float.parseFloat(text.trim());
        if (!(value > 0 && value <= 1e6)) {
            String underflow = value == 0 && Double.parseDouble(text.trim()) > 0 ? ", which is 0 as a float" : "";
            throw new IllegalArgumentException(range + ", got '" + text + "'" + underflow);
        }
        return value;
    }

    static List<String> parseLosses(String spec) {
        if (spec.trim().equals("all")) {
            return Losses.names();
        }
        List<String> out = new ArrayList<>();
        // -1 keeps trailing empty parts, so that "," or "dice," is refused rather than read as fewer losses.
        for (String part : spec.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("--loss: expected all or a comma-separated list of "
                    + String.join(", ", Losses.names()) + ", got '" + spec + "', which has an empty name");
            }
            if (!Losses.names().contains(name)) {
                throw new IllegalArgumentException("--loss: expected all or one of " + String.join(", ", Losses.names())
                    + ", got '" + name + "'");
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Checked before training, which can take minutes, so that a wrong --out costs nothing. */
    static void checkOut(Path out) {
        String expected = OUT_EXPECTED + ", got '" + out + "'";
        if (out.toString().isEmpty()) {
            throw new IllegalArgumentException(expected);
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(expected + ", which is a directory");
        }
        DemoImage.format(out);
        Path folder = out.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new IllegalArgumentException(expected + ", whose folder does not exist");
        }
        if (!Files.isWritable(folder) || Files.exists(out) && !Files.isWritable(out)) {
            throw new IllegalArgumentException(expected + ", which is not writable");
        }
    }

    /** Plain gradient descent on the task's parameter for {@code steps} steps. */
    @SuppressWarnings("try")    // the NoGrad scope is used for its side effect: no graph for the last value
    /**
     * Plain gradient descent on the task's parameters; with {@code compiled}, the loss and the
     * gradients of its inputs come from the compiled program, and what lies between the
     * parameters and those inputs (active-contour's softmax) is differentiated eagerly.
     */
    static Result train(DemoTask task, int steps, Progress progress, String label, CompiledLoss compiled) {
        Tensor param = task.initialParam();
        double firstScore = task.score(param);
        float first = Float.NaN;
        Tensor firstGrad = null;
        progress.start(label, steps);
        long t0 = System.nanoTime();
        for (int step = 0; step < steps; step++) {
            Variable p = Variable.param(param);
            float value = compiled == null ? eagerStep(task, p) : compiledStep(task, p, compiled);
            Tensor grad = p.grad();
            if (step == 0) {
                first = value;
                firstGrad = grad;
            }
            param = param.sub(grad.mul(task.lr));
            progress.update(step + 1, value);
        }
        double msPerStep = (System.nanoTime() - t0) / 1e6 / steps;
        float last;
        try (NoGrad scope = NoGrad.enter()) {
            last = task.loss.compute(task.inputs(Variable.constant(param))).data().item();
        }
        double score = task.score(param);
        String scoreText = task instanceof DemoTask.Ccs
            ? String.format(Locale.ROOT, "class accuracy %.3f", score)
            : String.format(Locale.ROOT, "mean IoU %.3f -> %.3f", firstScore, score);
        DemoImage.Row row = new DemoImage.Row(task.lossName, task.optionText, first, last, scoreText, task.targetPixels(),
            task.predictionPixels(param), task.gradientPixels(firstGrad), task.gradientCaption());
        return new Result(task.lossName, task.optionText, first, last, firstScore, score, msPerStep, row);
    }

    /** The loss at {@code p}, its gradient left in {@code p.grad()}: every op eager. */
    private static float eagerStep(DemoTask task, Variable p) {
        Variable loss = task.loss.compute(task.inputs(p));
        loss.backward();
        return loss.data().item();
    }

    /** As {@link #eagerStep}, the loss and its inputs' gradients from the compiled program. */
    private static float compiledStep(DemoTask task, Variable p, CompiledLoss compiled) {
        Map<String, Variable> inputs = task.inputs(p);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        inputs.forEach((name, v) -> tensors.put(name, v.data()));
        Map<String, Tensor> out = compiled.forwardBackward(tensors);
        float value = out.get("loss").item();
        for (String name : task.loss.differentiated()) {
            Variable v = inputs.get(name);
            Tensor g = out.get("grad:" + name);
            if (v != null && g != null && v.requiresGrad()) {
                // A copy: the compiled program's outputs are overwritten by its next run.
                v.backward(Tensor.of(g.toArray(), g.shape().dims()));
            }
        }
        return value;
    }

    /**
     * The progress line's last value is the loss computed in the last step, before that step's
     * update; the table's "last" is the loss after it (the parameters the picture shows).
     */
    static final String LAST_NOTE = "first: the loss before training; last: after the last update (the progress"
        + " line's final loss is from before it)";

    static String table(List<Result> results, String backend) {
        StringBuilder sb = new StringBuilder();
        // The backend column as wide as its entry ("tornado-compiled"), so the options stay aligned.
        String backendColumn = "%-" + Math.max(9, backend.length()) + "s";
        sb.append(String.format(Locale.ROOT, "%-16s %10s %10s %7s %9s  " + backendColumn + " %s%n", "loss", "first",
            "last", "IoU", "ms/step", "backend", "options"));
        List<String> notes = new ArrayList<>();
        for (Result r : results) {
            String mark = switch (r.loss()) {
                case "active-contour" -> "a";
                case "boundary" -> "b";
                case "ccs" -> "c";
                default -> " ";
            };
            sb.append(String.format(Locale.ROOT, "%-16s %10.5f %10.5f %6.3f%s %9.2f  " + backendColumn + " %s%n",
                r.loss(), r.first(), r.last(), r.score(), mark, r.msPerStep(), backend, r.options()));
            switch (mark) {
                case "a" -> notes.add("a: weight=1, not the seed's 10: on a small image with many edges the length"
                    + " term would outweigh the region terms");
                case "b" -> notes.add("b: BF1 looks only at pixels near edges (theta=5), so interiors are left"
                    + " unconstrained; pair it with a region loss in practice");
                case "c" -> notes.add("c: not IoU but the share of the anchors assigned to a shape whose embedding is"
                    + " closest to that shape's class vector");
                default -> { }
            }
        }
        for (String note : notes) {
            sb.append(note).append('\n');
        }
        sb.append(LAST_NOTE).append('\n');
        return sb.toString();
    }
}
