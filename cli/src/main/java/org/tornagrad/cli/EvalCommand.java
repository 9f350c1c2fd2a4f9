package org.tornagrad.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.FocalLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tornagrad eval LOSS NAME=FILE.npy...}: one loss on inputs read from .npy files. Prints one
 * JSON object (a contract scripts parse) and writes a float32 .npy gradient per differentiated input.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    // Each line fits the help's 80 columns: picocli breaks a longer one and starts the next line
    // anew, which left a fragment of a sentence alone on a line.
    description = {
        "Computes one loss on .npy inputs and writes its gradients.",
        "",
        "Prints one JSON object on stdout, e.g.",
        "  {\"loss\": \"dice\", \"backend\": \"java\", \"value\": 0.1234,",
        "   \"grads\": {\"inputs\": \"DIR/inputs.npy\"}}",
        "DIR is --grads, else grads/ beside the first differentiated input's file.",
        "With reduction=none, value is a nested array and \"shape\" gives its shape; the",
        "gradients are then those of the sum of the terms. Each gradient is a float32",
        ".npy of its input's shape.",
        "",
        "Inputs by loss:",
        "  dice, bce-dice, iou, focal: inputs=LOGITS.npy targets=TARGETS.npy",
        "  active-contour:            y_true=... y_pred=PROBABILITIES.npy",
        "  boundary:                  pred=LOGITS.npy gt=LABELS.npy",
        "  ccs:                       anchors=... embeddings=... weights=...",
        "                             annotations=...",
        "Differentiated inputs: inputs, y_pred, pred, embeddings.",
        ""})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LOSS",
        description = "dice, bce-dice, iou, focal, active-contour, boundary or ccs.")
    String lossName;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "NAME=FILE.npy",
        description = "One per input of the loss.")
    List<String> inputs = new ArrayList<>();

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", parameterConsumer = OptionPairs.class,
        description = "A loss option, snake_case as in docs/loss-options.md (booleans true/false); repeatable.")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--grads", paramLabel = "DIR",
        description = "Folder for the gradient files (created if missing); default: grads/ in the folder of the"
            + " first differentiated input's file (printed in the JSON; existing gradient files there are"
            + " replaced).")
    Path gradsDir;

    @Mixin
    BackendOption backend;

    @SuppressWarnings("try")    // the scope is used for its side effect: choosing the backend
    @Override
    public Integer call() throws IOException {
        BackendOption.Choice chosen = backend.resolve();
        Loss loss = Losses.create(lossName, options);
        Map<String, Path> files = LossInputs.parse(loss, inputs);
        LossInputs.requireAll(loss, files);
        Map<String, Tensor> tensors = LossInputs.read(files);
        // By default next to the inputs, where a user looks for them: a fresh temporary folder per
        // call was left behind at every call.
        Path dir = prepare(gradsDir != null ? gradsDir : defaultGradsDir(loss, files));
        Map<String, Path> gradFiles = new LinkedHashMap<>();
        for (String name : loss.differentiated()) {
            gradFiles.put(name, dir.resolve(name + ".npy"));
        }
        refuseOverwritingInputs(files, gradFiles);

        Tensor value;
        Map<String, Tensor> grads = new LinkedHashMap<>();
        if (chosen.compiled()) {
            // The compiled path: traced and compiled for these shapes, then run once.
            try (CompiledLoss compiled = CompiledLoss.of(loss, chosen.compiler())) {
                Map<String, Tensor> out = compiled.forwardBackward(tensors);
                value = out.get("loss");
                for (String name : loss.differentiated()) {
                    grads.put(name, out.get("grad:" + name));
                }
            }
        } else {
            try (Backends.Scope scope = Backends.use(chosen.backend())) {
                Map<String, Variable> vars = LossInputs.variables(loss, tensors);
                Variable out = loss.compute(vars);
                value = out.data();
                if (out.requiresGrad()) {
                    // d(sum of the terms)/d(input): for a scalar loss, simply its gradient.
                    out.backward(Tensor.ones(out.shape().dims()));
                }
                for (String name : loss.differentiated()) {
                    Tensor g = vars.get(name).grad();
                    grads.put(name, g != null ? g : Tensor.zeros(tensors.get(name).shape().dims()));
                }
            }
        }
        requireFiniteValue(value);
        for (Map.Entry<String, Tensor> e : grads.entrySet()) {
            requireFiniteGradient(loss, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Tensor> e : grads.entrySet()) {
            Npy.write(gradFiles.get(e.getKey()), e.getValue());
        }
        spec.commandLine().getOut().println(json(loss.name(), chosen.name(), value, gradFiles));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String json(String loss, String backend, Tensor value, Map<String, Path> gradFiles) {
        StringBuilder sb = new StringBuilder("{\"loss\": ").append(Json.string(loss))
            .append(", \"backend\": ").append(Json.string(backend))
            .append(", \"value\": ").append(Json.array(value));
        if (value.rank() > 0) {
            sb.append(", \"shape\": ").append(Json.ints(value.shape().dims()));
        }
        sb.append(", \"grads\": {");
        boolean first = true;
        for (Map.Entry<String, Path> e : gradFiles.entrySet()) {
            sb.append(first ? "" : ", ").append(Json.string(e.getKey())).append(": ")
                .append(Json.string(e.getValue().toString()));
            first = false;
        }
        return sb.append("}}").toString();
    }

    /** {@code grads} beside the file of the loss's first differentiated input (e.g. dice's inputs=...). */
    static Path defaultGradsDir(Loss loss, Map<String, Path> files) {
        Path first = files.get(loss.differentiated().get(0)).toAbsolutePath().normalize();
        Path parent = first.getParent();
        return (parent != null ? parent : first.getRoot()).resolve("grads");
    }

    private static Path prepare(Path dir) {
        if (dir.toString().isEmpty()) {
            throw new IllegalArgumentException("--grads: expected a directory, got ''");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--grads: expected a directory, got the file '" + dir + "'");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("--grads: expected a directory that can be created, got '" + dir
                + "' (" + Errors.ioReason(e) + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("--grads: expected a writable directory, got '" + dir + "'");
        }
        return dir;
    }

    /**
     * The inputs' checks refuse what would make a loss NaN; a value that still overflows float32
     * (huge class weights, say) is refused rather than printed as JSON's null.
     */
    static void requireFiniteValue(Tensor value) {
        int i = value.firstNonFinite();
        if (i >= 0) {
            throw new IllegalArgumentException("loss value: expected a finite float32, got " + value.toArray()[i]
                + (value.rank() > 0 ? " at index " + Arrays.toString(value.shape().unravel(i)) : "")
                + " (an input or option so large that float32 overflows)");
        }
    }

    /**
     * A NaN or infinite gradient is refused rather than written: the inputs can each be fine and
     * PyTorch's autograd give the same NaN (focal with 0 < gamma < 1: pow's infinite derivative at
     * a zero base), but a file of NaN would pass silently into whatever reads it next.
     */
    static void requireFiniteGradient(Loss loss, String input, Tensor grad) {
        int i = grad.firstNonFinite();
        if (i < 0) {
            return;
        }
        String why = "";
        if (loss instanceof FocalLoss && ((FocalLoss) loss).gamma() > 0 && ((FocalLoss) loss).gamma() < 1) {
            why = ((FocalLoss) loss).variant() == FocalLoss.Variant.SEED
                ? ": with 0 < gamma < 1, (1 - exp(-b))^gamma has an infinite derivative where the mean BCE b is 0"
                    + " (every prediction saturated and right)"
                : ": with 0 < gamma < 1, (1 - p_t)^gamma has an infinite derivative where a prediction is"
                    + " saturated and right (p_t = 1)";
            why += ", NaN in PyTorch too; use gamma = 0 or gamma >= 1";
        }
        throw new IllegalArgumentException("gradient of '" + input + "': expected finite values, got "
            + grad.toArray()[i] + " at index " + Arrays.toString(grad.shape().unravel(i)) + why);
    }

    /** A gradient written over one of the input files would destroy the user's data. */
    private static void refuseOverwritingInputs(Map<String, Path> inputs, Map<String, Path> gradFiles) throws IOException {
        for (Map.Entry<String, Path> g : gradFiles.entrySet()) {
            for (Map.Entry<String, Path> in : inputs.entrySet()) {
                if (Files.exists(g.getValue()) && Files.exists(in.getValue())
                        && Files.isSameFile(g.getValue(), in.getValue())) {
                    throw new IllegalArgumentException("--grads: expected a folder where the gradient file "
                        + g.getValue() + " would not overwrite input " + in.getKey() + ", got '"
                        + g.getValue().getParent() + "'");
                }
            }
        }
    }
}
