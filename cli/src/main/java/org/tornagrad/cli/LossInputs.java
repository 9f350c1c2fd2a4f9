package org.tornagrad.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.losses.Loss;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;

/** The {@code NAME=FILE.npy} arguments of eval and graph: parsed, checked against the loss, read. */
final class LossInputs {
    private LossInputs() {
    }

    /** Parses {@code NAME=FILE} arguments; each name must be one of the loss's inputs, given once. */
    static Map<String, Path> parse(Loss loss, List<String> args) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0 || eq == arg.length() - 1) {
                throw new IllegalArgumentException("input argument: expected NAME=FILE.npy with NAME one of "
                    + loss.inputNames() + ", got '" + arg + "'");
            }
            String name = arg.substring(0, eq);
            if (!loss.inputNames().contains(name)) {
                throw new IllegalArgumentException("input name: expected one of " + loss.inputNames() + " for "
                    + loss.name() + ", got '" + name + "'");
            }
            if (files.put(name, Path.of(arg.substring(eq + 1))) != null) {
                throw new IllegalArgumentException("input " + name + ": expected once, got it twice");
            }
        }
        return files;
    }

    /** Every input of the loss must be there. */
    static void requireAll(Loss loss, Map<String, ?> given) {
        for (String name : loss.inputNames()) {
            if (!given.containsKey(name)) {
                throw new IllegalArgumentException("inputs: expected " + String.join(", ", loss.inputNames())
                    + " for " + loss.name() + ", missing '" + name + "' (give " + name + "=FILE.npy)");
            }
        }
    }

    /** Reads each file (the losses themselves refuse NaN, infinity and out-of-range values). */
    static Map<String, Tensor> read(Map<String, Path> files) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            tensors.put(e.getKey(), Npy.read(e.getValue()));
        }
        return tensors;
    }

    /** The loss's inputs as variables: params for the differentiated ones, constants for the rest. */
    static Map<String, Variable> variables(Loss loss, Map<String, Tensor> tensors) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (String name : loss.inputNames()) {
            Tensor t = tensors.get(name);
            Variable v = loss.differentiated().contains(name) ? Variable.param(t) : Variable.constant(t);
            vars.put(name, v.named(name));
        }
        return vars;
    }
}
