package org.tornagrad.compiler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Pooling;
import org.tornagrad.kernels.Unary;

/**
 * A {@link FusionPlan} rendered as the Java source of device kernels, one static method per
 * launch, for TornadoVM to compile to OpenCL or PTX (this class only writes text: it needs no
 * TornadoVM). The formulas are the shared scalar bodies of {@code kernels} ({@link Unary},
 * {@link Binary}) with their op codes as constants, so the device computes what the Java
 * reference does, except for exp, log, pow and tanh (and sigmoid and BCE, which call them):
 * those call the float functions of a class the target names ({@link Options#math()}), as
 * PyTorch's CUDA kernels call {@code expf} and {@code logf}, since the shared bodies' double
 * {@code Math.exp} would become double-precision device code (see {@link FloatForms}).
 *
 * <p>How passes become launches:
 * <ul>
 *   <li>a pass without sums: one work-item per element ({@code @Parallel} over {@code [0, n)});</li>
 *   <li>a pass with sums: one work-item per tile, each adding its tile's values in order (a short
 *       row whole, a long row's tile into a partial sum); the partial sums of a row are added in
 *       tile order afterwards, so the result does not depend on how the device schedules them;</li>
 *   <li>consecutive small passes (at most {@link #SERIAL_MAX} elements: the scalar arithmetic
 *       between a forward's sums and the backward) run in one single-work-item kernel, which
 *       also finishes the partial sums of the pass before it: a launch costs more than a few
 *       hundred additions;</li>
 *   <li>a max-pool or its backward runs at the start of a later pass over the same elements
 *       where it can: each of its outputs reads only whole buffers that earlier launches
 *       finished;</li>
 *   <li>a call no pass absorbs stays one launch of its own kernel ({@link Call}).</li>
 * </ul>
 * Sums are accumulated in double, as the device's reduction kernels do.
 */
public final class DeviceSource {
    /** Passes of at most this many elements run serially, in one work-item. */
    public static final int SERIAL_MAX = 256;
    /** TornadoVM's task interfaces take at most this many parameters (Task1 to Task20). */
    public static final int MAX_PARAMETERS = 20;
    /** Prefix of every generated method: the method name becomes the OpenCL kernel's, which must not clash with a built-in. */
    static final String PREFIX = "tg_";

    /** One launch of the compiled program, in order. */
    public interface Launch {
    }

    /** One parameter of a generated kernel: a program buffer, or an array the launch owns (tiles, partial sums). */
    public static final class Param {
        /** The program buffer, or -1 for {@link #array}. */
        public final int buffer;
        /** The launch's own array (int[] or double[], contents fixed at generation), or null. */
        public final Object array;
        /** Whether the kernel writes this parameter (a store, a row sum, a partial sum). */
        public final boolean written;
        /** Whether the program buffer holds ints (a max-pool's arg-max). */
        private final boolean ints;

        Param(int buffer, Object array, boolean written, boolean ints) {
            this.buffer = buffer;
            this.array = array;
            this.written = written;
            this.ints = ints;
        }

        /** Its Java type in the kernel's signature: float[] or int[] (a buffer), int[] or double[]. */
        public String type() {
            if (array == null) {
                return ints ? "int[]" : "float[]";
            }
            return array instanceof int[] ? "int[]" : "double[]";
        }
    }

    /** A generated kernel: the method's name and its parameters in order. */
    public static final class Kernel implements Launch {
        public final String method;
        public final List<Param> params;
        /** What the kernel does, for task names and listings: element, tiles, serial or finish. */
        public final String kind;

        Kernel(String method, List<Param> params, String kind) {
            this.method = method;
            this.params = Collections.unmodifiableList(new ArrayList<>(params));
            this.kind = kind;
        }
    }

    /** A program instruction that runs as its own kernel. */
    public static final class Call implements Launch {
        public final Program.Instruction instruction;
        public final boolean argmaxRead;

        Call(Program.Instruction instruction, boolean argmaxRead) {
            this.instruction = instruction;
            this.argmaxRead = argmaxRead;
        }
    }

    private final String className;
    private final String source;
    private final List<Launch> launches;

    private DeviceSource(String className, String source, List<Launch> launches) {
        this.className = className;
        this.source = source;
        this.launches = Collections.unmodifiableList(launches);
    }

    /**
     * How the plan becomes launches: passes of at most {@code serialMax} elements run serially;
     * kernels take at most {@code maxParams} parameters (a pass that would need more runs as
     * separate calls); with {@code stridedSums}, a pass whose sums all span long rows of one
     * length gives each work-item every W-th element of its row instead of a contiguous tile
     * (neighbouring work-items then read neighbouring elements, as a GPU wants; on a CPU device
     * contiguous tiles measured faster: bench/results/tornado-pocl.md). {@code math} is the
     * qualified name of the class whose static {@code float exp(float)}, {@code log(float)},
     * {@code pow(float, float)} and {@code tanh(float)} the kernels call:
     * {@code uk.ac.manchester.tornado.api.math.TornadoMath} for TornadoVM (the device's float
     * functions), {@link DeviceMathOnJvm} for kernels run as Java.
     */
    public record Options(int serialMax, int maxParams, boolean stridedSums, String math) {
        /**
         * The defaults: {@link DeviceSource#SERIAL_MAX}, {@link DeviceSource#MAX_PARAMETERS},
         * contiguous tiles, {@link DeviceMathOnJvm}.
         */
        public static final Options DEFAULT = new Options(SERIAL_MAX, MAX_PARAMETERS, false);

        public Options {
            if (serialMax < 0 || maxParams < 1) {
                throw new IllegalArgumentException("options: expected serialMax >= 0 and maxParams >= 1, got "
                    + serialMax + " and " + maxParams);
            }
            if (math == null || !math.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*")) {
                throw new IllegalArgumentException("options: expected the qualified name of a math class, got " + math);
            }
        }

        /** These options with {@link DeviceMathOnJvm} as the math class. */
        public Options(int serialMax, int maxParams, boolean stridedSums) {
            this(serialMax, maxParams, stridedSums, DeviceMathOnJvm.class.getName());
        }
    }

    /**
     * The kernels of {@code plan} as the source of class {@code className} (in the default
     * package); {@code parallel} is the qualified name of the annotation that marks a parallel
     * loop ({@code uk.ac.manchester.tornado.api.annotations.Parallel} for TornadoVM), or null for
     * plain loops (the kernels run as ordinary Java: {@link DeviceSourceOnJvm}).
     */
    public static DeviceSource render(FusionPlan plan, String className, String parallel, Options options) {
        return new Renderer(plan, className, parallel, options).render();
    }

    /** The class's binary name. */
    public String className() {
        return className;
    }

    public String source() {
        return source;
    }

    public List<Launch> launches() {
        return launches;
    }

    /** Adds members (a target's task factories, say) before the class's closing brace. */
    public String sourceWith(String members) {
        int end = source.lastIndexOf('}');
        return source.substring(0, end) + members + "}\n";
    }

    /** Writes the kernels; one instance per rendering. */
    private static final class Renderer {
        private final FusionPlan plan;
        private final String className;
        private final String parallel;
        private final int serialMax;
        private final int maxParams;
        private final boolean stridedSums;
        private final FloatForms floats;
        private final StringBuilder out = new StringBuilder();
        private final List<Launch> launches = new ArrayList<>();
        /** Partial sums waiting to be finished: the sink, its partial array and each row's first tile. */
        private final List<Finish> pending = new ArrayList<>();
        /** The serial group being gathered: its passes, and the finishes it starts with. */
        private final List<FusionPlan.Pass> serial = new ArrayList<>();
        private final List<Finish> serialFinishes = new ArrayList<>();
        /** The steps that read or write each buffer (a long-row sum's target counts for its readers only). */
        private final Map<Integer, List<FusionPlan.Step>> users = new HashMap<>();
        /** Buffers some step reads through an index computation (a gather, a padded read). */
        private final Set<Integer> indexed = new HashSet<>();
        /** The targets of long-row sums, written where the partial sums are finished. */
        private final Set<Integer> partialTargets = new HashSet<>();
        /** Max-pool calls run at the start of a later pass's elements, by pass, in program order. */
        private final Map<FusionPlan.Pass, List<FusionPlan.Call>> prologues = new IdentityHashMap<>();
        private final Set<FusionPlan.Call> absorbed = Collections.newSetFromMap(new IdentityHashMap<>());
        private int next;

        Renderer(FusionPlan plan, String className, String parallel, Options options) {
            this.plan = plan;
            this.className = className;
            this.parallel = parallel;
            this.serialMax = options.serialMax();
            this.maxParams = options.maxParams();
            this.stridedSums = options.stridedSums();
            this.floats = new FloatForms(options.math());
            for (FusionPlan.Step step : plan.steps()) {
                if (step instanceof FusionPlan.Call) {
                    for (int b : ((FusionPlan.Call) step).instruction.buffers()) {
                        use(b, step);
                    }
                    continue;
                }
                FusionPlan.Pass p = (FusionPlan.Pass) step;
                for (TileOp op : p.ops) {
                    int read = TileOp.readBuffer(op);
                    if (read >= 0) {
                        use(read, p);
                    }
                    if (op instanceof TileOp.Gather || op instanceof TileOp.Pad) {
                        indexed.add(read);
                    } else if (op instanceof TileOp.Store) {
                        use(((TileOp.Store) op).buffer, p);
                    }
                }
                for (FusedKernel.Sink sink : p.sinks) {
                    if (sink.partial) {
                        partialTargets.add(sink.out);
                    } else {
                        use(sink.out, p);
                    }
                }
            }
            absorbPools();
        }

        /**
         * Moves each max-pool call, forward or backward, to the start of the first later pass
         * over as many elements as it writes, where that saves its launch: every element of its
         * output reads only buffers that launches before that pass finished. It may move past
         * the steps in between when they neither touch what it writes nor write what it reads,
         * and the pass must read its outputs only at the element itself. A backward whose windows
         * overlap too much stays a call: each input pixel visits every window that can reach it.
         */
        private void absorbPools() {
            List<FusionPlan.Step> steps = plan.steps();
            for (int c = 0; c < steps.size(); c++) {
                if (!(steps.get(c) instanceof FusionPlan.Call call) || poolSize(call.instruction) < 0) {
                    continue;
                }
                Set<Integer> reads = new HashSet<>();
                Set<Integer> writes = new HashSet<>();
                collect(call.instruction, reads, writes);
                for (int s = c + 1; s < steps.size(); s++) {
                    FusionPlan.Step step = steps.get(s);
                    Set<Integer> stepReads = new HashSet<>();
                    Set<Integer> stepWrites = new HashSet<>();
                    collect(step, stepReads, stepWrites);
                    boolean leavesItAlone = Collections.disjoint(stepWrites, reads)
                        && Collections.disjoint(stepWrites, writes);
                    if (leavesItAlone && step instanceof FusionPlan.Pass p && p.n == poolSize(call.instruction)
                        && readsOnlyAtElement(p, writes) && Collections.disjoint(prologueReads(p), writes)) {
                        prologues.computeIfAbsent(p, k -> new ArrayList<>()).add(call);
                        absorbed.add(call);
                        break;
                    }
                    if (!leavesItAlone || !Collections.disjoint(stepReads, writes)) {
                        break;
                    }
                }
            }
        }

        /**
         * The elements a max-pool call writes, when it can run inside a pass (else -1): the
         * forward's outputs, or the backward's input gradient when its forward is in the plan
         * and each input pixel meets at most 81 windows.
         */
        private int poolSize(Program.Instruction in) {
            Program program = plan.program();
            if (in instanceof Program.MaxPool2d pool) {
                return program.buffers().get(pool.out()).length;
            } else if (in instanceof Program.MaxPool2dBackward back) {
                Program.MaxPool2d pool = forwardOf(back);
                if (pool == null) {
                    return -1;
                }
                long reach = (pool.kernel() + pool.stride() - 1L) / pool.stride();
                return reach * reach <= 81 ? program.buffers().get(back.gradIn()).length : -1;
            }
            return -1;
        }

        /** The forward call whose arg-max a backward reads, with the same planes, or null. */
        private Program.MaxPool2d forwardOf(Program.MaxPool2dBackward back) {
            for (FusionPlan.Step step : plan.steps()) {
                if (step instanceof FusionPlan.Call c && c.instruction instanceof Program.MaxPool2d pool
                    && pool.argmax() == back.argmax() && pool.planes() == back.planes() && pool.h() == back.h()
                    && pool.w() == back.w()) {
                    return pool;
                }
            }
            return null;
        }

        /** What a step reads and writes, with the pool calls already moved into it. */
        private void collect(FusionPlan.Step step, Set<Integer> reads, Set<Integer> writes) {
            if (step instanceof FusionPlan.Call c) {
                collect(c.instruction, reads, writes);
                return;
            }
            FusionPlan.Pass p = (FusionPlan.Pass) step;
            for (FusionPlan.Call c : prologues.getOrDefault(p, List.of())) {
                collect(c.instruction, reads, writes);
            }
            for (TileOp op : p.ops) {
                int read = TileOp.readBuffer(op);
                if (read >= 0) {
                    reads.add(read);
                } else if (op instanceof TileOp.Store) {
                    writes.add(((TileOp.Store) op).buffer);
                }
            }
            for (FusedKernel.Sink sink : p.sinks) {
                writes.add(sink.out);
            }
        }

        /** What the calls already moved into a pass read: other work-items read it around element i. */
        private Set<Integer> prologueReads(FusionPlan.Pass p) {
            Set<Integer> reads = new HashSet<>();
            for (FusionPlan.Call c : prologues.getOrDefault(p, List.of())) {
                collect(c.instruction, reads, new HashSet<>());
            }
            return reads;
        }

        private static void collect(Program.Instruction in, Set<Integer> reads, Set<Integer> writes) {
            int[] buffers = in.buffers();
            for (int slot = 0; slot < buffers.length; slot++) {
                if (in.writes(slot)) {
                    writes.add(buffers[slot]);
                }
                if (in.reads(slot)) {
                    reads.add(buffers[slot]);
                }
            }
        }

        /** Whether the pass reads {@code buffers} only element i at element i (a plain load). */
        private static boolean readsOnlyAtElement(FusionPlan.Pass p, Set<Integer> buffers) {
            for (TileOp op : p.ops) {
                if (buffers.contains(TileOp.readBuffer(op)) && !(op instanceof TileOp.Load l && l.offset == 0)) {
                    return false;
                }
            }
            return true;
        }

        private void use(int buffer, FusionPlan.Step step) {
            users.computeIfAbsent(buffer, b -> new ArrayList<>()).add(step);
        }

        /**
         * The one-element buffers that a serial kernel of {@code passes} (starting with
         * {@code finishes}) alone writes and reads: locals of the kernel instead of parameters. The
         * scalar arithmetic between a forward's sums and the backward passes many values along,
         * and as parameters they would split the group at TornadoVM's parameter limit.
         */
        private Set<Integer> serialLocals(List<Finish> finishes, List<FusionPlan.Pass> passes) {
            Set<Integer> finished = new HashSet<>();
            for (Finish f : finishes) {
                finished.add(f.sink.out);
            }
            for (FusionPlan.Pass p : passes) {
                for (FusedKernel.Sink sink : p.sinks) {
                    finished.add(sink.out);
                }
            }
            Set<Integer> locals = new HashSet<>();
            Set<FusionPlan.Step> group = Collections.newSetFromMap(new IdentityHashMap<>());
            group.addAll(passes);
            Program program = plan.program();
            for (Map.Entry<Integer, List<FusionPlan.Step>> e : users.entrySet()) {
                int b = e.getKey();
                Program.Buffer buffer = program.buffers().get(b);
                if (buffer.length == 1 && buffer.role == Program.Role.TEMP && !buffer.isInt && !indexed.contains(b)
                    && !program.outputs().containsValue(b) && group.containsAll(e.getValue())
                    && (!partialTargets.contains(b) || finished.contains(b))) {
                    locals.add(b);
                }
            }
            return locals;
        }

        /**
         * A long-row sum to finish: out[r] = Σ partial[base + t] over row r's tiles, in tile order,
         * row r's tiles being index[rows + r] to index[rows + r + 1]. A pass keeps all its partial
         * sums in one array and its tile starts and rows' tiles in another, so that a kernel
         * finishing several sums takes two arrays, not two per sum.
         */
        private static final class Finish {
            final FusedKernel.Sink sink;
            final double[] partial;
            final int base;
            final int[] index;
            final int rows;

            Finish(FusedKernel.Sink sink, double[] partial, int base, int[] index, int rows) {
                this.sink = sink;
                this.partial = partial;
                this.base = base;
                this.index = index;
                this.rows = rows;
            }
        }

        /** What marks a parallel loop variable: the annotation, or nothing. */
        private String mark() {
            return parallel == null ? "" : "@" + parallel + " ";
        }

        DeviceSource render() {
            out.append("// Generated by Tornagrad's DeviceSource from a fused program; do not edit.\n");
            out.append("public final class ").append(className).append(" {\n");
            for (FusionPlan.Step s : plan.steps()) {
                if (absorbed.contains(s)) {
                    continue;
                }
                if (s instanceof FusionPlan.Call) {
                    flushSerial();
                    flushFinishes();
                    FusionPlan.Call c = (FusionPlan.Call) s;
                    launches.add(new Call(c.instruction, c.argmaxRead));
                    continue;
                }
                FusionPlan.Pass p = (FusionPlan.Pass) s;
                if (p.n <= serialMax) {
                    if (serial.isEmpty()) {
                        serialFinishes.addAll(pending);
                        pending.clear();
                    }
                    serial.add(p);
                } else {
                    flushSerial();
                    flushFinishes();
                    parallelPass(p);
                }
            }
            flushSerial();
            flushFinishes();
            out.append("}\n");
            return new DeviceSource(className, out.toString(), launches);
        }

        private String newMethod() {
            return PREFIX + "k" + next++;
        }

        /** The parameters of a kernel, by program buffer or own array, and their names. */
        private static final class Params {
            final Map<Integer, Integer> buffers = new LinkedHashMap<>();
            final List<Param> list = new ArrayList<>();
            final List<String> names = new ArrayList<>();
            /** One-element buffers kept in local variables of the kernel (a serial kernel's own scalars). */
            final Set<Integer> locals;
            final Set<Integer> usedLocals = new TreeSet<>();
            private final Program program;

            Params(Program program) {
                this(program, Set.of());
            }

            Params(Program program, Set<Integer> locals) {
                this.program = program;
                this.locals = locals;
            }

            /** Element {@code index} of program buffer {@code b}, read. */
            String read(int b, String index) {
                return local(b) ? "l" + b : buffer(b) + "[" + index + "]";
            }

            /** Element {@code index} of program buffer {@code b}, as the target of an assignment. */
            String write(int b, String index) {
                return local(b) ? "l" + b : written(b) + "[" + index + "]";
            }

            private boolean local(int b) {
                if (!locals.contains(b)) {
                    return false;
                }
                usedLocals.add(b);
                return true;
            }

            /** The declarations of the locals the body uses. */
            String declarations() {
                StringBuilder sb = new StringBuilder();
                for (int b : usedLocals) {
                    sb.append("        float l").append(b).append(" = 0f;\n");
                }
                return sb.toString();
            }

            /** The parameter for program buffer {@code b}, which the kernel reads. */
            String buffer(int b) {
                return parameter(b, false);
            }

            /** The parameter for program buffer {@code b}, which the kernel writes. */
            String written(int b) {
                return parameter(b, true);
            }

            private String parameter(int b, boolean write) {
                Integer at = buffers.get(b);
                if (at == null) {
                    at = list.size();
                    buffers.put(b, at);
                    list.add(new Param(b, null, write, program.buffers().get(b).isInt));
                    names.add("b" + b);
                } else if (write && !list.get(at).written) {
                    list.set(at, new Param(b, null, true, list.get(at).ints));
                }
                return names.get(at);
            }

            /** A parameter for an array of the launch's own, named {@code prefix} and its position (once per array). */
            String own(Object array, String prefix) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i).array == array) {
                        return names.get(i);
                    }
                }
                String name = prefix + list.size();
                list.add(new Param(-1, array, true, false));
                names.add(name);
                return name;
            }

            String signature() {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(list.get(i).type()).append(' ').append(names.get(i));
                }
                return sb.toString();
            }
        }

        private void parallelPass(FusionPlan.Pass p) {
            Params params = new Params(plan.program());
            StringBuilder body = new StringBuilder();
            String kind;
            List<Finish> finishes = new ArrayList<>();
            if (p.sinks.isEmpty()) {
                kind = "element";
                body.append("        for (").append(mark()).append("int i = 0; i < ").append(p.n).append("; i++) {\n");
                elementBody(p, params, body, "            ", null);
                body.append("        }\n");
            } else {
                kind = "tiles";
                tiledPass(p, params, body, true, finishes);
            }
            if (params.list.size() > maxParams) {
                calls(p);
                return;
            }
            pending.addAll(finishes);
            emit(newMethod(), params, body, kind);
        }

        /** A pass the target cannot take as one kernel (too many arrays): its instructions, one call each. */
        private void calls(FusionPlan.Pass p) {
            for (FusionPlan.Call c : prologues.getOrDefault(p, List.of())) {
                launches.add(new Call(c.instruction, c.argmaxRead));
            }
            for (Program.Instruction in : p.instructions) {
                launches.add(new Call(in, true));
            }
        }

        /**
         * The serial group as one kernel, or, where that takes more arrays than the target allows,
         * as consecutive smaller groups (a pass alone that still does becomes calls).
         */
        private void flushSerial() {
            if (serial.isEmpty()) {
                return;
            }
            List<Finish> finishes = new ArrayList<>(serialFinishes);
            if (serialKernel(finishes, serial, false)) {
                serialKernel(finishes, serial, true);
                serial.clear();
                serialFinishes.clear();
                return;
            }
            List<FusionPlan.Pass> group = new ArrayList<>();
            for (FusionPlan.Pass p : serial) {
                group.add(p);
                if (serialKernel(finishes, group, false)) {
                    continue;
                }
                group.remove(group.size() - 1);
                if (!group.isEmpty() || !finishes.isEmpty()) {
                    if (group.isEmpty()) {
                        pending.addAll(finishes);
                        flushFinishes();
                    } else {
                        serialKernel(finishes, group, true);
                    }
                    finishes.clear();
                    group.clear();
                }
                group.add(p);
                if (!serialKernel(finishes, group, false)) {
                    group.clear();
                    calls(p);
                }
            }
            if (!group.isEmpty() || !finishes.isEmpty()) {
                serialKernel(finishes, group, true);
            }
            serial.clear();
            serialFinishes.clear();
        }

        /** Renders finishes then passes serially; emits it when {@code emit}, else says whether it fits. */
        private boolean serialKernel(List<Finish> finishes, List<FusionPlan.Pass> passes, boolean emit) {
            Params params = new Params(plan.program(), serialLocals(finishes, passes));
            StringBuilder body = new StringBuilder();
            finishBody(finishes, params, body, false);
            for (FusionPlan.Pass p : passes) {
                if (p.sinks.isEmpty()) {
                    body.append("        for (int i = 0; i < ").append(p.n).append("; i++) {\n");
                    elementBody(p, params, body, "            ", null);
                    body.append("        }\n");
                } else {
                    List<Finish> own = new ArrayList<>();
                    tiledPass(p, params, body, false, own);
                    finishBody(own, params, body, false);
                }
            }
            if (emit) {
                emit(newMethod(), params, body, "serial");
            }
            return params.list.size() <= maxParams;
        }

        private void flushFinishes() {
            if (pending.isEmpty()) {
                return;
            }
            Params params = new Params(plan.program());
            StringBuilder body = new StringBuilder();
            finishBody(pending, params, body, true);
            pending.clear();
            emit(newMethod(), params, body, "finish");
        }

        private void emit(String method, Params params, StringBuilder body, String kind) {
            out.append("    public static void ").append(method).append('(').append(params.signature()).append(") {\n")
                .append(params.declarations()).append(body).append("    }\n");
            launches.add(new Kernel(method, params.list, kind));
        }

        /**
         * One work-item (or, serially, one iteration) per tile: the tile's elements in order, each
         * short row's sum written when the row ends, each long row's partial sum at the tile's end.
         */
        private void tiledPass(FusionPlan.Pass p, Params params, StringBuilder body, boolean parallelTiles,
                               List<Finish> finishes) {
            // index: the tile starts (tiles + 1), then each long-row sum's first tile per row (rows + 1).
            List<int[]> rowTiles = new ArrayList<>();
            int length = p.tileStart.length;
            for (FusedKernel.Sink sink : p.sinks) {
                if (sink.partial) {
                    int[] first = rowTiles(p, sink);
                    rowTiles.add(first);
                    length += first.length;
                }
            }
            int[] index = new int[length];
            System.arraycopy(p.tileStart, 0, index, 0, p.tileStart.length);
            double[] partials = new double[Math.max(1, rowTiles.size() * p.tiles())];
            String tiles = params.own(index, "index");
            String[] partial = new String[p.sinks.size()];
            int at = p.tileStart.length;
            int base = 0;
            for (int k = 0, taken = 0; k < p.sinks.size(); k++) {
                FusedKernel.Sink sink = p.sinks.get(k);
                if (sink.partial) {
                    int[] first = rowTiles.get(taken++);
                    System.arraycopy(first, 0, index, at, first.length);
                    partial[k] = params.own(partials, "partial") + "[" + base + " + t]";
                    finishes.add(new Finish(sink, partials, base, index, at));
                    at += first.length;
                    base += p.tiles();
                }
            }
            body.append("        for (").append(parallelTiles ? mark() : "").append("int t = 0; t < ")
                .append(p.tiles()).append("; t++) {\n");
            for (int k = 0; k < p.sinks.size(); k++) {
                body.append("            double s").append(k).append(" = 0.0;\n");
            }
            int size = uniformTile(p);
            int lanes = parallelTiles && stridedSums ? stridedLanes(p, size) : 0;
            if (lanes > 0) {
                // Work-item t takes every lanes-th element of its row, from its own start: at each
                // step neighbouring work-items read neighbouring elements. As many elements per
                // partial sum as a tile, added in a fixed order: still deterministic.
                int cols = p.sinks.get(0).cols;
                body.append("            int first = t / ").append(lanes).append(" * ").append(cols).append(" + t % ")
                    .append(lanes).append(";\n");
                body.append("            for (int k = 0; k < ").append(size).append("; k++) {\n");
                body.append("                int i = first + k * ").append(lanes).append(";\n");
            } else if (size > 0) {
                // Tiles of one size (the last may be shorter): bounds the device compiler can see.
                String end = p.n % size == 0 ? "t * " + size + " + " + size
                    : "(t * " + size + " + " + size + " < " + p.n + " ? t * " + size + " + " + size + " : " + p.n + ")";
                body.append("            for (int i = t * ").append(size).append("; i < ").append(end).append("; i++) {\n");
            } else {
                body.append("            for (int i = ").append(tiles).append("[t]; i < ").append(tiles)
                    .append("[t + 1]; i++) {\n");
            }
            elementBody(p, params, body, "                ", p.sinks);
            body.append("            }\n");
            for (int k = 0; k < p.sinks.size(); k++) {
                if (partial[k] != null) {
                    body.append("            ").append(partial[k]).append(" = s").append(k).append(";\n");
                }
            }
            body.append("        }\n");
        }

        /**
         * The work-items per row when a pass's sums can take strided elements instead of contiguous
         * tiles: every sum a long-row one over rows of the same length, a whole number of tiles of
         * {@code size}; else 0.
         */
        private static int stridedLanes(FusionPlan.Pass p, int size) {
            if (size <= 0 || p.sinks.isEmpty()) {
                return 0;
            }
            int cols = p.sinks.get(0).cols;
            for (FusedKernel.Sink sink : p.sinks) {
                if (!sink.partial || sink.cols != cols) {
                    return 0;
                }
            }
            return cols % size == 0 && p.n % cols == 0 ? cols / size : 0;
        }

        /** The size of every tile of {@code p} but the last (which may be shorter), or 0 when they differ. */
        private static int uniformTile(FusionPlan.Pass p) {
            int size = p.tileStart.length > 1 ? p.tileStart[1] - p.tileStart[0] : 0;
            for (int t = 0; t < p.tiles(); t++) {
                int expected = Math.min(p.tileStart[t] + size, p.n);
                if (p.tileStart[t] != t * size || p.tileStart[t + 1] != expected) {
                    return 0;
                }
            }
            return size;
        }

        /** The first tile of each row of a long-row sink, and one past the last row's. */
        private static int[] rowTiles(FusionPlan.Pass p, FusedKernel.Sink sink) {
            int[] first = new int[sink.rows + 1];
            int t = 0;
            for (int r = 0; r <= sink.rows; r++) {
                int start = r * sink.cols;
                while (t < p.tiles() && p.tileStart[t] < start) {
                    t++;
                }
                first[r] = t;
            }
            return first;
        }

        private void finishBody(List<Finish> finishes, Params params, StringBuilder body, boolean parallelRows) {
            if (finishes.isEmpty()) {
                return;
            }
            int rows = 0;
            for (Finish f : finishes) {
                rows = Math.max(rows, f.sink.rows);
            }
            String indent = "            ";
            body.append("        for (").append(parallelRows ? mark() : "").append("int r = 0; r < ")
                .append(rows).append("; r++) {\n");
            for (Finish f : finishes) {
                String partial = params.own(f.partial, "partial");
                String index = params.own(f.index, "index");
                String target = params.write(f.sink.out, "r");
                body.append(indent).append("if (r < ").append(f.sink.rows).append(") {\n")
                    .append(indent).append("    double s = 0.0;\n")
                    .append(indent).append("    for (int t = ").append(index).append("[").append(f.rows).append(" + r]; t < ")
                    .append(index).append("[").append(f.rows).append(" + r + 1]; t++) {\n")
                    .append(indent).append("        s += ").append(partial).append("[").append(f.base).append(" + t];\n")
                    .append(indent).append("    }\n")
                    .append(indent).append("    ").append(target).append(" = (float) s;\n")
                    .append(indent).append("}\n");
            }
            body.append("        }\n");
        }

        /** The ops of a pass for element {@code i}, slots as locals; sums into {@code s<k>} when sinks are given. */
        private void elementBody(FusionPlan.Pass p, Params params, StringBuilder body, String indent,
                                 List<FusedKernel.Sink> sinks) {
            int slots = 0;
            for (TileOp op : p.ops) {
                slots = Math.max(slots, op.out + 1);
                for (int s : op.in) {
                    slots = Math.max(slots, s + 1);
                }
            }
            for (FusionPlan.Call c : prologues.getOrDefault(p, List.of())) {
                body.append(indent).append(pooled(c, params)).append('\n');
            }
            for (int s = 0; s < slots; s++) {
                body.append(indent).append("float v").append(s).append(" = 0f;\n");
            }
            for (TileOp op : p.ops) {
                body.append(indent).append(statement(op, params, sinks)).append('\n');
            }
        }

        /** A max-pool call moved into a pass: its output element i, from the whole buffers it reads. */
        private String pooled(FusionPlan.Call c, Params params) {
            String pooling = "org.tornagrad.kernels.Pooling.";
            if (c.instruction instanceof Program.MaxPool2d pool) {
                int outH = Pooling.outputSize(pool.h(), pool.kernel(), pool.stride(), pool.padding());
                int outW = Pooling.outputSize(pool.w(), pool.kernel(), pool.stride(), pool.padding());
                int plane = pool.h() * pool.w();
                String x = params.buffer(pool.x());
                StringBuilder sb = new StringBuilder("{ int plane = i / ").append(outH * outW)
                    .append("; int at = i - plane * ").append(outH * outW).append("; int idx = ").append(pooling)
                    .append("windowArgMax(").append(x).append(", plane * ").append(plane).append(", ").append(pool.h())
                    .append(", ").append(pool.w()).append(", at / ").append(outW).append(", at % ").append(outW)
                    .append(", ").append(pool.kernel()).append(", ").append(pool.stride()).append(", ")
                    .append(pool.padding()).append("); ");
                if (c.argmaxRead) {
                    sb.append(params.write(pool.argmax(), "i")).append(" = idx; ");
                }
                return sb.append(params.write(pool.out(), "i")).append(" = ").append(x).append("[plane * ").append(plane)
                    .append(" + idx]; }").toString();
            }
            Program.MaxPool2dBackward back = (Program.MaxPool2dBackward) c.instruction;
            Program.MaxPool2d pool = forwardOf(back);
            int plane = back.h() * back.w();
            return "{ int plane = i / " + plane + "; int at = i - plane * " + plane + "; "
                + params.write(back.gradIn(), "i") + " = " + pooling + "gatheredGradient(" + params.buffer(back.g())
                + ", " + params.buffer(back.argmax()) + ", plane * " + back.outH() * back.outW() + ", " + back.w() + ", "
                + back.outH() + ", " + back.outW() + ", " + pool.kernel() + ", " + pool.stride() + ", "
                + pool.padding() + ", at / " + back.w() + ", at % " + back.w() + "); }";
        }

        private String statement(TileOp op, Params params, List<FusedKernel.Sink> sinks) {
            if (op instanceof TileOp.Load) {
                TileOp.Load l = (TileOp.Load) op;
                return v(op.out) + " = " + params.read(l.buffer, l.offset == 0 ? "i" : "i + " + l.offset) + ";";
            } else if (op instanceof TileOp.Fill) {
                return v(op.out) + " = " + fillValue((TileOp.Fill) op, params) + ";";
            } else if (op instanceof TileOp.Gather) {
                TileOp.Gather g = (TileOp.Gather) op;
                return v(op.out) + " = " + params.buffer(g.buffer) + "[" + gatherIndex(g.view) + "];";
            } else if (op instanceof TileOp.Pad) {
                return padded((TileOp.Pad) op, params);
            } else if (op instanceof TileOp.Store) {
                TileOp.Store s = (TileOp.Store) op;
                return params.write(s.buffer, "i") + " = " + v(op.in[0]) + ";";
            } else if (op instanceof TileOp.SumPartial) {
                return "s" + ((TileOp.SumPartial) op).sink + " += " + v(op.in[0]) + ";";
            } else if (op instanceof TileOp.SumRows) {
                int k = ((TileOp.SumRows) op).sink;
                FusedKernel.Sink sink = sinks.get(k);
                return "s" + k + " += " + v(op.in[0]) + "; if ((i + 1) % " + sink.cols + " == 0) { "
                    + params.write(sink.out, "i / " + sink.cols) + " = (float) s" + k + "; s" + k + " = 0.0; }";
            }
            return v(op.out) + " = " + formula(op) + ";";
        }

        /**
         * A finite element of a constant as a literal, which saves the kernel a parameter (the
         * scalars of the derivatives' masks, a clamp's bound); anything else as a read of its
         * buffer. NaN and infinities stay reads: TornadoVM prints a NaN constant as {@code NaNF}.
         */
        private String fillValue(TileOp.Fill f, Params params) {
            Program.Buffer b = plan.program().buffers().get(f.buffer);
            if (b.role == Program.Role.CONSTANT && !b.isInt) {
                float value = b.floatAt(f.element);
                if (Float.isFinite(value)) {
                    return literal(value);
                }
            }
            return params.read(f.buffer, Integer.toString(f.element));
        }

        private String formula(TileOp op) {
            int[] in = op.in;
            if (op instanceof TileOp.Exp) {
                return unary(Unary.EXP, in[0], 0f, 0f);
            } else if (op instanceof TileOp.Log) {
                return unary(Unary.LOG, in[0], 0f, 0f);
            } else if (op instanceof TileOp.Sigmoid) {
                return unary(Unary.SIGMOID, in[0], 0f, 0f);
            } else if (op instanceof TileOp.UnaryOp) {
                TileOp.UnaryOp u = (TileOp.UnaryOp) op;
                return unary(u.op, in[0], u.a, u.b);
            } else if (op instanceof TileOp.Bce) {
                return binary(Binary.BCE, in[0], in[1]);
            } else if (op instanceof TileOp.BinaryOp) {
                return binary(((TileOp.BinaryOp) op).op, in[0], in[1]);
            }
            throw new IllegalStateException("device source: no device form for tile op " + op);
        }

        private String unary(int op, int x, float a, float b) {
            String form = floats.unary(op, v(x), a);
            return form != null ? form
                : "org.tornagrad.kernels.Unary.apply(" + op + ", " + v(x) + ", " + constant(a, v(x)) + ", "
                    + constant(b, v(x)) + ")";
        }

        private String binary(int op, int x, int y) {
            String form = floats.binary(op, v(x), v(y));
            return form != null ? form : "org.tornagrad.kernels.Binary.apply(" + op + ", " + v(x) + ", " + v(y) + ")";
        }

        /** {@code offset + Σ coordinate(d) * stride(d)} of position i, with the view's constants. */
        private static String gatherIndex(StridedView view) {
            StringBuilder sb = new StringBuilder().append(view.offset);
            int inner = 1;
            for (int d = view.shape.length - 1; d >= 0; d--) {
                if (view.strides[d] != 0 && view.shape[d] != 1) {
                    String coordinate = inner == 1 ? "i" : "(i / " + inner + ")";
                    if (d > 0) {
                        coordinate = "(" + coordinate + " % " + view.shape[d] + ")";
                    }
                    sb.append(" + ").append(coordinate).append(" * ").append(view.strides[d]);
                }
                inner *= view.shape[d];
            }
            return sb.toString();
        }

        /** The padded read: the source's element where position i falls on the region, else 0. */
        private static String padded(TileOp.Pad op, Params params) {
            PaddedView view = op.view;
            String source = params.buffer(op.buffer);
            StringBuilder sb = new StringBuilder("{ int rest = i; int at = 0; boolean inside = true;");
            int[] sourceStrides = view.sourceStrides();
            for (int d = view.rank() - 1; d >= 0; d--) {
                sb.append(" { int u = rest % ").append(view.shape[d]).append(" - ").append(view.start[d])
                    .append("; rest = rest / ").append(view.shape[d])
                    .append("; inside = inside && u >= 0 && u % ").append(view.step[d]).append(" == 0 && u / ")
                    .append(view.step[d]).append(" < ").append(view.size[d])
                    .append("; if (inside) { at += u / ").append(view.step[d]).append(" * ").append(sourceStrides[d])
                    .append("; } }");
            }
            return sb.append(' ').append(v(op.out)).append(" = 0f; if (inside) { ").append(v(op.out)).append(" = ")
                .append(source).append("[at]; } }").toString();
        }

        private static String v(int slot) {
            return "v" + slot;
        }

        /**
         * An op's constant: a literal, but NaN computed at run time from the op's operand
         * ({@link Unary#nanFrom}), since TornadoVM prints the constant {@code Float.NaN} as
         * {@code NaNF}, which no OpenCL compiler takes.
         */
        private static String constant(float f, String operand) {
            return Float.isNaN(f) ? nan(operand) : literal(f);
        }

        /** {@link Unary#nanFrom} of {@code x}: NaN at run time. */
        static String nan(String x) {
            return "org.tornagrad.kernels.Unary.nanFrom(" + x + ")";
        }

        /** A float constant that reads back as the same bits. */
        private static String literal(float f) {
            if (f == Float.POSITIVE_INFINITY) {
                return "Float.POSITIVE_INFINITY";
            } else if (f == Float.NEGATIVE_INFINITY) {
                return "Float.NEGATIVE_INFINITY";
            }
            return Float.toString(f) + "f";
        }
    }

    /**
     * The device forms of the ops that call exp, log, pow or tanh: the float functions of class
     * {@code math} instead of the shared bodies' {@code (float) Math.exp(x)}, which TornadoVM
     * compiles to double-precision device code (slow on CPUs' OpenCL and on GPUs, whose FP64 may
     * run at 1/32 to 1/64 of the FP32 rate). PyTorch's CUDA kernels call the float {@code expf},
     * {@code logf} and {@code powf} likewise; on a device each result is within the device libm's
     * float bound of Java's (OpenCL: exp and log 3 ulp, pow 16 ulp, tanh 5 ulp), and with
     * {@link DeviceMathOnJvm} it is Java's, bit for bit. Each form keeps the rounding order of its
     * shared body ({@link Unary#sigmoid}, {@link Binary#bce}); the shared bodies stay the Java
     * reference. Every other op, sqrt included (a double square root rounded to float is the
     * float square root), stays on the shared bodies.
     */
    private static final class FloatForms {
        private final String math;

        FloatForms(String math) {
            this.math = math;
        }

        /** The float form of unary {@code op} of {@code x} (constant {@code a}), or null for the shared body. */
        String unary(int op, String x, float a) {
            switch (op) {
                case Unary.EXP: return exp(x);
                case Unary.LOG: return log(x);
                case Unary.TANH: return math + ".tanh(" + x + ")";
                case Unary.SIGMOID: return "1f / (1f + " + exp("-" + x) + ")";
                case Unary.POW_SCALAR: return powScalar(x, a);
                default: return null;
            }
        }

        /** The float form of binary {@code op} of {@code x} and {@code y}, or null for the shared body. */
        String binary(int op, String x, String y) {
            switch (op) {
                case Binary.POW: return pow(x, y);
                case Binary.BCE: return bce(x, y);
                default: return null;
            }
        }

        /**
         * {@link Binary#bce}, with one log instead of two for a hard target (segmentation masks
         * are 0 and 1): at t = 0 (or -0) and p >= 0, or at t = 1 and p <= 1, the other term is 0
         * times a clamped log in [-100, 0], or both forms give NaN, so dropping it leaves the same
         * bits ({@code DeviceFloatFormsTest} checks every target against every special
         * p). The kept log's argument is computed, not chosen by a branch, and the tests are
         * {@code &} and {@code |}, not {@code &&}: a mask's 0s and 1s then take the same path, no
         * branch to mispredict, and TornadoVM finds no log the two forms share to hoist above
         * the test.
         */
        private String bce(String p, String t) {
            String full = "-(" + t + " * " + clampedLog(p) + " + (1f - " + t + ") * " + clampedLog("1f - " + p) + ")";
            String hard = "((" + t + " == 0f & " + p + " >= 0f) | (" + t + " == 1f & " + p + " <= 1f))";
            String kept = t + " * " + p + " + (1f - " + t + ") * (1f - " + p + ")"; // exactly p at t = 1, 1 - p at t = 0 or -0
            return "(" + hard + " ? -" + clampedLog(kept) + " : " + full + ")";
        }

        private String exp(String x) {
            return math + ".exp(" + x + ")";
        }

        private String log(String x) {
            return math + ".log(" + x + ")";
        }

        /**
         * Exponents 0, 1 and 2 as 1, x and x * x: Java's {@code (float) Math.pow} bit for bit (NaN
         * included; a float's square is exact in double), and what PyTorch's pow does with them
         * (a fill, a copy, a square). Focal's backward raises to gamma - 1.
         */
        private String powScalar(String x, float a) {
            if (Float.isNaN(a)) {
                return Renderer.nan(x); // Java's pow(x, NaN) is NaN for every x (C's and PyTorch's pow(1, NaN) is 1)
            } else if (a == 0f) {
                return "1f";
            } else if (a == 1f) {
                return x;
            } else if (a == 2f) {
                return "(" + x + " * " + x + ")";
            }
            return pow(x, Renderer.literal(a));
        }

        private String pow(String x, String y) {
            return math + ".pow(" + x + ", " + y + ")";
        }

        /** {@link Binary#clampedLog}: PyTorch's -100 clamp, with {@link Binary#maximum}'s NaN handling. */
        private String clampedLog(String x) {
            return "org.tornagrad.kernels.Binary.maximum(" + log(x) + ", -100f)";
        }
    }
}
