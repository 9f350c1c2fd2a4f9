package org.tornagrad.autograd.trace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/**
 * Runs a function once, forward and backward, on a recording backend, and returns the
 * {@link Program} of kernel calls it made: valid for every input of the same shapes. The function
 * must do any data-dependent host work (label checks, one-hot of labels, anchor selection) before
 * it is traced; reading an input or an intermediate on the host while tracing is an error.
 *
 * <p>The program's outputs are {@code loss} (the function's value) and {@code grad:NAME} for each
 * differentiated input: the gradient of the sum of the value, as {@code loss.sum().backward()}.
 *
 * <p>Inputs are numbered in the order of their names, whatever the map's iteration order: that of
 * {@code Map.of} is salted per JVM, and a program (its listing, its generated loops) should be the
 * same from one run to the next.
 */
public final class Tracer {
    private Tracer() {
    }

    /**
     * Whether the current thread is running a traced function: code that would read a computed
     * value on the host (to check it) skips the read then, since the trace rejects it.
     */
    public static boolean isTracing() {
        return Backends.current() instanceof TracingBackend;
    }

    public static Program trace(Function<Map<String, Variable>, Variable> function, Map<String, Tensor> inputs,
                                Collection<String> differentiated) {
        return trace(function, inputs, differentiated, Backends.current());
    }

    /** Traces with {@code delegate} computing the traced run. */
    public static Program trace(Function<Map<String, Variable>, Variable> function, Map<String, Tensor> inputs,
                                Collection<String> differentiated, Backend delegate) {
        if (function == null || inputs == null || differentiated == null) {
            throw new IllegalArgumentException("function, inputs, differentiated: expected non-null arguments");
        }
        for (String name : differentiated) {
            if (!inputs.containsKey(name)) {
                throw new IllegalArgumentException("differentiated: expected names among " + inputs.keySet()
                    + ", got '" + name + "'");
            }
        }
        TracingBackend tracing = new TracingBackend(delegate);
        Map<String, Variable> vars = new LinkedHashMap<>();
        Map<String, Integer> inputIds = new LinkedHashMap<>();
        Map<String, Shape> inputShapes = new LinkedHashMap<>();
        for (String name : sortedNames(inputs)) {
            Tensor given = inputs.get(name);
            if (given == null) {
                throw new IllegalArgumentException("inputs: expected a tensor for '" + name + "', got null");
            }
            // A private copy: its array identifies the input buffer in the trace.
            Tensor own = Tensor.fromBuffer(given.toArray(), given.shape().dims());
            inputIds.put(name, tracing.registerInput(name, own.bufferOrNull()));
            inputShapes.put(name, own.shape());
            vars.put(name, differentiated.contains(name) ? Variable.param(own) : Variable.constant(own));
        }
        Map<String, Integer> outputIds = new LinkedHashMap<>();
        Map<String, Shape> outputShapes = new LinkedHashMap<>();
        try (Backends.Scope scope = Backends.use(tracing)) {
            Variable out = function.apply(vars);
            if (out == null) {
                throw new IllegalArgumentException("function: expected a variable, got null");
            }
            if (out.requiresGrad()) {
                out.backward(Tensor.full(1f, out.shape().dims()));
            }
            addOutput(tracing, "loss", out.data(), outputIds, outputShapes);
            for (String name : differentiated) {
                Tensor g = vars.get(name).grad();
                if (g == null) {
                    g = Tensor.zeros(vars.get(name).shape().dims());
                }
                addOutput(tracing, "grad:" + name, g, outputIds, outputShapes);
            }
        }
        return new Program(tracing.buffers(), tracing.instructions(), inputIds, inputShapes, outputIds, outputShapes);
    }

    /** The input names in order; a null name is refused here, where a sort would throw a bare NPE. */
    private static List<String> sortedNames(Map<String, Tensor> inputs) {
        List<String> names = new ArrayList<>(inputs.keySet());
        if (names.contains(null)) {
            throw new IllegalArgumentException("inputs: expected a name for every tensor, got a null key");
        }
        Collections.sort(names);
        return names;
    }

    private static void addOutput(TracingBackend tracing, String name, Tensor t, Map<String, Integer> ids,
                                  Map<String, Shape> shapes) {
        Tensor c = t.contiguous();
        ids.put(name, tracing.outputId(c.bufferOrNull()));
        shapes.put(name, c.shape());
    }
}
