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
import org.openjdk.jmh.annotations.Warmup;
import org.tornagrad.autograd.Variable;
import org.tornagrad.compiler.CompiledBackend;
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
 *   <li>{@code tornado}, when the TornadoVM backend is on the class path: {@code -p backend=tornado}.</li>
 * </ul>
 * <pre>
 * java -jar bench/target/benchmarks.jar LossBenchmark.forwardBackward -p loss=dice -p backend=compiled
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
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

    @Setup(Level.Trial)
    public void setUp() {
        instance = Losses.create(loss);
        inputs = BenchInputs.of(loss);
        Backend b = Backends.get(backend);
        if (CompiledBackend.isCompiled(b)) {
            compiled = CompiledLoss.of(instance);
        } else {
            eager = b;
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
        if (compiled != null) {
            return compiled.forward(inputs);
        }
        try (Backends.Scope s = Backends.use(eager)) {
            return instance.compute(variables(false)).data();
        }
    }

    /** The loss value and the gradient of every differentiated input. */
    @Benchmark
    public Object forwardBackward() {
        if (compiled != null) {
            return compiled.forwardBackward(inputs);
        }
        try (Backends.Scope s = Backends.use(eager)) {
            Map<String, Variable> vars = variables(true);
            Variable value = instance.compute(vars);
            value.backward(Tensor.full(1f, value.shape().dims()));
            return vars.get(instance.differentiated().get(0)).grad();
        }
    }
}
