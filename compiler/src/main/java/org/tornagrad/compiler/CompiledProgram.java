package org.tornagrad.compiler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/**
 * A {@link Program} compiled by {@link JavaProgramCompiler}: its steps and the buffers they work
 * on, allocated once. {@link #run} wraps the inputs' arrays without copying (when contiguous),
 * runs the steps and returns the same output tensors every time: views of the program's buffers,
 * valid until the next run. A run allocates nothing, which keeps the garbage collector out of a
 * training loop. Not thread-safe: one compiled program per thread.
 */
public final class CompiledProgram implements ExecutableProgram {
    private final Program program;
    private final List<Step> steps;
    private final Object[] buffers;
    private final String[] inputNames;
    private final int[] inputIds;
    private final Shape[] inputShapes;
    private final Map<String, Tensor> outputs;
    private final boolean outputsAreInputs;
    private final Map<Integer, Integer> shares;

    CompiledProgram(Program program, List<Step> steps) {
        this(program, steps, Map.of());
    }

    /** {@code shares}: result -> buffer, pairs that share one array (a result written in place). */
    CompiledProgram(Program program, List<Step> steps, Map<Integer, Integer> shares) {
        this.program = program;
        this.steps = List.copyOf(steps);
        this.shares = Map.copyOf(shares);
        this.buffers = new Object[program.buffers().size()];
        for (Program.Buffer b : program.buffers()) {
            switch (b.role) {
                case CONSTANT:
                    buffers[b.id] = b.isInt ? b.intValue() : b.floatValue();
                    break;
                case TEMP:
                    buffers[b.id] = b.isInt ? new int[b.length] : new float[b.length];
                    break;
                default:
                    break; // inputs: the caller's arrays, set at each run
            }
        }
        shares.forEach((result, buffer) -> buffers[result] = buffers[buffer]);
        int n = program.inputs().size();
        inputNames = new String[n];
        inputIds = new int[n];
        inputShapes = new Shape[n];
        int i = 0;
        for (Map.Entry<String, Integer> e : program.inputs().entrySet()) {
            inputNames[i] = e.getKey();
            inputIds[i] = e.getValue();
            inputShapes[i] = program.inputShapes().get(e.getKey());
            i++;
        }
        boolean viewsOfInputs = false;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : program.outputs().entrySet()) {
            if (buffers[e.getValue()] == null) {
                viewsOfInputs = true;
            } else {
                out.put(e.getKey(), Tensor.fromBuffer((float[]) buffers[e.getValue()],
                    program.outputShapes().get(e.getKey()).dims()));
            }
        }
        this.outputsAreInputs = viewsOfInputs;
        this.outputs = Collections.unmodifiableMap(out);
    }

    @Override
    public Program program() {
        return program;
    }

    /**
     * Runs the program on {@code inputs} (each input name, with its traced shape). The returned
     * tensors share the program's buffers: read them before the next run.
     */
    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException("inputs: expected a map of " + program.inputs().keySet() + ", got null");
        }
        for (int i = 0; i < inputNames.length; i++) {
            Tensor t = inputs.get(inputNames[i]);
            if (t == null) {
                throw new IllegalArgumentException("inputs: expected '" + inputNames[i] + "' of shape " + inputShapes[i]
                    + ", missing");
            }
            t.requireShape(inputNames[i], inputShapes[i]);
            float[] b = t.bufferOrNull();
            buffers[inputIds[i]] = b != null ? b : t.toArray();
        }
        for (Step s : steps) {
            s.run(buffers);
        }
        if (outputsAreInputs) {
            return slowOutputs();
        }
        return outputs;
    }

    /** Outputs when some are inputs passed through (a rare, trivial program): built per run. */
    private Map<String, Tensor> slowOutputs() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : program.outputs().entrySet()) {
            out.put(e.getKey(), Tensor.fromBuffer(((float[]) buffers[e.getValue()]).clone(),
                program.outputShapes().get(e.getKey()).dims()));
        }
        return out;
    }

    /** The compiled schedule, one step (fused kernel or kernel call) per entry: what a learner reads. */
    @Override
    public String listing() {
        StringBuilder sb = new StringBuilder(program.inputListing());
        for (Step s : steps) {
            sb.append("  ").append(s.describe()).append('\n');
        }
        for (Map.Entry<String, Integer> e : program.outputs().entrySet()) {
            sb.append("output ").append(e.getKey()).append(" = %").append(e.getValue()).append('\n');
        }
        shares.forEach((result, buffer) -> sb.append("%").append(result).append(" is written over %").append(buffer)
            .append(" (one array)\n"));
        return sb.toString();
    }

    /**
     * The Java source of every generated loop, kernel by kernel in schedule order (the loops the
     * listing shows as {@code generated loop {...}}). When every kernel is interpreted, a one-line
     * Java comment that says why: {@code -Dtornagrad.compiled.codegen=false}, no vector module
     * ({@code --add-modules jdk.incubator.vector}), a JRE without javac, or kernels too small or
     * without a run the generator has formulas for.
     */
    @Override
    public String generatedSource() {
        StringBuilder sb = new StringBuilder();
        int kernel = 0;
        for (Step s : steps) {
            if (s instanceof FusedKernel) {
                int loop = 0;
                for (String source : ((FusedKernel) s).generatedSources()) {
                    sb.append("// fused kernel ").append(kernel).append(", generated loop ").append(loop++).append('\n')
                        .append(source).append('\n');
                }
                kernel++;
            }
        }
        if (sb.length() == 0) {
            String why = CodeGenerator.disabledReason();
            return "// no generated loops: " + (why != null ? why : "every fused kernel of this program is"
                + " interpreted (kernels over fewer than " + CodeGenerator.minElements() + " elements, -D"
                + CodeGenerator.MIN_ELEMENTS_PROPERTY + ", or no run of ops the generator has formulas for)") + "\n";
        }
        return sb.toString();
    }

    /** The steps again on the inputs of the last run (the CPU has no copies to leave out). */
    @Override
    public void rerun() {
        for (Step s : steps) {
            s.run(buffers);
        }
    }

    /** Nothing to free: the buffers are the garbage collector's. */
    @Override
    public void close() {
    }

    /**
     * Why no compiled program gets generated loops in this process (a clause such as "this JVM runs
     * without the vector module (add --add-modules jdk.incubator.vector ...)"), or null when they can.
     */
    public static String generatedLoopsUnavailable() {
        return CodeGenerator.disabledReason();
    }

    /** The number of steps: fused kernels plus the kernel calls between them. */
    public int stepCount() {
        return steps.size();
    }
}
