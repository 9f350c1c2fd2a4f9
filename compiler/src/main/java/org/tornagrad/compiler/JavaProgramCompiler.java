package org.tornagrad.compiler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.Program.Instruction;
import org.tornagrad.autograd.trace.Program.Kernel;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.ParallelBackend;
import org.tornagrad.kernels.Unary;

/**
 * Compiles a traced {@link Program} into fused multi-core Java kernels ({@link CompiledProgram}).
 *
 * <p>The eager path runs every op as its own pass over memory and materializes every
 * intermediate; a pixelwise loss makes a dozen passes where two would do. This compiler:
 * <ol>
 *   <li>drops instructions whose results nothing uses (a traced sum, for one, computes its kept
 *       shape with a second sum);</li>
 *   <li>keeps an elementwise result <em>virtual</em> (never written to memory) when every
 *       consumer is an elementwise op over the same index space reading it element for element,
 *       or a row sum of it; a virtual value is recomputed, tile by tile, inside each kernel that
 *       needs it (recomputing a sigmoid costs less than writing and reading it back);</li>
 *   <li>schedules lazily: elementwise results and row sums accumulate in one pending kernel per
 *       index space until something needs them (a pooling, a gather, a kernel of another space
 *       reading them), so the three sums of a dice forward (Σ p·t, Σ p, Σ t) become one pass over
 *       x and t, and the whole backward one more pass that writes only the gradient.</li>
 *   <li>compiles each fused kernel's runs of elementwise tile ops into generated vector loops
 *       ({@link CodeGenerator}; the tile ops are interpreted where it cannot, same bits).</li>
 * </ol>
 * Values equal the eager java backend's bits except where noted in {@link BlockMath} (exp, log,
 * sigmoid and BCE within about 1 ulp) and {@link BlockMath#laneSum} (sums of rows longer than a
 * tile, added in eight lanes per tile). Everything is deterministic: the same bits for any number
 * of threads.
 */
public final class JavaProgramCompiler {
    /** Elements per tile: eight tiles of scratch stay within a 64 KiB L1/L2 working set. */
    static final int TILE = 2048;
    /** Elements per parallel chunk of a fused kernel. */
    static final int CHUNK = 1 << 16;

    private final Program program;
    private final WorkerTeam team;
    private final Backend fallback;
    private final List<Instruction> ins;
    private final int bufferCount;
    private final int[] writeCount;
    private final int[] producer;
    private final List<List<Integer>> readers = new ArrayList<>();
    private final boolean[] live;
    private final boolean[] isOutput;
    private final Elem[] elems;
    private final boolean[] virtual;
    /** Instructions folded away (a zero fill and the scatter into it, replaced by padded reads). */
    private final boolean[] removed;

    // Scheduling state.
    /** The schedule: {@link FusedKernelPlan}s and {@link BarrierPlan}s, in order. */
    private final List<Object> steps = new ArrayList<>();
    /** Kernels not yet emitted, oldest first. */
    private final List<Pending> pending = new ArrayList<>();
    private final Map<Integer, Pending> pendingWriter = new HashMap<>();
    private int maxSlots;
    private int maxRank = 1;
    private final List<FusedKernelPlan> plans = new ArrayList<>();

    private final Set<Integer> stored;
    /** Elements per tile of this compilation: {@link #TILE} on the CPU, a device's own in {@link #plan}. */
    private final int tile;

    private JavaProgramCompiler(Program program, WorkerTeam team, Backend fallback, Set<Integer> stored, int tile) {
        this.stored = stored;
        this.tile = tile;
        this.program = program;
        this.team = team;
        this.fallback = fallback;
        this.ins = program.instructions();
        this.bufferCount = program.buffers().size();
        this.writeCount = new int[bufferCount];
        this.producer = new int[bufferCount];
        this.live = new boolean[ins.size()];
        this.isOutput = new boolean[bufferCount];
        this.elems = new Elem[ins.size()];
        this.virtual = new boolean[bufferCount];
        this.removed = new boolean[ins.size()];
    }

    /** Compiles {@code program} for the process-wide worker team. */
    public static CompiledProgram compile(Program program) {
        return compile(program, WorkerTeam.shared());
    }

    public static CompiledProgram compile(Program program, WorkerTeam team) {
        if (program == null || team == null) {
            throw new IllegalArgumentException("program, team: expected non-null arguments");
        }
        return planned(program, team, new ParallelBackend(team.size()), TILE).finish();
    }

    /**
     * The fusion decisions for {@code program} as device-independent data: which instructions
     * fuse into one pass, which row sums a pass takes as it goes, what it stores, in order with
     * the kernel calls that stay on their own. {@code tile} is the number of elements a pass
     * handles as one unit (a row sum shorter than a tile stays within one; a longer one is added
     * from per-tile partial sums): {@link #TILE} for the CPU loops, smaller for a GPU's work-items.
     */
    public static FusionPlan plan(Program program, int tile) {
        if (program == null) {
            throw new IllegalArgumentException("program: expected a traced program, got null");
        }
        if (tile < 1) {
            throw new IllegalArgumentException("tile: expected at least 1 element, got " + tile);
        }
        JavaProgramCompiler c = planned(program, null, null, tile);
        List<FusionPlan.Step> out = new ArrayList<>();
        for (Object s : c.steps) {
            if (s instanceof FusedKernelPlan) {
                FusedKernelPlan p = (FusedKernelPlan) s;
                out.add(new FusionPlan.Pass(p.n, p.tileStart, p.ops, p.sinks, c.unfused(p)));
            } else {
                BarrierPlan b = (BarrierPlan) s;
                out.add(new FusionPlan.Call(b.instruction, b.argmaxRead));
            }
        }
        return new FusionPlan(program, out);
    }

    /**
     * The instructions a pass computes, in program order, as calls that give the same results on
     * their own: its nodes, and the zero fill and scatter a padded read stands for.
     */
    private List<Instruction> unfused(FusedKernelPlan p) {
        TreeSet<Integer> out = new TreeSet<>(p.nodes);
        for (int i : p.nodes) {
            for (int b : ins.get(i).buffers()) {
                for (int j = 0; j < i; j++) {
                    if (removed[j] && lastBuffer(ins.get(j)) == b) {
                        out.add(j);
                    }
                }
            }
        }
        List<Instruction> list = new ArrayList<>();
        for (int i : out) {
            list.add(ins.get(i));
        }
        return list;
    }

    private static JavaProgramCompiler planned(Program program, WorkerTeam team, Backend fallback, int tile) {
        JavaProgramCompiler c = new JavaProgramCompiler(program, team, fallback, Set.of(), tile);
        c.analyse();
        c.schedule();
        Set<Integer> store = STORE_EXPENSIVE ? c.expensiveRecomputed() : Set.of();
        if (!store.isEmpty()) {
            // Second pass: keep those values in memory, written once by the first kernel.
            c = new JavaProgramCompiler(program, team, fallback, store, tile);
            c.analyse();
            c.schedule();
        }
        return c;
    }

    /**
     * Whether a kernel's result may be written over a buffer the kernel has just read (see
     * {@link #sharedInPlace}); {@code -Dtornagrad.compiled.share=false} gives every buffer its own array.
     */
    static final boolean SHARE = !"false".equalsIgnoreCase(System.getProperty("tornagrad.compiled.share"));

    /**
     * Whether a transcendental value (exp, log, sigmoid, BCE, ...) that two kernels would each
     * recompute is stored by the first and loaded by the second instead: a write and a read of
     * 4 bytes an element against about a nanosecond of vector arithmetic per element (a dice
     * backward would otherwise redo the forward's sigmoid). On by default because it measured faster
     * (bench/results/cpu-vs-pytorch.md): it moves 8 more bytes an element than the bandwidth floor's
     * two passes, which the arithmetic saved outweighs; {@code -Dtornagrad.compiled.store=false}
     * recomputes instead.
     */
    static final boolean STORE_EXPENSIVE = !"false".equalsIgnoreCase(System.getProperty("tornagrad.compiled.store"));

    /** The virtual buffers made by a costly op and built into more than one fused kernel. */
    private Set<Integer> expensiveRecomputed() {
        Map<Integer, Integer> kernels = new HashMap<>();
        for (FusedKernelPlan p : plans) {
            for (int i : p.nodes) {
                Elem e = elems[i];
                if (e != null && virtual[e.out] && expensive(ins.get(i))) {
                    kernels.merge(e.out, 1, Integer::sum);
                }
            }
        }
        Set<Integer> out = new java.util.TreeSet<>();
        kernels.forEach((b, k) -> {
            if (k > 1) {
                out.add(b);
            }
        });
        return out;
    }

    private static boolean expensive(Instruction in) {
        if (in instanceof Program.Unary u) {
            int op = u.op();
            return op == Unary.EXP || op == Unary.LOG || op == Unary.SIGMOID || op == Unary.TANH
                || op == Unary.POW_SCALAR;
        }
        if (in instanceof Program.Binary b) {
            return b.op() == Binary.BCE || b.op() == Binary.POW;
        }
        return false;
    }

    /** The id of the last of an instruction's buffers (the one it writes, for all but max_rows and max_pool2d). */
    private static int lastBuffer(Instruction in) {
        int[] b = in.buffers();
        return b[b.length - 1];
    }

    // ------------------------------------------------------------------------------------------
    // Analysis

    /** How an elementwise instruction reads one operand over its index space. */
    static final class Read {
        static final int CONTIGUOUS = 0;
        static final int BROADCAST = 1;
        static final int STRIDED = 2;
        /** A zero tensor with a region filled from {@code buffer} (a slice's gradient): see {@link PaddedView}. */
        static final int PADDED = 3;

        final int buffer;
        final int kind;
        final int offset;
        final int[] shape;
        final int[] strides;
        final PaddedView pad;

        Read(int buffer, int kind, int offset, int[] shape, int[] strides) {
            this(buffer, kind, offset, shape, strides, null);
        }

        Read(int buffer, int kind, int offset, int[] shape, int[] strides, PaddedView pad) {
            this.buffer = buffer;
            this.kind = kind;
            this.offset = offset;
            this.shape = shape;
            this.strides = strides;
            this.pad = pad;
        }

        boolean identity() {
            return kind == CONTIGUOUS && offset == 0;
        }

        String key() {
            return buffer + ":" + kind + ":" + offset + ":" + Arrays.toString(shape) + ":" + Arrays.toString(strides)
                + (pad == null ? "" : ":" + pad);
        }
    }

    /** An elementwise instruction: out[i] = f(reads at i) for i in [0, n). */
    static final class Elem {
        final int index;
        final Kernel kernel;
        final int n;
        final Read[] reads;
        final int out;

        Elem(int index, Kernel kernel, int n, Read[] reads, int out) {
            this.index = index;
            this.kernel = kernel;
            this.n = n;
            this.reads = reads;
            this.out = out;
        }
    }

    private static Read contiguous(int buffer, int offset) {
        return new Read(buffer, Read.CONTIGUOUS, offset, null, null);
    }

    /** Classifies a strided read of {@code shape}: contiguous, a broadcast single element, or general. */
    private static Read view(int buffer, int[] shape, int[] strides, int offset) {
        boolean allZero = true;
        boolean rowMajor = true;
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (strides[d] != 0) {
                allZero = false;
            }
            if (strides[d] != expected) {
                rowMajor = false;
            }
            expected *= shape[d];
        }
        if (allZero) {
            return new Read(buffer, Read.BROADCAST, offset, null, null);
        }
        if (rowMajor) {
            return contiguous(buffer, offset);
        }
        return new Read(buffer, Read.STRIDED, offset, shape.clone(), strides.clone());
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private Elem elem(int index, Instruction in) {
        if (in instanceof Program.Unary u) {
            return new Elem(index, in.kind(), u.n(), new Read[] {contiguous(u.x(), u.xOffset())}, u.out());
        }
        if (in instanceof Program.Binary b) {
            int[] shape = b.shape();
            return new Elem(index, in.kind(), product(shape), new Read[] {
                view(b.x(), shape, b.xStrides(), b.xOffset()),
                view(b.y(), shape, b.yStrides(), b.yOffset())}, b.out());
        }
        if (in instanceof Program.Copy c) {
            int[] shape = c.shape();
            return new Elem(index, in.kind(), product(shape),
                new Read[] {view(c.src(), shape, c.strides(), c.offset())}, c.out());
        }
        return null;
    }

    /** The buffers an instruction reads: for elementwise ones only the operands its formula uses. */
    private int[] readBuffers(int index) {
        Instruction in = ins.get(index);
        Elem e = elems[index];
        List<Integer> r = new ArrayList<>();
        if (e != null) {
            for (Read read : e.reads) {
                r.add(read.buffer);
            }
        } else {
            // SCATTER reads the buffer it writes; every other kernel reads only its inputs.
            int[] buffers = in.buffers();
            for (int s = 0; s < buffers.length; s++) {
                if (in.reads(s)) {
                    r.add(buffers[s]);
                }
            }
        }
        return r.stream().mapToInt(Integer::intValue).toArray();
    }

    private boolean isIntBuffer(int b) {
        return program.buffers().get(b).isInt;
    }

    private int length(int b) {
        return program.buffers().get(b).length;
    }

    private void analyse() {
        Arrays.fill(producer, -1);
        for (int b = 0; b < bufferCount; b++) {
            readers.add(new ArrayList<>());
        }
        for (int id : program.outputs().values()) {
            isOutput[id] = true;
        }
        for (int i = 0; i < ins.size(); i++) {
            Instruction in = ins.get(i);
            int[] buffers = in.buffers();
            for (int s = 0; s < buffers.length; s++) {
                if (in.writes(s)) {
                    writeCount[buffers[s]]++;
                    producer[buffers[s]] = i;
                }
            }
            Elem e = elem(i, in);
            if (e != null && e.n > 0 && e.n == length(e.out) && !isIntBuffer(e.out)) {
                elems[i] = e;
            }
        }
        readZeroConstantsAsFills();
        foldZeroFilledScatters();
        // Liveness, backwards from the outputs: an instruction is live if it writes a buffer that
        // an output is, or that a later live instruction reads.
        boolean[] needed = isOutput.clone();
        for (int i = ins.size() - 1; i >= 0; i--) {
            Instruction in = ins.get(i);
            int[] buffers = in.buffers();
            boolean use = false;
            for (int s = 0; s < buffers.length; s++) {
                if (in.writes(s) && needed[buffers[s]]) {
                    use = true;
                }
            }
            if (!use || removed[i]) {
                continue;
            }
            live[i] = true;
            for (int b : readBuffers(i)) {
                needed[b] = true;
            }
        }
        for (int i = 0; i < ins.size(); i++) {
            if (!live[i]) {
                continue;
            }
            for (int b : readBuffers(i)) {
                List<Integer> r = readers.get(b);
                if (r.isEmpty() || r.get(r.size() - 1) != i) {
                    r.add(i);
                }
            }
        }
        for (int b = 0; b < bufferCount; b++) {
            virtual[b] = !stored.contains(b) && canBeVirtual(b);
        }
    }

    /** Whether buffer b is a constant of zeros (what a slice's backward starts from). */
    private boolean zeroConstant(int b) {
        Program.Buffer buffer = program.buffers().get(b);
        if (buffer.role != Program.Role.CONSTANT || buffer.isInt || writeCount[b] != 0) {
            return false;
        }
        for (float v : buffer.floatValue()) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    /** Reads of a constant of zeros become fills of its first element: no 8 MB read of zeros. */
    private void readZeroConstantsAsFills() {
        Map<Integer, Boolean> zero = new HashMap<>();
        for (Elem e : elems) {
            if (e == null) {
                continue;
            }
            for (int j = 0; j < e.reads.length; j++) {
                Read r = e.reads[j];
                if (r.kind != Read.BROADCAST && zero.computeIfAbsent(r.buffer, this::zeroConstant)) {
                    e.reads[j] = new Read(r.buffer, Read.BROADCAST, 0, null, null);
                }
            }
        }
    }

    /**
     * The backward of a slice is a zero tensor T with the slice's region written from the
     * gradient g (a COPY of zeros, then a SCATTER). Where everything else reads T element for
     * element, both instructions are dropped and those reads become padded reads of g: g inside
     * the region, 0 outside. That saves writing T twice and reading it back.
     */
    private void foldZeroFilledScatters() {
        for (int i = 0; i < ins.size(); i++) {
            if (!(ins.get(i) instanceof Program.Scatter scatter)) {
                continue;
            }
            int g = scatter.src();
            int t = scatter.dst();
            if (isOutput[t] || writeCount[t] != 2 || program.buffers().get(t).role != Program.Role.TEMP) {
                continue;
            }
            int fill = -1;
            for (int j = 0; j < i; j++) {
                Instruction in = ins.get(j);
                if (lastBuffer(in) == t && in.writes(in.buffers().length - 1)) {
                    fill = j;
                }
            }
            Elem f = fill < 0 ? null : elems[fill];
            if (f == null || !(ins.get(fill) instanceof Program.Copy zeros) || f.reads[0].kind != Read.BROADCAST
                || !zeroConstant(f.reads[0].buffer)) {
                continue;
            }
            PaddedView pad = PaddedView.of(zeros.shape(), scatter.shape(), scatter.dstStrides(), scatter.dstOffset());
            if (pad == null || !onlyElementwiseReadersAfter(t, i)) {
                continue;
            }
            removed[fill] = true;
            removed[i] = true;
            for (int j = i + 1; j < ins.size(); j++) {
                Elem e = elems[j];
                if (e == null) {
                    continue;
                }
                for (int k = 0; k < e.reads.length; k++) {
                    if (e.reads[k].buffer == t) {
                        e.reads[k] = new Read(g, Read.PADDED, 0, null, null, pad);
                    }
                }
            }
        }
    }

    /** Whether every instruction other than the scatter {@code at} that reads t is elementwise, later, reading it element for element. */
    private boolean onlyElementwiseReadersAfter(int t, int at) {
        for (int j = 0; j < ins.size(); j++) {
            if (j == at) {
                continue;
            }
            Instruction in = ins.get(j);
            int[] buffers = in.buffers();
            boolean reads = false;
            for (int s = 0; s < buffers.length; s++) {
                if (buffers[s] == t && in.reads(s)) {
                    reads = true;
                }
            }
            if (!reads) {
                continue;
            }
            Elem e = elems[j];
            if (j < at || e == null) {
                return false;
            }
            for (Read r : e.reads) {
                if (r.buffer == t && !(r.identity() && e.n == length(t))) {
                    return false;
                }
            }
            // Formulas that ignore an operand still list it: those reads do not count.
        }
        return true;
    }

    /** A value may stay virtual when everything that reads it reads it element for element in its own space. */
    private boolean canBeVirtual(int b) {
        if (isOutput[b] || writeCount[b] != 1 || program.buffers().get(b).role != Program.Role.TEMP) {
            return false;
        }
        int p = producer[b];
        if (p < 0 || !live[p] || elems[p] == null) {
            return false;
        }
        int n = elems[p].n;
        List<Integer> rs = readers.get(b);
        if (rs.isEmpty()) {
            return false;
        }
        for (int r : rs) {
            if (ins.get(r) instanceof Program.SumRows sum) {
                if (sum.rows() * sum.cols() != n) {
                    return false;
                }
                continue;
            }
            Elem e = elems[r];
            if (e == null || e.n != n) {
                return false;
            }
            for (Read read : e.reads) {
                if (read.buffer == b && !read.identity()) {
                    return false;
                }
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Scheduling

    /**
     * Roots gathered for one index space, not yet emitted, and the pending kernels whose results
     * they read (which must run first). Pending kernels form a DAG; a new root joins the oldest
     * kernel of its space that it does not (through that DAG) depend on, so that sums of the
     * forward pass and the checks of a guard, traced far apart, still share one pass.
     */
    private static final class Pending {
        final int n;
        final List<Integer> roots = new ArrayList<>();
        final TreeSet<Integer> leaves = new TreeSet<>();
        final TreeSet<Integer> writes = new TreeSet<>();
        final List<Pending> deps = new ArrayList<>();
        int smallLcm = 1;
        final TreeSet<Integer> largeCols = new TreeSet<>();

        Pending(int n) {
            this.n = n;
        }

        /** Whether this kernel needs {@code other}'s results, directly or through other pending kernels. */
        boolean dependsOn(Pending other) {
            for (Pending d : deps) {
                if (d == other || d.dependsOn(other)) {
                    return true;
                }
            }
            return false;
        }
    }

    private void schedule() {
        for (int i = 0; i < ins.size(); i++) {
            if (!live[i]) {
                continue;
            }
            Instruction in = ins.get(i);
            Elem e = elems[i];
            if (e != null) {
                if (!virtual[e.out]) {
                    addRoot(i, e.n, e.out);
                }
            } else if (in instanceof Program.SumRows sum && sum.rows() * sum.cols() > 0
                && length(sum.x()) >= sum.rows() * sum.cols()) {
                addRoot(i, sum.rows() * sum.cols(), sum.out());
            } else {
                barrier(i, in);
            }
        }
        while (!pending.isEmpty()) {
            flush(pending.get(0));
        }
    }

    /** What an elementwise op or a row sum reads: the op's reads, or the sum's input element for element. */
    private Read[] rootReads(int index) {
        return elems[index] != null ? elems[index].reads
            : new Read[] {contiguous(((Program.SumRows) ins.get(index)).x(), 0)};
    }

    /** The materialized buffers a root's expression reads (through its virtual values), with how. */
    private void leaves(int index, Map<String, Read> out, TreeSet<Integer> seen) {
        if (!seen.add(index)) {
            return;
        }
        Read[] reads = rootReads(index);
        for (Read r : reads) {
            if (r == null) {
                continue;
            }
            if (virtual[r.buffer]) {
                leaves(producer[r.buffer], out, seen);
            } else {
                out.put(r.key(), r);
            }
        }
    }

    private void addRoot(int index, int n, int outBuffer) {
        Map<String, Read> leafReads = new LinkedHashMap<>();
        leaves(index, leafReads, new TreeSet<>());
        // Write after read: a kernel still to run must not see this root's new values.
        for (Pending p : new ArrayList<>(pending)) {
            if (p.leaves.contains(outBuffer) || p.writes.contains(outBuffer)) {
                flush(p);
            }
        }
        Program.SumRows sum = ins.get(index) instanceof Program.SumRows s ? s : null;
        boolean sink = sum != null;
        Pending chosen = null;
        for (Pending k : pending) {
            if (k.n == n && (!sink || compatible(k, sum.cols())) && canJoin(k, leafReads.values(), n)) {
                chosen = k;
                break;
            }
        }
        if (chosen == null) {
            chosen = new Pending(n);
            pending.add(chosen);
        }
        for (Read r : leafReads.values()) {
            Pending w = pendingWriter.get(r.buffer);
            if (w != null && w != chosen && !chosen.deps.contains(w)) {
                chosen.deps.add(w);
            }
            chosen.leaves.add(r.buffer);
        }
        if (sink) {
            int cols = sum.cols();
            if (cols < tile) {
                chosen.smallLcm = lcm(chosen.smallLcm, cols);
            } else {
                chosen.largeCols.add(cols);
            }
        }
        chosen.roots.add(index);
        chosen.writes.add(outBuffer);
        pendingWriter.put(outBuffer, chosen);
    }

    /**
     * Whether a root reading {@code leafReads} may join pending kernel {@code k}: it may read k's
     * own results only element for element (the same tile), and nothing it reads may come from
     * a kernel that itself waits for k.
     */
    private boolean canJoin(Pending k, Iterable<Read> leafReads, int n) {
        for (Read r : leafReads) {
            Pending w = pendingWriter.get(r.buffer);
            if (w == null) {
                continue;
            }
            if (w == k) {
                if (!(r.identity() && length(r.buffer) == n)) {
                    return false;
                }
            } else if (w.dependsOn(k)) {
                return false;
            }
        }
        return true;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static int lcm(int a, int b) {
        long l = (long) a / gcd(a, b) * b;
        return l > Integer.MAX_VALUE / 4 ? Integer.MAX_VALUE / 4 : (int) l;
    }

    /** The tile size for a kernel whose short rows have lengths dividing {@code smallLcm}, or -1. */
    private int tileSize(int smallLcm) {
        if (smallLcm <= tile) {
            return tile / smallLcm * smallLcm;
        }
        return smallLcm <= 4 * tile ? smallLcm : -1;
    }

    /** Whether a row sum with rows of {@code cols} can share the kernel's tiles. */
    private boolean compatible(Pending k, int cols) {
        int small = cols < tile ? lcm(k.smallLcm, cols) : k.smallLcm;
        if (tileSize(small) < 0) {
            return false;
        }
        for (int c : k.largeCols) {
            if (c % small != 0) {
                return false;
            }
        }
        return cols < tile || cols % small == 0;
    }

    private void barrier(int index, Instruction in) {
        int[] buffers = in.buffers();
        for (int s = 0; s < buffers.length; s++) {
            if (in.reads(s)) {
                Pending w = pendingWriter.get(buffers[s]);
                if (w != null) {
                    flush(w);
                }
            }
        }
        for (int s = 0; s < buffers.length; s++) {
            if (in.writes(s)) {
                int b = buffers[s];
                for (Pending p : new ArrayList<>(pending)) {
                    if (p.leaves.contains(b) || p.writes.contains(b)) {
                        flush(p);
                    }
                }
            }
        }
        boolean argmaxRead = !(in instanceof Program.MaxPool2d pool)
            || isOutput[pool.argmax()] || !readers.get(pool.argmax()).isEmpty();
        steps.add(new BarrierPlan(in, argmaxRead));
    }

    /** A kernel call that stays on its own, and whether its arg-max output is read (max-pool). */
    private static final class BarrierPlan {
        final Instruction instruction;
        final boolean argmaxRead;

        BarrierPlan(Instruction instruction, boolean argmaxRead) {
            this.instruction = instruction;
            this.argmaxRead = argmaxRead;
        }
    }

    /** Emits {@code k}, after the pending kernels it depends on. */
    private void flush(Pending k) {
        if (!pending.contains(k)) {
            return; // already emitted
        }
        for (Pending d : new ArrayList<>(k.deps)) {
            flush(d);
        }
        pending.remove(k);
        for (int b : k.writes) {
            if (pendingWriter.get(b) == k) {
                pendingWriter.remove(b);
            }
        }
        for (Pending p : pending) {
            p.deps.remove(k);
        }
        FusedKernelPlan plan = new FusedKernelPlan(k);
        plans.add(plan);
        steps.add(plan);
    }

    // ------------------------------------------------------------------------------------------
    // Building a fused kernel

    /**
     * A pending kernel turned into its tile program; the {@link FusedKernel} itself is built in
     * {@link #finish}, when the program-wide scratch size is known.
     */
    private final class FusedKernelPlan {
        final int n;
        final int[] tileStart;
        final TreeSet<Integer> nodes = new TreeSet<>();
        final List<TileOp> ops = new ArrayList<>();
        final List<FusedKernel.Sink> sinks = new ArrayList<>();
        FusedKernel kernel;

        FusedKernelPlan(Pending k) {
            this.n = k.n;
            int tile = tileSize(k.smallLcm);
            TreeSet<Integer> bounds = new TreeSet<>();
            for (int s = 0; s < n; s += tile) {
                bounds.add(s);
            }
            for (int cols : k.largeCols) {
                for (int s = 0; s < n; s += cols) {
                    bounds.add(s);
                }
            }
            bounds.add(n);
            tileStart = bounds.stream().mapToInt(Integer::intValue).toArray();
            build(k);
        }

        /** What a draft op does. */
        private enum Code {
            UNARY, BINARY, LOAD, STORE, FILL, GATHER, PAD, SUM_PARTIAL, SUM_ROWS
        }

        /** A tile op before slot assignment; its inputs and output are value ids (draft indices). */
        private final class Draft {
            final Code code;
            final Instruction instruction;
            final Read read;
            final int[] in;
            final int buffer;
            final int sink;

            Draft(Code code, Instruction instruction, Read read, int[] in, int buffer, int sink) {
                this.code = code;
                this.instruction = instruction;
                this.read = read;
                this.in = in;
                this.buffer = buffer;
                this.sink = sink;
            }

            boolean producesValue() {
                return code != Code.STORE && code != Code.SUM_PARTIAL && code != Code.SUM_ROWS;
            }
        }

        private final List<Draft> draft = new ArrayList<>();
        private final Map<Integer, Integer> valueOfBuffer = new HashMap<>();
        private final Map<String, Integer> loaded = new HashMap<>();

        private int add(Draft d) {
            draft.add(d);
            return draft.size() - 1;
        }

        private void build(Pending k) {
            // Every instruction the roots need, in program order (which is a topological order).
            for (int r : k.roots) {
                collect(r, nodes);
            }
            TreeSet<Integer> roots = new TreeSet<>(k.roots);
            for (int i : nodes) {
                Instruction in = ins.get(i);
                if (in instanceof Program.SumRows sum) {
                    int x = value(contiguous(sum.x(), 0));
                    int cols = sum.cols();
                    boolean partial = cols >= tile;
                    sinks.add(new FusedKernel.Sink(sum.out(), sum.rows(), cols, partial, tileStart.length - 1));
                    add(new Draft(partial ? Code.SUM_PARTIAL : Code.SUM_ROWS, in, null, new int[] {x}, -1,
                        sinks.size() - 1));
                    continue;
                }
                Elem e = elems[i];
                int[] args = new int[e.reads.length];
                for (int j = 0; j < e.reads.length; j++) {
                    args[j] = value(e.reads[j]);
                }
                int v = isIdentity(in) ? args[0] // the value itself
                    : add(new Draft(Code.valueOf(e.kernel.name()), in, null, args, -1, -1));
                valueOfBuffer.put(e.out, v);
                if (roots.contains(i)) {
                    add(new Draft(Code.STORE, in, null, new int[] {v}, e.out, -1));
                }
            }
            assignSlots();
        }

        /**
         * Whether an elementwise instruction gives its operand's bits unchanged: a copy, or a
         * multiplication by 1 (the fresh gradient tensor a pass-through derivative hands on).
         */
        private boolean isIdentity(Instruction in) {
            return in instanceof Program.Copy
                || in instanceof Program.Unary u && u.op() == Unary.MUL_SCALAR && u.a() == 1f;
        }

        private void collect(int index, TreeSet<Integer> nodes) {
            if (!nodes.add(index)) {
                return;
            }
            Read[] reads = rootReads(index);
            for (Read r : reads) {
                if (virtual[r.buffer]) {
                    collect(producer[r.buffer], nodes);
                }
            }
        }

        /** The value a read gives: one computed in this kernel, else a load of a materialized buffer. */
        private int value(Read r) {
            Integer here = valueOfBuffer.get(r.buffer);
            if (here != null && r.identity()) {
                return here;
            }
            String key = r.key();
            Integer v = loaded.get(key);
            if (v == null) {
                Code code = r.kind == Read.CONTIGUOUS ? Code.LOAD
                    : r.kind == Read.BROADCAST ? Code.FILL : r.kind == Read.PADDED ? Code.PAD : Code.GATHER;
                if (code == Code.GATHER) {
                    maxRank = Math.max(maxRank, r.shape.length);
                }
                v = add(new Draft(code, null, r, new int[0], r.buffer, -1));
                loaded.put(key, v);
            }
            return v;
        }

        /**
         * Gives each value the lowest free slot, freed after its last reader (a linear scan keeps
         * the working set small). An op's inputs whose last use it is are freed before its output
         * is placed, so it may write over an input block: every tile loop is elementwise.
         */
        private void assignSlots() {
            int count = draft.size();
            int[] lastUse = new int[count];
            Arrays.fill(lastUse, -1);
            for (int i = 0; i < count; i++) {
                for (int v : draft.get(i).in) {
                    lastUse[v] = i;
                }
            }
            List<List<Integer>> releaseAt = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                releaseAt.add(new ArrayList<>());
            }
            for (int i = 0; i < count; i++) {
                if (lastUse[i] >= 0) {
                    releaseAt.get(lastUse[i]).add(i);
                }
            }
            int[] slotOf = new int[count];
            Arrays.fill(slotOf, -1);
            TreeSet<Integer> free = new TreeSet<>();
            int slots = 0;
            for (int i = 0; i < count; i++) {
                Draft d = draft.get(i);
                int[] in = new int[d.in.length];
                for (int j = 0; j < in.length; j++) {
                    in[j] = slotOf[d.in[j]];
                }
                for (int p : releaseAt.get(i)) {
                    free.add(slotOf[p]);
                }
                int out = -1;
                if (d.producesValue()) {
                    out = free.isEmpty() ? slots++ : free.pollFirst();
                    slotOf[i] = out;
                    if (lastUse[i] < 0) {
                        free.add(out); // read by nothing (cannot happen for live values)
                    }
                }
                ops.add(toOp(d, in, out));
            }
            maxSlots = Math.max(maxSlots, slots);
        }

        private TileOp toOp(Draft d, int[] in, int out) {
            switch (d.code) {
                case LOAD:
                    return new TileOp.Load(d.read.buffer, d.read.offset, out);
                case FILL:
                    return new TileOp.Fill(d.read.buffer, d.read.offset, out);
                case GATHER:
                    return new TileOp.Gather(d.read.buffer, new StridedView(d.read.shape, d.read.strides, d.read.offset), out);
                case PAD:
                    maxRank = Math.max(maxRank, d.read.pad.rank());
                    return new TileOp.Pad(d.read.buffer, d.read.pad, out);
                case STORE:
                    return new TileOp.Store(d.buffer, in[0]);
                case SUM_PARTIAL:
                    return new TileOp.SumPartial(d.sink, in[0]);
                case SUM_ROWS:
                    return new TileOp.SumRows(d.sink, in[0]);
                default:
                    break;
            }
            switch (d.code) {
                case UNARY: {
                    Program.Unary u = (Program.Unary) d.instruction;
                    int op = u.op();
                    if (op == Unary.EXP) {
                        return new TileOp.Exp(in, out);
                    } else if (op == Unary.LOG) {
                        return new TileOp.Log(in, out);
                    } else if (op == Unary.SIGMOID) {
                        return new TileOp.Sigmoid(in, out);
                    }
                    return new TileOp.UnaryOp(op, u.a(), u.b(), in, out);
                }
                default: {
                    int op = ((Program.Binary) d.instruction).op();
                    return op == Binary.BCE ? new TileOp.Bce(in, out) : new TileOp.BinaryOp(op, in, out);
                }
            }
        }

    }

    private CompiledProgram finish() {
        Scratch scratch = new Scratch(team.size(), maxSlots, 4 * tile, maxRank);
        List<Step> out = new ArrayList<>();
        Map<Integer, Integer> shares = new TreeMap<>();
        for (int i = 0; i < steps.size(); i++) {
            Object s = steps.get(i);
            if (s instanceof FusedKernelPlan) {
                FusedKernelPlan p = (FusedKernelPlan) s;
                TileOp[] ops = CodeGenerator.rewrite(p.ops.toArray(new TileOp[0]), p.n);
                p.kernel = new FusedKernel(p.n, p.tileStart, ops, p.sinks.toArray(new FusedKernel.Sink[0]), CHUNK, team,
                    scratch);
                if (SHARE && !(ops.length == 1 && ops[0] instanceof GuardedTileProgram)) {
                    sharedInPlace(i, shares);
                }
                out.add(p.kernel);
            } else {
                BarrierPlan b = (BarrierPlan) s;
                out.add(Barriers.of(b.instruction, team, fallback, b.argmaxRead));
            }
        }
        return new CompiledProgram(program, out, shares);
    }

    /**
     * Finds the results of the kernel at {@code position} that may be written over a buffer it
     * reads (put into {@code shares} as result -> buffer): a backward's gradient over the
     * forward's stored sigmoid, say, so that writing it costs no read of fresh memory (a write to
     * memory not in the cache first reads it) and the two share one array. Safe when the buffer
     * is a temporary that no later step reads or writes and this kernel reads only element for
     * element (tile t reads exactly the positions tile t writes), all its reads come before the
     * store, and no tile is ever redone (the interpreter's redo of a tile whose exp/log left the
     * fast range would read it again); and when the result is written by this store alone, read
     * by no instruction, and as long.
     */
    private void sharedInPlace(int position, Map<Integer, Integer> shares) {
        FusedKernelPlan p = (FusedKernelPlan) steps.get(position);
        Set<Integer> loaded = new TreeSet<>();
        Set<Integer> readOtherwise = new HashSet<>();
        for (TileOp op : p.ops) {
            if (op instanceof TileOp.Load && ((TileOp.Load) op).offset == 0) {
                loaded.add(((TileOp.Load) op).buffer);
            } else if (TileOp.readBuffer(op) >= 0) {
                readOtherwise.add(TileOp.readBuffer(op));
            }
        }
        for (int k = 0; k < p.ops.size(); k++) {
            if (!(p.ops.get(k) instanceof TileOp.Store)) {
                continue;
            }
            int result = ((TileOp.Store) p.ops.get(k)).buffer;
            if (!writtenOnceBy(result, p) || !readers.get(result).isEmpty() || length(result) != p.n
                || shares.containsKey(result) || program.buffers().get(result).role != Program.Role.TEMP) {
                continue;
            }
            // Loaded, and not touched from the store on: every load of b comes before it.
            for (int b : loaded) {
                if (!readOtherwise.contains(b) && !shares.containsValue(b) && !isOutput[b]
                    && program.buffers().get(b).role == Program.Role.TEMP && !program.buffers().get(b).isInt
                    && length(b) == p.n && !touchedFrom(p, k, b) && !touchedAfter(position, b)) {
                    shares.put(result, b);
                    break;
                }
            }
        }
    }

    /** Whether an op of kernel p from op {@code k} on reads or stores {@code buffer}. */
    private static boolean touchedFrom(FusedKernelPlan p, int k, int buffer) {
        for (int j = k; j < p.ops.size(); j++) {
            TileOp op = p.ops.get(j);
            if (TileOp.readBuffer(op) == buffer || op instanceof TileOp.Store && ((TileOp.Store) op).buffer == buffer) {
                return true;
            }
        }
        return false;
    }

    /** Whether a step after the one at {@code position} reads or writes {@code buffer}. */
    private boolean touchedAfter(int position, int buffer) {
        for (int i = position + 1; i < steps.size(); i++) {
            Object s = steps.get(i);
            if (s instanceof FusedKernelPlan) {
                FusedKernelPlan p = (FusedKernelPlan) s;
                if (touchedFrom(p, 0, buffer)) {
                    return true;
                }
                for (FusedKernel.Sink sink : p.sinks) {
                    if (sink.out == buffer) {
                        return true;
                    }
                }
            } else {
                for (int b : ((BarrierPlan) s).instruction.buffers()) {
                    if (b == buffer) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether {@code buffer} is written by exactly one live instruction, one of kernel p's. */
    private boolean writtenOnceBy(int buffer, FusedKernelPlan p) {
        int writers = 0;
        boolean inside = false;
        for (int i = 0; i < ins.size(); i++) {
            if (!live[i]) {
                continue;
            }
            Instruction in = ins.get(i);
            int[] buffers = in.buffers();
            for (int s = 0; s < buffers.length; s++) {
                if (in.writes(s) && buffers[s] == buffer) {
                    writers++;
                    inside |= p.nodes.contains(i);
                }
            }
        }
        return writers == 1 && inside;
    }
}
