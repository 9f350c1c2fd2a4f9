package org.tornagrad.losses.parity;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tornagrad.tensor.Tensor;

/**
 * One input of the PyTorch parity suite: a loss by its CLI name, its snake_case options (as the
 * CLI would pass them) and its named inputs. {@link #id()} = {@code loss/label} names the test.
 * <pre>{@code
 * ParityCase.of("dice", "multiclass-ignore")
 *     .option("mode", "multiclass").option("ignore_index", "255")
 *     .input("inputs", CaseData.logits(11, 2f, 2, 4, 5, 3))
 *     .input("targets", CaseData.labels(12, 4, 2, 5, 3))
 * }</pre>
 * Instances are immutable; {@link #option} and {@link #input} return a new case. Inputs are
 * written as float32 .npy, so every input (labels included) is a float tensor.
 */
public final class ParityCase {
    private final String loss;
    private final String label;
    private final Map<String, String> options;
    private final Map<String, Tensor> inputs;

    private ParityCase(String loss, String label, Map<String, String> options, Map<String, Tensor> inputs) {
        if (loss == null || label == null || label.isBlank()) {
            throw new IllegalArgumentException("loss, label: expected a loss name and a non-blank label, got "
                + loss + ", " + label);
        }
        this.loss = loss;
        this.label = label;
        this.options = Collections.unmodifiableMap(options);
        this.inputs = Collections.unmodifiableMap(inputs);
    }

    /** A case of {@code loss} with no option and no input yet. */
    public static ParityCase of(String loss, String label) {
        return new ParityCase(loss, label, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** This case with option {@code key=value} (snake_case key, the CLI's value spelling). */
    public ParityCase option(String key, String value) {
        Map<String, String> o = new LinkedHashMap<>(options);
        o.put(key, value);
        return new ParityCase(loss, label, o, inputs);
    }

    /** This case with input {@code name} (one of the loss's input names). */
    public ParityCase input(String name, Tensor value) {
        if (value == null) {
            throw new IllegalArgumentException("input " + name + ": expected a tensor, got null");
        }
        Map<String, Tensor> in = new LinkedHashMap<>(inputs);
        in.put(name, value);
        return new ParityCase(loss, label, options, in);
    }

    public String loss() {
        return loss;
    }

    public String label() {
        return label;
    }

    /** {@code loss/label}: unique over the suite. */
    public String id() {
        return loss + "/" + label;
    }

    public Map<String, String> options() {
        return options;
    }

    public Map<String, Tensor> inputs() {
        return inputs;
    }

    @Override
    public String toString() {
        return id() + " " + options;
    }
}
