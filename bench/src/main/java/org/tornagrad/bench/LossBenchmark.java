package org.tornagrad.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.tornagrad.autograd.Variable;
import org.tornagrad.compiler.ProgramCompilers;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/**
 * How long does one call of each loss take, value only ({@link #forward}) and value plus
 * gradients ({@link #forwardBackward}), on each backend? Inputs are {@link BenchInputs}' (fixed
 * seed), made once per trial; options are the seeds' defaults.
 * <ul>
 *   <li>{@code java}, {@code parallel}: the eager path (define-by-run autograd) on that backend;</li>
 *   <li>{@code compiled}: the loss traced once per shape and run as fused multi-core kernels
 *       ({@link CompiledLoss}); {@code prepare} (input checks, anchor assignment) runs in every call;</li>
 *   <li>with the tornado module on the class path (the jar built with {@code -Ptornado}, run under
 *       TornadoVM's flags): {@code tornado}, the eager path on the device (ops of a call kept on the
 *       device, the result read back); {@code tornado-graph}, the loss compiled by
 *       {@code tornado-compiled} into one task graph of fused kernels per shape (inputs copied in,
 *       loss and gradients copied back, every call); {@code tornado-resident}, the same graph
 *       re-executed with no host-device copy at all ({@link CompiledLoss#rerunnable}), the device's
 *       compute time alone.</li>
 * </ul>
 * <pre>
 * java -jar bench/target/benchmarks.jar LossBenchmark.forwardBackward -p loss=dice -p backend=compiled
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// Ten seconds of warm-up: after the compiled path's first call (in setUp) the JIT compilers are
// busy for seconds with what javac made hot (-prof comp: 5.2 s of compilation), and on two cores
// they share the machine with the loss; dice reached its steady time 4-7 s into warm-up.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx8g"})
public class LossBenchmark {
    @Param({"dice", "bce-dice", "iou", "focal", "active-contour", "boundary", "ccs"})
    public String loss;

    @Param({"java", "parallel", "compiled"})
    public String backend;

    private Loss instance;
    private Backend eager;
    private CompiledLoss compiled;
    private Map<String, Tensor> inputs;
    /** For tornado-resident: the compiled programs re-run on the device with no copies. */
    private Runnable residentForward;
    private Runnable residentForwardBackward;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        instance = Losses.create(loss);
        inputs = BenchInputs.of(loss);
        if (backend.equals("tornado-graph") || backend.equals("tornado-resident")) {
            compiled = CompiledLoss.of(instance, ProgramCompilers.get("tornado-compiled"));
            if (backend.equals("tornado-resident")) {
                residentForward = compiled.rerunnable(inputs, false);
                residentForwardBackward = compiled.rerunnable(inputs, true);
            }
        } else if (ProgramCompilers.find(backend) != null) {
            compiled = CompiledLoss.of(instance, ProgramCompilers.get(backend));
        } else {
            eager = Backends.get(backend);
        }
        // One call of the measured method here: on the compiled path (and a task graph) it traces
        // the loss and compiles its loops, seconds that would otherwise fill warm-up.
        if (params.getBenchmark().endsWith(".forward")) {
            forward();
        } else {
            forwardBackward();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (compiled != null) {
            compiled.close();
        }
    }

    private Map<String, Variable> variables(boolean gradients) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            boolean param = gradients && instance.differentiated().contains(e.getKey());
            vars.put(e.getKey(), param ? Variable.param(e.getValue()) : Variable.constant(e.getValue()));
        }
        return vars;
    }

    /** The loss value. */
    @Benchmark
    public Object forward() {
        if (residentForward != null) {
            residentForward.run();
            return residentForward;
        }
        if (compiled != null) {
            return compiled.forward(inputs);
        }
        try (Backends.Scope s = Backends.use(eager)) {
            Tensor value = instance.compute(variables(false)).data();
            // A device backend runs the ops when the result is read: read it, as a caller would.
            value.bufferOrNull();
            return value;
        }
    }

    /** The loss value and the gradient of every differentiated input. */
    @Benchmark
    public Object forwardBackward() {
        if (residentForwardBackward != null) {
            residentForwardBackward.run();
            return residentForwardBackward;
        }
        if (compiled != null) {
            return compiled.forwardBackward(inputs);
        }
        try (Backends.Scope s = Backends.use(eager)) {
            Map<String, Variable> vars = variables(true);
            Variable value = instance.compute(vars);
            value.backward(Tensor.full(1f, value.shape().dims()));
            Tensor grad = vars.get(instance.differentiated().get(0)).grad();
            grad.bufferOrNull();
            return grad;
        }
    }
}
