package org.tornagrad.tornado;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.compiler.DeviceSource;
import org.tornagrad.compiler.ExecutableProgram;
import org.tornagrad.compiler.JavaProgramCompiler;
import org.tornagrad.compiler.ProgramCompiler;
import org.tornagrad.tensor.Tensor;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * Compiles a traced {@link Program} (a loss's forward and backward) into one TornadoVM TaskGraph:
 * one task per kernel call (two for a reduction), in program order, over one device buffer per
 * program buffer.
 * <ul>
 *   <li>inputs are copied to the device once per execution;</li>
 *   <li>constants and the shapes of strided views once, at the first execution;</li>
 *   <li>intermediates never leave the device;</li>
 *   <li>the loss and the gradients are copied back after each execution.</li>
 * </ul>
 * The TornadoExecutionPlan is built once per program (a program has static shapes) and
 * re-executed for each new batch; TornadoVM compiles its kernels at the first execution.
 * <pre>{@code
 * Program p = Tracer.trace(f, inputs, List.of("inputs"));
 * try (CompiledTaskGraph c = TaskGraphCompiler.compile(p, false)) {
 *     for (Map<String, Tensor> batch : batches) {
 *         Map<String, Tensor> out = c.run(batch);   // "loss", "grad:inputs"
 *     }
 * }
 * }</pre>
 */
public final class TaskGraphCompiler implements ProgramCompiler {
    /** The name users select this compiler by ({@code --backend tornado-compiled}). */
    public static final String NAME = "tornado-compiled";
    private static final AtomicLong GRAPH_IDS = new AtomicLong();
    /**
     * Whether programs compile into fused kernels ({@link DeviceSource}); with
     * {@code -Dtornagrad.tornado.fused=false}, one task per traced kernel call, as before fusion
     * (kept to measure what fusion gives).
     */
    static final boolean FUSED = !"false".equalsIgnoreCase(System.getProperty("tornagrad.tornado.fused"));
    /** Elements per work-item of a pass that takes row sums ({@code -Dtornagrad.tornado.tile}). */
    static final int TILE = Integer.getInteger("tornagrad.tornado.tile", 256);
    /**
     * How passes become kernels; {@code -Dtornagrad.tornado.sums=strided} gives a work-item every
     * W-th element of its row instead of a tile (see {@link DeviceSource.Options}); exp, log, pow
     * and tanh are the device's float functions ({@link GeneratedKernels#MATH}).
     */
    static final DeviceSource.Options OPTIONS = new DeviceSource.Options(DeviceSource.SERIAL_MAX,
        DeviceSource.MAX_PARAMETERS, "strided".equals(System.getProperty("tornagrad.tornado.sums")),
        GeneratedKernels.MATH);

    /** The instance {@link org.tornagrad.compiler.ProgramCompilers} finds. */
    public TaskGraphCompiler() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        String reason = TornadoSupport.unavailableReason();
        if (reason != null) {
            return "a loss as one TornadoVM task graph of fused kernels (unavailable: " + reason + ")";
        }
        return "a loss as one TornadoVM " + TornadoSupport.version() + " task graph of fused kernels per shape, on "
            + TornadoSupport.deviceDescription();
    }

    @Override
    public ExecutableProgram compile(Program program) {
        return compile(program, false);
    }

    /**
     * The program as a task graph and its execution plan (TornadoVM compiles at the first run);
     * with {@code captureKernels}, the code TornadoVM generates at the first run is kept for
     * {@link CompiledTaskGraph#kernelSource()}.
     */
    public static CompiledTaskGraph compile(Program program, boolean captureKernels) {
        if (program == null) {
            throw new IllegalArgumentException("program: expected a traced program, got null");
        }
        TornadoSupport.requireAvailable();
        return new CompiledTaskGraph(program, captureKernels);
    }

    /**
     * The code TornadoVM generates for {@code program} on this backend's device (OpenCL C on an
     * OpenCL device, PTX on the PTX backend), one kernel per task in program order: the program
     * is compiled and run once on {@code inputs}, since TornadoVM generates code at the first
     * execution. For learners: {@code tornagrad graph LOSS --backend tornado --kernels}.
     */
    public static String generatedCode(Program program, Map<String, Tensor> inputs) {
        try (CompiledTaskGraph compiled = compile(program, true)) {
            compiled.run(inputs);
            return compiled.kernelSource();
        }
    }

    /** The device arrays of a program and its calls, and how the graph moves each one. */
    static final class Layout {
        final Object[] arrays;
        final List<DeviceTask> calls = new ArrayList<>();
        /** Constants that some call writes into (a scatter into a padded constant): restored before each run. */
        final Map<Integer, Object> pristine = new LinkedHashMap<>();

        Layout(Program program) {
            arrays = new Object[program.buffers().size()];
            for (Program.Buffer b : program.buffers()) {
                // Never an empty array: TornadoVM cannot allocate a 0-byte device buffer.
                int n = Math.max(1, b.length);
                if (b.role == Program.Role.CONSTANT) {
                    Object value = b.isInt ? b.intValue() : b.floatValue();
                    arrays[b.id] = n == b.length ? value : (b.isInt ? new int[n] : new float[n]);
                } else {
                    arrays[b.id] = b.isInt ? new int[n] : new float[n];
                }
            }
            if (FUSED) {
                DeviceSource source = deviceSource(program);
                Class<?> kernels = source.launches().stream().anyMatch(l -> l instanceof DeviceSource.Kernel)
                    ? GeneratedKernels.load(source) : null;
                for (DeviceSource.Launch launch : source.launches()) {
                    if (launch instanceof DeviceSource.Kernel) {
                        DeviceSource.Kernel k = (DeviceSource.Kernel) launch;
                        calls.add(new GeneratedTask(k, GeneratedKernels.task(kernels, k), arrays));
                    } else {
                        calls.add(kernelCall(((DeviceSource.Call) launch).instruction));
                    }
                }
            } else {
                for (Program.Instruction in : program.instructions()) {
                    calls.add(kernelCall(in));
                }
            }
            for (DeviceTask call : calls) {
                int[] ids = call.buffers();
                for (int s = 0; s < ids.length; s++) {
                    Program.Buffer b = program.buffers().get(ids[s]);
                    if (call.writes(s) && b.role == Program.Role.CONSTANT && !pristine.containsKey(b.id)) {
                        pristine.put(b.id, b.isInt ? b.intValue() : b.floatValue());
                    }
                }
            }
        }

        private DeviceSource source;

        /** The program's fusion plan as device kernels (one class per program). */
        private DeviceSource deviceSource(Program program) {
            source = DeviceSource.render(JavaProgramCompiler.plan(program, TILE), GeneratedKernels.newClassName(),
                GeneratedKernels.PARALLEL, OPTIONS);
            return source;
        }

        private KernelCall kernelCall(Program.Instruction in) {
            int[] ids = in.buffers();
            Object[] slots = new Object[ids.length];
            for (int s = 0; s < slots.length; s++) {
                slots[s] = arrays[ids[s]];
            }
            return KernelCall.of(in, slots);
        }

        /** The generated kernels' source (null on the unfused path). */
        DeviceSource source() {
            return source;
        }

        /**
         * The task graph. With {@code resident}, inputs too are copied only at the first execution
         * and nothing is copied back unless asked: the device-only variant for timing kernels
         * without host-device copies.
         */
        TaskGraph graph(Program program, String name, boolean resident) {
            TaskGraph g = new TaskGraph(name);
            Set<Object> once = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<Object> every = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Program.Buffer b : program.buffers()) {
                boolean perRun = b.role == Program.Role.INPUT || pristine.containsKey(b.id);
                (perRun && !resident ? every : once).add(arrays[b.id]);
            }
            for (DeviceTask c : calls) {
                once.addAll(c.fixedArrays());
            }
            // Only arrays some task uses may be declared: TornadoVM rejects a transfer of an
            // object no task takes (an unused input, or a call skipped for having no work).
            Set<Object> used = Collections.newSetFromMap(new IdentityHashMap<>());
            for (DeviceTask c : calls) {
                if (c.work() > 0) {
                    used.addAll(List.of(c.slots()));
                    used.addAll(c.fixedArrays());
                }
            }
            once.retainAll(used);
            every.retainAll(used);
            if (!once.isEmpty()) {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, once.toArray());
            }
            if (!every.isEmpty()) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, every.toArray());
            }
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).addTasks(g, "i" + i + "_" + calls.get(i).label());
            }
            Set<Object> back = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int id : program.outputs().values()) {
                if (used.contains(arrays[id])) {
                    back.add(arrays[id]);
                }
            }
            if (!back.isEmpty()) {
                g.transferToHost(resident ? DataTransferMode.UNDER_DEMAND : DataTransferMode.EVERY_EXECUTION,
                    back.toArray());
            }
            return g;
        }

        int taskCount() {
            int n = 0;
            for (DeviceTask c : calls) {
                n += c.taskCount();
            }
            return n;
        }
    }

    static String nextName(String prefix) {
        return prefix + GRAPH_IDS.incrementAndGet();
    }
}
