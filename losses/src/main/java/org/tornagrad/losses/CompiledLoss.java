package org.tornagrad.losses;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.compiler.CpuProgramCompiler;
import org.tornagrad.compiler.ExecutableProgram;
import org.tornagrad.compiler.ProgramCompiler;
import org.tornagrad.compiler.WorkerTeam;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.ParallelBackend;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/**
 * A loss on the compiled path: {@link Loss#build} is traced once per shape of the prepared
 * tensors into a {@link Program} (forward and backward), compiled by a {@link ProgramCompiler}
 * (fused vector loops on the CPU by default; fused TornadoVM kernels with the tornado module's
 * {@code tornado-compiled}), and re-run for every batch of the same shapes;
 * {@link Loss#prepareUnchecked} runs on every call, on the host, and the value checks it leaves
 * out run inside the program ({@link Loss#guard}).
 * <pre>{@code
 * CompiledLoss dice = CompiledLoss.of(Losses.create("dice"));
 * Map<String, Tensor> out = dice.forwardBackward(Map.of("inputs", logits, "targets", mask));
 * float value = out.get("loss").item();
 * Tensor grad = out.get("grad:inputs");     // valid until the next call
 * }</pre>
 * The values are those of the eager path to float rounding (see {@link org.tornagrad.compiler.JavaProgramCompiler}). A
 * run whose loss is not finite is redone eagerly, so that the checks that need computed values
 * (a 0/0 ratio, an overflowing dot product) throw exactly as {@link Loss#compute} does, and a
 * NaN result is the eager one. The returned tensors share the compiled program's buffers; after
 * warm-up a call allocates only what {@code prepare} does (nothing large for the pixelwise
 * losses). Not for concurrent use: calls are serialised.
 */
public final class CompiledLoss implements AutoCloseable {
    /** One compiled program and the prepared shapes it was traced for. */
    private static final class Entry {
        final String[] names;
        final Shape[] shapes;
        final ExecutableProgram program;

        Entry(Map<String, Tensor> prepared, ExecutableProgram program) {
            this.names = prepared.keySet().toArray(new String[0]);
            this.shapes = new Shape[names.length];
            for (int i = 0; i < names.length; i++) {
                shapes[i] = prepared.get(names[i]).shape();
            }
            this.program = program;
        }

        boolean matches(Map<String, Tensor> prepared) {
            if (prepared.size() != names.length) {
                return false;
            }
            for (int i = 0; i < names.length; i++) {
                Tensor t = prepared.get(names[i]);
                if (t == null || !t.shape().equals(shapes[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Loss loss;
    private final ProgramCompiler compiler;
    private final Backend traceBackend;
    private final List<Entry> withGradients = new ArrayList<>();
    private final List<Entry> valueOnly = new ArrayList<>();

    private CompiledLoss(Loss loss, ProgramCompiler compiler, Backend traceBackend) {
        this.loss = loss;
        this.compiler = compiler;
        this.traceBackend = traceBackend;
    }

    /** {@code loss} on the CPU's compiled path, on the process-wide worker team. */
    public static CompiledLoss of(Loss loss) {
        return of(loss, WorkerTeam.shared());
    }

    /** {@code loss} on the CPU's compiled path, on {@code team}. */
    public static CompiledLoss of(Loss loss, WorkerTeam team) {
        if (loss == null || team == null) {
            throw new IllegalArgumentException("loss, team: expected non-null arguments");
        }
        return new CompiledLoss(loss, new CpuProgramCompiler(team), new ParallelBackend(team.size()));
    }

    /**
     * {@code loss} compiled by {@code compiler}: {@code ProgramCompilers.get("compiled")} (the CPU)
     * or {@code ProgramCompilers.get("tornado-compiled")} (a device through TornadoVM), say.
     */
    public static CompiledLoss of(Loss loss, ProgramCompiler compiler) {
        if (loss == null || compiler == null) {
            throw new IllegalArgumentException("loss, compiler: expected non-null arguments");
        }
        return new CompiledLoss(loss, compiler, new ParallelBackend());
    }

    public Loss loss() {
        return loss;
    }

    public ProgramCompiler compiler() {
        return compiler;
    }

    /** The number of programs compiled so far (one per distinct prepared shape and mode). */
    public synchronized int compiledPrograms() {
        return withGradients.size() + valueOnly.size();
    }

    /**
     * The loss and its gradients: {@code loss} and {@code grad:NAME} for each differentiated
     * input, the gradient of the sum of the loss (as {@code loss.sum().backward()}).
     */
    public synchronized Map<String, Tensor> forwardBackward(Map<String, Tensor> inputs) {
        return run(inputs, true);
    }

    /** The loss alone (a program without the backward pass). */
    public synchronized Tensor forward(Map<String, Tensor> inputs) {
        return run(inputs, false).get("loss");
    }

    /** The compiled schedule for {@code inputs}' shapes (compiling it if needed): for learners and for tuning. */
    public synchronized String listing(Map<String, Tensor> inputs, boolean gradients) {
        return program(loss.prepareUnchecked(inputs), gradients).listing();
    }

    /** The source the compiler generated for {@code inputs}' program (see {@link ExecutableProgram#generatedSource}). */
    public synchronized String generatedSource(Map<String, Tensor> inputs, boolean gradients) {
        return program(loss.prepareUnchecked(inputs), gradients).generatedSource();
    }

    /**
     * For benchmarks: runs the loss once on {@code inputs}, then returns what re-runs that
     * program on the inputs it holds, with no host work and no host-device copy (on a device: its
     * compute time alone).
     */
    public synchronized Runnable rerunnable(Map<String, Tensor> inputs, boolean gradients) {
        run(inputs, gradients);
        ExecutableProgram program = program(loss.prepareUnchecked(inputs), gradients);
        return program::rerun;
    }

    /** Frees what the compiled programs hold (device memory on a device). */
    @Override
    public synchronized void close() {
        withGradients.forEach(e -> e.program.close());
        valueOnly.forEach(e -> e.program.close());
        withGradients.clear();
        valueOnly.clear();
    }

    private Map<String, Tensor> run(Map<String, Tensor> inputs, boolean gradients) {
        Map<String, Tensor> prepared = loss.prepareUnchecked(inputs);
        ExecutableProgram program = program(prepared, gradients);
        Map<String, Tensor> out = program.run(prepared);
        if (out.get("loss").hasNonFinite()) {
            return eager(inputs, gradients);
        }
        return out;
    }

    private ExecutableProgram program(Map<String, Tensor> prepared, boolean gradients) {
        List<Entry> cache = gradients ? withGradients : valueOnly;
        for (Entry e : cache) {
            if (e.matches(prepared)) {
                return e.program;
            }
        }
        ExecutableProgram program = compiler.compile(trace(loss, prepared, gradients, traceBackend));
        cache.add(new Entry(prepared, program));
        return program;
    }

    /**
     * {@code loss} traced on {@code prepared} tensors (what {@link Loss#prepareUnchecked} gives):
     * {@link Loss#build} plus 0 times its {@link Loss#guard} (the value itself when the checks
     * pass, NaN when one fails), and with {@code gradients} the backward of every differentiated
     * input; {@code backend} computes the traced run. What every compiler of a loss starts from.
     */
    public static Program trace(Loss loss, Map<String, Tensor> prepared, boolean gradients, Backend backend) {
        List<String> differentiated = new ArrayList<>();
        if (gradients) {
            for (String name : loss.differentiated()) {
                if (prepared.containsKey(name)) {
                    differentiated.add(name);
                }
            }
        }
        return Tracer.trace(vars -> {
            Variable value = loss.build(vars);
            Variable guard = loss.guard(vars);
            return guard == null ? value : value.add(guard.mul(0f));
        }, prepared, differentiated, backend);
    }

    /** The eager path's answer (or its exception), in the compiled path's output layout. */
    private Map<String, Tensor> eager(Map<String, Tensor> inputs, boolean gradients) {
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
