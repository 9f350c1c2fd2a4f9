package org.tornagrad.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.compiler.ProgramCompilers;
import org.tornagrad.compiler.ExecutableProgram;
import org.tornagrad.compiler.ProgramCompiler;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ParallelBackend;
import org.tornagrad.tensor.Tensor;

/**
 * How fast are the building blocks the losses are made of, on each backend? One method per
 * kernel, {@code size} elements each (fixed-seed inputs made once per trial):
 * <ul>
 *   <li>{@link #elementwiseChain}: sigmoid(x * y + 1) * x, four elementwise ops;</li>
 *   <li>{@link #sum}: the sum of all elements;</li>
 *   <li>{@link #maxPool2dForward} and {@link #maxPool2dForwardBackward}: 3x3 windows, stride 1,
 *       padding 1, over (size / 4·256², 4, 256, 256), value, then value and gradient;</li>
 *   <li>{@link #softmaxChannels}: softmax over dim 1 of the same shape;</li>
 *   <li>{@link #batchedDot}: dot products of (size / 256) pairs of 256-d rows.</li>
 * </ul>
 * On {@code java} and {@code parallel} each op runs eagerly; on a compiler's name
 * ({@code compiled}, {@code tornado-compiled}) each method's function is traced once and compiled
 * by that {@link ProgramCompiler}, which fuses the chain and the softmax into single passes. On
 * {@code tornado} (the jar built with {@code -Ptornado}, run under TornadoVM's flags) each op is a
 * device kernel; the ops of one call stay on the device and only the result is copied back when
 * read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx4g"})
public class KernelBenchmark {
    @Param({"1048576", "4194304"})
    public int size;

    @Param({"java", "parallel", "compiled"})
    public String backend;

    private Backend eager;
    private Map<String, Tensor> vectors;
    private Map<String, Tensor> planes;
    private Map<String, Tensor> rows;
    private final Map<String, ExecutableProgram> compiled = new LinkedHashMap<>();

    private static final Function<Map<String, Variable>, Variable> CHAIN =
        v -> v.get("x").mul(v.get("y")).add(1f).sigmoid().mul(v.get("x"));
    private static final Function<Map<String, Variable>, Variable> SUM = v -> v.get("x").sum();
    private static final Function<Map<String, Variable>, Variable> POOL = v -> v.get("x").maxPool2d(3, 1, 1);
    private static final Function<Map<String, Variable>, Variable> POOL_SUM = v -> v.get("x").maxPool2d(3, 1, 1).sum();
    private static final Function<Map<String, Variable>, Variable> SOFTMAX = v -> v.get("x").softmax(1);
    private static final Function<Map<String, Variable>, Variable> DOT = v -> v.get("x").mul(v.get("y")).sum(1, false);

    @Setup(Level.Trial)
    public void setUp() {
        if (size % (4 * 256 * 256) != 0) {
            throw new IllegalArgumentException("size: expected a multiple of 4*256*256 = 262144, got " + size);
        }
        vectors = new LinkedHashMap<>();
        vectors.put("x", Tensor.randn(BenchInputs.SEED, size));
        vectors.put("y", Tensor.randn(BenchInputs.SEED + 1, size));
        planes = Map.of("x", Tensor.randn(BenchInputs.SEED + 2, size / (4 * 256 * 256), 4, 256, 256));
        rows = new LinkedHashMap<>();
        rows.put("x", Tensor.randn(BenchInputs.SEED + 3, size / 256, 256));
        rows.put("y", Tensor.randn(BenchInputs.SEED + 4, size / 256, 256));
        if (ProgramCompilers.find(backend) == null) {
            eager = Backends.get(backend);
            return;
        }
        Backend trace = new ParallelBackend();
        ProgramCompiler compiler = ProgramCompilers.get(backend);
        compiled.put("chain", compiler.compile(Tracer.trace(CHAIN, vectors, List.of(), trace)));
        compiled.put("sum", compiler.compile(Tracer.trace(SUM, vectors, List.of(), trace)));
        compiled.put("pool", compiler.compile(Tracer.trace(POOL, planes, List.of(), trace)));
        compiled.put("poolGrad", compiler.compile(Tracer.trace(POOL_SUM, planes, List.of("x"), trace)));
        compiled.put("softmax", compiler.compile(Tracer.trace(SOFTMAX, planes, List.of(), trace)));
        compiled.put("dot", compiler.compile(Tracer.trace(DOT, rows, List.of(), trace)));
    }

    private Object run(String name, Function<Map<String, Variable>, Variable> f, Map<String, Tensor> in, boolean grad) {
        if (eager == null) {
            return compiled.get(name).run(in);
        }
        try (Backends.Scope s = Backends.use(eager)) {
            Map<String, Variable> vars = new LinkedHashMap<>();
            in.forEach((k, t) -> vars.put(k, grad ? Variable.param(t) : Variable.constant(t)));
            Variable out = f.apply(vars);
            Tensor result = grad ? null : out.data();
            if (grad) {
                out.backward();
                result = vars.get("x").grad();
            }
            // A device backend (tornado) runs the ops when the result is read: read it, as a caller would.
            result.bufferOrNull();
            return result;
        }
    }

    @Benchmark
    public Object elementwiseChain() {
        return run("chain", CHAIN, vectors, false);
    }

    @Benchmark
    public Object sum() {
        return run("sum", SUM, vectors, false);
    }

    @Benchmark
    public Object maxPool2dForward() {
        return run("pool", POOL, planes, false);
    }

    @Benchmark
    public Object maxPool2dForwardBackward() {
        return run("poolGrad", POOL_SUM, planes, true);
    }

    @Benchmark
    public Object softmaxChannels() {
        return run("softmax", SOFTMAX, planes, false);
    }

    @Benchmark
    public Object batchedDot() {
        return run("dot", DOT, rows, false);
    }
}
