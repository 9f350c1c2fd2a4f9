package org.tornagrad.tornado;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.compiler.ExecutableProgram;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;

/**
 * A {@link Program} compiled by {@link TaskGraphCompiler}: one task graph and its execution plan,
 * built once and re-executed for each batch of the program's shapes. Not thread-safe: one per
 * thread, like {@link org.tornagrad.autograd.trace.ProgramRunner}, whose results it matches.
 */
public final class CompiledTaskGraph implements ExecutableProgram {
    private final Program program;
    private final TaskGraphCompiler.Layout layout;
    private final TornadoExecutionPlan plan;
    private final boolean captureKernels;
    private String kernelSource;
    private boolean executed;
    private TornadoExecutionPlan residentPlan;
    private TornadoExecutionResult lastResult;

    CompiledTaskGraph(Program program, boolean captureKernels) {
        this.program = program;
        this.layout = new TaskGraphCompiler.Layout(program);
        this.captureKernels = captureKernels;
        this.plan = layout.taskCount() == 0 ? null : TornadoSupport.configure(new TornadoExecutionPlan(
            layout.graph(program, TaskGraphCompiler.nextName("program"), false).snapshot()));
        if (plan != null && captureKernels) {
            plan.withPrintKernel();
        }
    }

    @Override
    public Program program() {
        return program;
    }

    /** The number of device tasks in the graph (a reduction takes two). */
    public int taskCount() {
        return layout.taskCount();
    }

    /**
     * Runs the program on {@code inputs} (every input name, with its traced shape): the inputs are
     * copied in, the graph executes, the loss and gradients come back. The returned tensors share
     * this program's buffers: they are valid until the next run.
     */
    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        for (Map.Entry<String, Integer> e : program.inputs().entrySet()) {
            Tensor t = inputs == null ? null : inputs.get(e.getKey());
            Shape expected = program.inputShapes().get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("inputs: expected '" + e.getKey() + "' of shape " + expected + ", missing");
            }
            t.requireShape(e.getKey(), expected);
            // One host copy into the graph's input array (TornadoVM moves that one to the device).
            float[] values = t.bufferOrNull();
            if (values == null) {
                values = t.toArray();
            }
            System.arraycopy(values, 0, layout.arrays[e.getValue()], 0, values.length);
        }
        for (Map.Entry<Integer, Object> e : layout.pristine.entrySet()) {
            Object value = e.getValue();
            System.arraycopy(value, 0, layout.arrays[e.getKey()], 0, KernelCall.length(value));
        }
        if (plan != null) {
            if (captureKernels && !executed) {
                kernelSource = executeCapturingStdout();
            } else {
                lastResult = plan.execute();
            }
            executed = true;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : program.outputs().entrySet()) {
            Program.Buffer b = program.buffers().get(e.getValue());
            float[] data = b.length == 0 ? new float[0] : (float[]) layout.arrays[b.id];
            out.put(e.getKey(), Tensor.fromBuffer(data, program.outputShapes().get(e.getKey()).dims()));
        }
        return out;
    }

    /**
     * TornadoVM prints the kernels it generates to System.out (its only channel besides a file
     * fixed at JVM start), so the first execution runs with System.out redirected into a buffer.
     */
    private String executeCapturingStdout() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        synchronized (System.class) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                lastResult = plan.execute();
            } finally {
                System.out.flush();
                System.setOut(original);
            }
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /**
     * The code TornadoVM generated for every task (OpenCL C on an OpenCL device), in task order;
     * available after the first {@link #run} of a program compiled with kernel capture.
     */
    public String kernelSource() {
        if (!captureKernels) {
            throw new IllegalStateException("kernelSource: compile with TaskGraphCompiler.compile(program, true)");
        }
        if (!executed) {
            throw new IllegalStateException("kernelSource: TornadoVM generates the kernels at the first run; run once first");
        }
        return kernelSource == null ? "" : kernelSource;
    }

    /**
     * Re-executes the kernels on device-resident copies of the inputs of the last {@link #run}
     * (the resident plan copies them at its first execution),
     * with no host-device copy at all: the graph's compute time alone, for benchmarks. The first
     * call builds (and TornadoVM compiles) a second plan whose inputs move only at its first
     * execution and whose outputs stay on the device; results are not read back.
     */
    public void executeResident() {
        if (plan == null) {
            return;
        }
        if (residentPlan == null) {
            residentPlan = TornadoSupport.configure(new TornadoExecutionPlan(
                layout.graph(program, TaskGraphCompiler.nextName("resident"), true).snapshot()));
        }
        residentPlan.execute();
    }

    /** The TornadoVM result of the last run (its profiler holds timings when profiling is on). */
    public TornadoExecutionResult lastResult() {
        return lastResult;
    }

    /** {@link #executeResident}: the graph's compute time alone. */
    @Override
    public void rerun() {
        executeResident();
    }

    /**
     * One line per launch (a generated fused kernel, or a kernel call of its own), then the Java
     * source of the generated kernels that TornadoVM compiles for the device.
     */
    @Override
    public String listing() {
        StringBuilder sb = new StringBuilder(program.inputListing());
        for (DeviceTask t : layout.calls) {
            sb.append("  ").append(t.describe()).append('\n');
        }
        for (Map.Entry<String, Integer> e : program.outputs().entrySet()) {
            sb.append("output ").append(e.getKey()).append(" = %").append(e.getValue()).append('\n');
        }
        if (layout.source() != null) {
            sb.append("\n// The generated kernels (Java that TornadoVM compiles for the device):\n")
                .append(layout.source().source());
        }
        return sb.toString();
    }

    /**
     * The code TornadoVM generates for the device (OpenCL C on an OpenCL device, PTX on the PTX
     * backend), one kernel per launch: from a copy of this graph compiled with kernel capture and
     * run once on its current arrays, since TornadoVM generates code at the first execution.
     */
    @Override
    public String generatedSource() {
        if (captureKernels) {
            if (!executed) {
                run(zeroInputs());
            }
            return kernelSource();
        }
        try (CompiledTaskGraph capturing = new CompiledTaskGraph(program, true)) {
            capturing.run(zeroInputs());
            return capturing.kernelSource();
        }
    }

    /** Inputs of the traced shapes: the kernels TornadoVM generates do not depend on the values. */
    private Map<String, Tensor> zeroInputs() {
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        program.inputShapes().forEach((name, shape) -> zeros.put(name, Tensor.zeros(shape.dims())));
        return zeros;
    }

    /** Frees the device memory of this program's plans. */
    @Override
    public void close() {
        for (TornadoExecutionPlan p : new TornadoExecutionPlan[] {plan, residentPlan}) {
            if (p != null) {
                try {
                    p.close();
                } catch (Exception e) {
                    // Nothing useful to do when freeing device memory fails at close.
                }
            }
        }
    }
}
