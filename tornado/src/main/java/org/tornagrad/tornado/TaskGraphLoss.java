package org.tornagrad.tornado;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.losses.Loss;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/**
 * A loss on TornadoVM's compiled path, as {@code CompiledLoss} is on the Java one:
 * {@link Loss#prepareUnchecked} runs on the host at every call; {@link Loss#build} (plus its
 * guard) is traced once per shape of the prepared tensors and compiled into one task graph
 * ({@link TaskGraphCompiler}), whose plan is re-executed for every batch of those shapes.
 * <pre>{@code
 * TaskGraphLoss dice = TaskGraphLoss.of(Losses.create("dice"));
 * Map<String, Tensor> out = dice.forwardBackward(Map.of("inputs", logits, "targets", mask));
 * }</pre>
 * A run whose loss is not finite is redone eagerly on the tornado backend, so that a failed check
 * throws its own message as {@link Loss#compute} does. Results share the task graph's buffers until
 * the next call. Calls are serialised.
 */
public final class TaskGraphLoss implements AutoCloseable {
    private final Loss loss;
    private final List<Entry> withGradients = new ArrayList<>();
    private final List<Entry> valueOnly = new ArrayList<>();

    /** One compiled task graph and the prepared shapes it was traced for. */
    private static final class Entry {
        final Map<String, Shape> shapes = new LinkedHashMap<>();
        final CompiledTaskGraph graph;

        Entry(Map<String, Tensor> prepared, CompiledTaskGraph graph) {
            prepared.forEach((k, v) -> shapes.put(k, v.shape()));
            this.graph = graph;
        }

        boolean matches(Map<String, Tensor> prepared) {
            if (prepared.size() != shapes.size()) {
                return false;
            }
            for (Map.Entry<String, Tensor> e : prepared.entrySet()) {
                if (!e.getValue().shape().equals(shapes.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    private TaskGraphLoss(Loss loss) {
        this.loss = loss;
    }

    public static TaskGraphLoss of(Loss loss) {
        if (loss == null) {
            throw new IllegalArgumentException("loss: expected a loss, got null");
        }
        TornadoSupport.requireAvailable();
        return new TaskGraphLoss(loss);
    }

    public Loss loss() {
        return loss;
    }

    /** The loss and {@code grad:NAME} for each differentiated input (the gradient of the loss's sum). */
    public synchronized Map<String, Tensor> forwardBackward(Map<String, Tensor> inputs) {
        return run(inputs, true);
    }

    /** The loss alone (a task graph without the backward pass). */
    public synchronized Tensor forward(Map<String, Tensor> inputs) {
        return run(inputs, false).get("loss");
    }

    /**
     * For benchmarks: the task graph for {@code inputs}' shapes as a Runnable that re-executes it
     * on device-resident copies of {@code inputs}, with no host-device copy and no host work, so
     * that timing it gives the device's compute time alone. Runs the loss once on {@code inputs}
     * first; the Runnable's first call compiles a second plan (TornadoVM compiles per plan).
     */
    public synchronized Runnable residentExecution(Map<String, Tensor> inputs, boolean gradients) {
        run(inputs, gradients);
        Entry e = find(loss.prepareUnchecked(inputs), gradients);
        CompiledTaskGraph graph = e.graph;
        return graph::executeResident;
    }

    /**
     * The code TornadoVM generates for this loss's forward and backward on {@code inputs}' shapes
     * (OpenCL C on an OpenCL device), one kernel per task.
     */
    public synchronized String generatedCode(Map<String, Tensor> inputs) {
        Map<String, Tensor> prepared = loss.prepareUnchecked(inputs);
        return TaskGraphCompiler.generatedCode(trace(prepared, true), prepared);
    }

    /** The number of task graphs compiled so far (one per distinct prepared shape and mode). */
    public synchronized int compiledGraphs() {
        return withGradients.size() + valueOnly.size();
    }

    private Map<String, Tensor> run(Map<String, Tensor> inputs, boolean gradients) {
        Map<String, Tensor> prepared = loss.prepareUnchecked(inputs);
        Entry e = find(prepared, gradients);
        if (e == null) {
            e = new Entry(prepared, TaskGraphCompiler.compile(trace(prepared, gradients)));
            (gradients ? withGradients : valueOnly).add(e);
        }
        Map<String, Tensor> out = e.graph.run(prepared);
        if (out.get("loss").hasNonFinite()) {
            return eager(inputs, gradients);
        }
        return out;
    }

    private Entry find(Map<String, Tensor> prepared, boolean gradients) {
        for (Entry e : gradients ? withGradients : valueOnly) {
            if (e.matches(prepared)) {
                return e;
            }
        }
        return null;
    }

    private Program trace(Map<String, Tensor> prepared, boolean gradients) {
        List<String> differentiated = new ArrayList<>();
        if (gradients) {
            for (String name : loss.differentiated()) {
                if (prepared.containsKey(name)) {
                    differentiated.add(name);
                }
            }
        }
        // The trace records kernel calls; the Java reference computes the traced run itself.
        return Tracer.trace(this::guarded, prepared, differentiated, new ReferenceBackend());
    }

    /** The loss plus 0 * its guard: the value itself when the checks pass, NaN when one fails. */
    private Variable guarded(Map<String, Variable> prepared) {
        Variable value = loss.build(prepared);
        Variable guard = loss.guard(prepared);
        return guard == null ? value : value.add(guard.mul(0f));
    }

    /** The eager path's answer (or its exception) on the tornado backend, in the same layout. */
    @SuppressWarnings("try")    // the scope is used for its side effect: choosing the backend
    private Map<String, Tensor> eager(Map<String, Tensor> inputs, boolean gradients) {
        try (Backends.Scope scope = Backends.use(TornadoBackend.NAME)) {
            Map<String, Variable> vars = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                boolean param = gradients && loss.differentiated().contains(e.getKey());
                vars.put(e.getKey(), param ? Variable.param(e.getValue()) : Variable.constant(e.getValue()));
            }
            Variable value = loss.compute(vars);
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("loss", value.data());
            if (gradients) {
                if (value.requiresGrad()) {
                    value.backward(Tensor.full(1f, value.shape().dims()));
                }
                for (String name : loss.differentiated()) {
                    Variable v = vars.get(name);
                    Tensor g = v == null ? null : v.grad();
                    out.put("grad:" + name, g != null ? g : Tensor.zeros(inputs.get(name).shape().dims()));
                }
            }
            return out;
        }
    }

    /** Frees the device memory of every compiled task graph. */
    @Override
    public synchronized void close() {
        withGradients.forEach(e -> e.graph.close());
        valueOnly.forEach(e -> e.graph.close());
        withGradients.clear();
        valueOnly.clear();
    }
}
