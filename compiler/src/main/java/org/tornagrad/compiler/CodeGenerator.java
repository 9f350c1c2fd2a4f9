package org.tornagrad.compiler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tornagrad.kernels.Binary;

/**
 * Replaces runs of a fused kernel's tile ops by generated loops ({@link LoopSource}): register
 * fusion inside a run, tile fusion (values in scratch slots) between runs. A run holds only ops
 * the generator has a formula for (contiguous loads, fills, stores, elementwise ops, BCE); gathers,
 * padded reads and row sums of short rows stay interpreted between runs; sums of rows longer than a
 * tile are taken in the loop, in laneSum's order. A run calls at most
 * {@link #MAX_TRANSCENDENTALS} exp/log: JDK 17's C2 boxes the vectors (and allocates megabytes a
 * call) once a loop inlines more vector code than its budget, as two logs in one loop did. The op
 * budgets shape the runs; the bytecode of each compiled loop is then measured, and a run longer
 * than {@link #MAX_RUN_BYTES} is cut, so no budget has to guess the JIT's cliff.
 *
 * <p>Off with {@code -Dtornagrad.compiled.codegen=false}, and by itself without the vector module
 * or without a system Java compiler (a JRE); if javac fails, the kernel keeps the interpreter's
 * ops and the failure is logged once (System.Logger, INFO).
 */
final class CodeGenerator {
    static final String PROPERTY = "tornagrad.compiled.codegen";
    /**
     * Kernels over fewer elements stay interpreted: the scalar glue between passes gains nothing,
     * and a loop run once per call with few iterations would wait long for C2 (its vectors are
     * boxed objects until then: 11 KB a boundary call with 16-element kernels generated).
     */
    static final int MIN_ELEMENTS = 1024;
    /**
     * Overrides {@link #MIN_ELEMENTS} (a positive integer), for tests that should exercise the
     * generated loops on small inputs (the parity suite's cases are a few dozen elements).
     */
    static final String MIN_ELEMENTS_PROPERTY = "tornagrad.compiled.codegen.minElements";
    /** exp/log calls per generated loop (see the class comment; two logs in one loop boxed). */
    static final int MAX_TRANSCENDENTALS = 1;
    /** Ops per generated loop: bounds the loop's code, hence C2's inlining of it. */
    static final int MAX_OPS = 24;
    /** Ops other than sums per generated loop with sums (its body is written five times). */
    static final int MAX_OPS_WITH_SUMS = 12;
    /**
     * Bytecode per generated loop ({@link BytecodeLength}): a run whose compiled {@code run}
     * method is longer is cut in two. JDK 17 boxed a 2,204-byte loop (C1 gave up on it and C2
     * never compiled it); 2,104 bytes was fine.
     */
    static final int MAX_RUN_BYTES = 2000;
    /** Overrides {@link #MAX_RUN_BYTES} (a positive integer): for tests, and for JITs with other limits. */
    static final String MAX_RUN_BYTES_PROPERTY = "tornagrad.compiled.codegen.maxRunBytes";
    /** Later loads a loop with an exp or log touches ahead, at most ({@code LoopSource.touch}: a load and an add each per 16 elements). */
    static final int MAX_TOUCHES = 4;
    /** {@code false} turns the touching ahead off (to measure it). */
    static final String TOUCH_PROPERTY = "tornagrad.compiled.touch";
    /** Sums per generated loop (each keeps eight double lanes in {@link TileOp.Tile#sums}, eight float lanes in {@link TileOp.Tile#runs}). */
    static final int MAX_SUMS = 8;

    private static final System.Logger LOG = System.getLogger(CodeGenerator.class.getName());
    private static volatile boolean failureLogged;
    private static volatile Boolean compilerPresent;

    private CodeGenerator() {
    }

    /** Whether kernels get generated loops in this process now. */
    static boolean enabled() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY)) || !BlockMath.VECTOR) {
            return false;
        }
        Boolean present = compilerPresent;
        if (present == null) {
            try {
                present = LoopClasses.compilerAvailable();
            } catch (LinkageError e) {
                present = false; // a runtime image without the java.compiler module
            }
            compilerPresent = present;
        }
        return present;
    }

    /**
     * Why kernels get no generated loops in this process, as a clause a message can end with; null
     * when they can get them ({@link #enabled}).
     */
    static String disabledReason() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return "generated loops are turned off (-D" + PROPERTY + "=false)";
        }
        if (!BlockMath.VECTOR) {
            String why = VectorSupport.unavailableReason();
            return why != null ? why : "the vector API was off when this process started";
        }
        if (!enabled()) {
            return "this Java runtime has no system Java compiler (javax.tools: run on a JDK, not a JRE)";
        }
        return null;
    }

    /** The tile program for a kernel over {@code n} elements: generated loops where possible, else {@code ops}. */
    static TileOp[] rewrite(TileOp[] ops, int n) {
        if (n < minElements() || !enabled() || storesWhatItReads(ops)) {
            return ops;
        }
        try {
            return generate(ops);
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError) {
                throw (VirtualMachineError) e;
            }
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(System.Logger.Level.INFO, "tornagrad: generated loops unavailable, the compiled path interprets its tile ops: " + e);
            }
            return ops;
        }
    }

    /** The smallest kernel that gets generated loops: {@link #MIN_ELEMENTS_PROPERTY}, else {@link #MIN_ELEMENTS}. */
    static int minElements() {
        return positiveProperty(MIN_ELEMENTS_PROPERTY, MIN_ELEMENTS);
    }

    /** The longest generated loop, in bytes of bytecode: {@link #MAX_RUN_BYTES_PROPERTY}, else {@link #MAX_RUN_BYTES}. */
    static int maxRunBytes() {
        return positiveProperty(MAX_RUN_BYTES_PROPERTY, MAX_RUN_BYTES);
    }

    private static int positiveProperty(String name, int otherwise) {
        String value = System.getProperty(name);
        if (value == null) {
            return otherwise;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": expected a positive integer, got '" + value + "'");
    }

    /** Whether the kernel stores a buffer it also reads (the interpreter could then not redo a tile). */
    private static boolean storesWhatItReads(TileOp[] ops) {
        Set<Integer> read = new HashSet<>();
        Set<Integer> written = new HashSet<>();
        for (TileOp op : ops) {
            if (TileOp.readBuffer(op) >= 0) {
                read.add(TileOp.readBuffer(op));
            } else if (op instanceof TileOp.Store) {
                written.add(((TileOp.Store) op).buffer);
            }
        }
        read.retainAll(written);
        return !read.isEmpty();
    }

    private static TileOp[] generate(TileOp[] interpreted) throws Throwable {
        // A BCE becomes two ops of one log each (see LoopSource.BceLogP).
        List<TileOp> split = new ArrayList<>();
        for (TileOp op : interpreted) {
            if (op instanceof TileOp.Bce bce) {
                split.add(new LoopSource.BceLogP(bce.in[0]));
                split.add(new LoopSource.BceFinish(bce));
            } else {
                split.add(op);
            }
        }
        TileOp[] ops = split.toArray(new TileOp[0]);
        int count = ops.length;
        // Runs: maximal stretches of generated ops, cut where the budget would be exceeded. A run
        // with sums repeats its body five times (laneSum's order), so it takes no exp/log and
        // fewer ops; in a kernel with sums a run ends after its exp/log, leaving the cheap ops
        // that follow to a run that can also take the sums. Stores that follow the exp/log stay
        // in its run: their memory traffic then overlaps its arithmetic (dice's stored sigmoid:
        // A/B 0.91 on one thread), where the sum loop is already waiting on its own loads.
        boolean kernelSums = false;
        for (TileOp op : ops) {
            kernelSums |= op instanceof TileOp.SumPartial;
        }
        List<int[]> runs = new ArrayList<>();
        int from = -1;
        int transcendentals = 0;
        int computed = 0;
        boolean sums = false;
        int sumCount = 0;
        for (int k = 0; k <= count; k++) {
            boolean ok = k < count && LoopSource.supported(ops[k]);
            int tr = ok ? LoopSource.transcendentals(ops[k]) : 0;
            boolean sum = ok && ops[k] instanceof TileOp.SumPartial;
            boolean store = ok && ops[k] instanceof TileOp.Store;
            boolean full = k - from == MAX_OPS || ((sums || sum) && computed + (sum ? 0 : 1) > MAX_OPS_WITH_SUMS)
                || (sum && sumCount == MAX_SUMS)
                || transcendentals + tr > MAX_TRANSCENDENTALS || (sum && transcendentals > 0) || (tr > 0 && sums)
                || (kernelSums && transcendentals > 0 && !store);
            if (from >= 0 && (!ok || full)) {
                runs.add(new int[] {from, k});
                from = -1;
            }
            if (ok && from < 0) {
                from = k;
                transcendentals = 0;
                computed = 0;
                sums = false;
                sumCount = 0;
            }
            transcendentals += tr;
            sums |= sum;
            sumCount += sum ? 1 : 0;
            computed += sum ? 0 : 1;
        }
        int[] lastRead = new int[count];
        int[][] producer = producers(ops, lastRead);
        if (zeroCheckedDifferences(ops, producer, runs)) {
            producer = producers(ops, lastRead);
        }
        List<TileOp> fast = new ArrayList<>();
        boolean guarded = false;
        boolean any = false;
        int next = 0;
        int maxBytes = maxRunBytes();
        Deque<int[]> pending = new ArrayDeque<>(runs);
        while (!pending.isEmpty()) {
            int[] run = pending.poll();
            if (!worthGenerating(ops, run[0], run[1])) {
                continue;
            }
            List<TileOp.Load> touch = laterLoads(ops, run);
            LoopSource source = source(ops, producer, lastRead, run[0], run[1], true, touch);
            int length = LoopClasses.runLength(source.source);
            if (length > maxBytes && source.paired) {
                // Two vectors a step doubles the body; one a step may still fit.
                source = source(ops, producer, lastRead, run[0], run[1], false, touch);
                length = LoopClasses.runLength(source.source);
            }
            if (length > maxBytes && run[1] - run[0] > 1) {
                // Too long for the JIT: keep the share of ops that fits, the rest is the next run.
                int cut = run[0] + Math.max(1, (int) ((long) (run[1] - run[0]) * maxBytes / length));
                pending.addFirst(new int[] {cut, run[1]});
                pending.addFirst(new int[] {run[0], cut});
                continue;
            }
            fast.addAll(Arrays.asList(ops).subList(next, run[0]));
            for (int k = run[0]; k < run[1]; k++) {
                guarded |= LoopSource.transcendentals(ops[k]) > 0;
            }
            fast.add(LoopClasses.instantiate(source));
            any = true;
            next = run[1];
        }
        if (!any) {
            return interpreted;
        }
        fast.addAll(Arrays.asList(ops).subList(next, count));
        TileOp[] program = fast.toArray(new TileOp[0]);
        return guarded ? new TileOp[] {new GuardedTileProgram(program, interpreted)} : program;
    }

    /**
     * Which op made each operand of each op ({@code producer[k][j]}, -1 for a value made before
     * the kernel: slots are reused, values are named by their op), and into {@code lastRead} the
     * last op that reads each op's value (-1 if none).
     */
    private static int[][] producers(TileOp[] ops, int[] lastRead) {
        int count = ops.length;
        int[][] producer = new int[count][];
        int slots = 0;
        for (TileOp op : ops) {
            slots = Math.max(slots, op.out + 1);
            for (int s : op.in) {
                slots = Math.max(slots, s + 1);
            }
        }
        int[] slotHolds = new int[slots];
        Arrays.fill(slotHolds, -1);
        Arrays.fill(lastRead, -1);
        for (int k = 0; k < count; k++) {
            TileOp op = ops[k];
            producer[k] = new int[op.in.length];
            for (int j = 0; j < op.in.length; j++) {
                producer[k][j] = slotHolds[op.in[j]];
            }
            for (int j = 0; j < op.in.length; j++) {
                if (producer[k][j] >= 0) {
                    lastRead[producer[k][j]] = k;
                }
            }
            if (op.out >= 0) {
                slotHolds[op.out] = k;
            }
        }
        return producer;
    }

    /**
     * Replaces x - x by {@link LoopSource.Zero} where a generated exp, sigmoid or log checks x's
     * range in the same tile (the finite check of logits, {@code Checks.nonFinite}): once every
     * generated loop of a tile has run, every value they checked was finite, so x - x was +0; a
     * tile with a value outside the range is redone by the interpreter from the original ops. The
     * difference then no longer reads x, which spares a store and a load of x per element where x
     * was kept in a slot for it. Returns whether it replaced any.
     */
    private static boolean zeroCheckedDifferences(TileOp[] ops, int[][] producer, List<int[]> runs) {
        Set<Integer> checked = new HashSet<>();
        for (int[] run : runs) {
            for (int k = run[0]; k < run[1]; k++) {
                if (LoopSource.checksFirstOperand(ops[k]) && producer[k][0] >= 0) {
                    checked.add(producer[k][0]);
                }
            }
        }
        boolean any = false;
        for (int k = 0; k < ops.length; k++) {
            if (ops[k] instanceof TileOp.BinaryOp && ((TileOp.BinaryOp) ops[k]).op == Binary.SUB
                && producer[k][0] >= 0 && producer[k][0] == producer[k][1] && checked.contains(producer[k][0])) {
                ops[k] = new LoopSource.Zero(ops[k].out);
                any = true;
            }
        }
        return any;
    }

    /**
     * What a run may touch ahead ({@code LoopSource.touch}): the distinct loads of the ops after
     * it, up to the next op with an exp or log (a loop bound by its own arithmetic has time for
     * its own loads); none when touching is off ({@link #TOUCH_PROPERTY}). Only a loop with an
     * exp or log touches them: LoopSource writes the touches into its paired loop, which only a
     * loop with a range check has.
     */
    private static List<TileOp.Load> laterLoads(TileOp[] ops, int[] run) {
        List<TileOp.Load> loads = new ArrayList<>();
        if ("false".equalsIgnoreCase(System.getProperty(TOUCH_PROPERTY))) {
            return loads;
        }
        Set<List<Integer>> seen = new HashSet<>();
        for (int k = run[1]; k < ops.length && LoopSource.transcendentals(ops[k]) == 0 && loads.size() < MAX_TOUCHES; k++) {
            if (ops[k] instanceof TileOp.Load) {
                TileOp.Load l = (TileOp.Load) ops[k];
                if (seen.add(List.of(l.buffer, l.offset))) {
                    loads.add(l);
                }
            }
        }
        return loads;
    }

    /** The loop for ops [from, to): values read after it are written to their slots. */
    private static LoopSource source(TileOp[] ops, int[][] producer, int[] lastRead, int from, int to, boolean pair,
        List<TileOp.Load> touch) {
        boolean[] liveOut = new boolean[ops.length];
        for (int k = from; k < to; k++) {
            liveOut[k] = lastRead[k] >= to;
        }
        return new LoopSource(ops, producer, liveOut, from, to, pair, touch);
    }

    /** A run of loads, fills and stores alone only copies (as fast as arraycopy); it stays interpreted. */
    private static boolean worthGenerating(TileOp[] ops, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!(ops[k] instanceof TileOp.Load || ops[k] instanceof TileOp.Fill || ops[k] instanceof TileOp.Store)) {
                return true;
            }
        }
        return false;
    }
}
