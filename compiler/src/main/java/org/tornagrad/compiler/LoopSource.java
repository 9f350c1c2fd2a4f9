package org.tornagrad.compiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * The Java source of one generated loop: a run of tile ops written as one loop over the tile,
 * eight lanes at a time with the vector API, then the last {@code n mod 8} elements one by one.
 * Each op is the formula of its interpreter loop ({@link TileLoops}, {@link BlockMath}) with the
 * same float operations in the same order, so the generated loop gives the interpreter's bits.
 * exp, log and sigmoid take only their fast path; a lane outside it ends the loop with
 * {@link TileOp.Tile#outOfRange} set (see {@link GuardedTileProgram}).
 *
 * <p>Values are vector locals named after the op that makes them ({@code v3} is op 3's value).
 * A value made before the run is read from its slot; a value read after the run is written to
 * its slot; stores write the program's buffers. The source holds no slot, buffer or scalar: those
 * are read from {@link GeneratedLoop#ints} and {@link GeneratedLoop#floats}, so the text depends
 * only on the shape of the run and one compiled class serves every run of that shape.
 */
final class LoopSource {
    /** The generated class's simple name (a hidden class, so every source may use the same). */
    static final String CLASS_NAME = "Loop";

    final String source;
    final int[] ints;
    final float[] floats;
    final String summary;

    private final List<Integer> intList = new ArrayList<>();
    private final List<Float> floatList = new ArrayList<>();
    private final StringBuilder decl = new StringBuilder();
    private final StringBuilder vector = new StringBuilder();
    private final StringBuilder scalar = new StringBuilder();
    private final StringBuilder vectorWrites = new StringBuilder();
    private final StringBuilder scalarWrites = new StringBuilder();
    /** The run's sums: {op index, index of the op whose value it sums}. */
    private final List<int[]> sums = new ArrayList<>();
    /** How many range checks the body makes, and where the last starts and ends in {@link #vector}, and its lanes' test. */
    private int checks;
    private int checkFrom;
    private int checkTo;
    private String checkMask;
    /** Whether the loop takes two vectors a step with one range check for both ({@link #pairedLoop}). */
    final boolean paired;
    /** The paired loop's touches of later loads, one element a cache line ({@link #touch}). */
    private final StringBuilder touches = new StringBuilder();

    /**
     * The loop for ops {@code [from, to)} of {@code ops}; {@code producer[k][j]} is the index of
     * the op whose value op k reads as its j-th operand, {@code liveOut[k]} whether op k's value
     * is read after the run.
     */
    LoopSource(TileOp[] ops, int[][] producer, boolean[] liveOut, int from, int to) {
        this(ops, producer, liveOut, from, to, false, List.of());
    }

    /**
     * The same, taking two vectors a step when {@code pair} and the body has a range check; that
     * paired loop also touches the tile's elements of each of {@code touch}, loads that later
     * loops of the kernel make ({@link #touch}).
     */
    LoopSource(TileOp[] ops, int[][] producer, boolean[] liveOut, int from, int to, boolean pair, List<TileOp.Load> touch) {
        Map<Integer, String> liveIn = new LinkedHashMap<>();
        StringBuilder sum = new StringBuilder();
        for (int k = from; k < to; k++) {
            sum.append(k == from ? "" : "; ").append(ops[k]);
            for (int j = 0; j < ops[k].in.length; j++) {
                int p = producer[k][j];
                if (p < from && !liveIn.containsKey(p)) {
                    liveIn.put(p, "v" + p);
                    decl.append("        final float[] in").append(p).append(" = t.slots[").append(param(ops[k].in[j]))
                        .append("];\n");
                    vector.append("            FloatVector v").append(p).append(" = FloatVector.fromArray(F, in").append(p)
                        .append(", j);\n");
                    scalar.append("            float v").append(p).append(" = in").append(p).append("[j];\n");
                }
            }
        }
        for (int k = from; k < to; k++) {
            emit(k, ops[k], producer[k]);
            if (liveOut[k] && ops[k].out >= 0) {
                decl.append("        final float[] out").append(k).append(" = t.slots[").append(param(ops[k].out)).append("];\n");
                vectorWrites.append("            v").append(k).append(".intoArray(out").append(k).append(", j);\n");
                scalarWrites.append("            out").append(k).append("[j] = v").append(k).append(";\n");
            }
        }
        this.paired = pair && checks == 1 && sums.isEmpty();
        if (paired) {
            touch(touch);
        }
        this.summary = sum.toString();
        this.ints = intList.stream().mapToInt(Integer::intValue).toArray();
        this.floats = new float[floatList.size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = floatList.get(i);
        }
        this.source = "package org.tornagrad.compiler;\n\n"
            + "import jdk.incubator.vector.DoubleVector;\n"
            + "import jdk.incubator.vector.FloatVector;\n"
            + "import jdk.incubator.vector.IntVector;\n"
            + "import jdk.incubator.vector.VectorOperators;\n"
            + "import jdk.incubator.vector.VectorSpecies;\n\n"
            + "/** Generated by LoopSource: one loop over a tile for a run of fused tile ops. */\n"
            + "final class " + CLASS_NAME + " extends GeneratedLoop {\n"
            + "    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;\n"
            + "    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;\n\n"
            + "    " + CLASS_NAME + "(int[] ints, float[] floats, String source, String summary) {\n"
            + "        super(ints, floats, source, summary);\n"
            + "    }\n\n"
            + "    @Override\n"
            + "    void run(TileOp.Tile t) {\n"
            + "        final int n = t.length;\n"
            + "        final int start = t.start;\n"
            + decl
            + "        int i = 0;\n"
            + (touches.length() > 0 ? "        float touched = 0f;\n" : "")
            + loops()
            + (touches.length() > 0 ? "        t.touched = touched;\n" : "")
            + "    }\n"
            + "}\n";
    }

    /**
     * The loops. Without sums: eight lanes at a time, then the tail. With sums, the order of
     * {@link BlockMath#laneSum} (so the interpreter's bits): runs of up to
     * {@link BlockMath#FLOAT_RUN} elements in blocks of 32 (the body four times, each sum's four
     * vectors added as (a + b) + (c + d) in float, then to the run's eight float lanes), each run
     * widened into eight double lanes, blocks of 8 widened one by one, the tail added in order, and
     * the lanes combined in laneSum's tree plus the tail.
     */
    private String loops() {
        String body = vector.toString() + vectorWrites;
        StringBuilder sb = new StringBuilder();
        if (!sums.isEmpty()) {
            // The double lanes live in the tile's scratch, not in vector locals: a vector carried
            // from one iteration to the next is boxed by JDK 17's C2 (seen: 2.6 MB an active-contour call).
            sb.append("        final double[] acc = t.sums;\n")
                .append("        java.util.Arrays.fill(acc, 0, ").append(8 * sums.size()).append(", 0.0);\n")
                .append("        final float[] runs = t.runs;\n");
        }
        for (int[] s : sums) {
            sb.append("        double tail").append(s[0]).append(" = 0;\n");
        }
        if (!sums.isEmpty()) {
            sb.append("        for (final int blocks = n & ~31; i < blocks; ) {\n")
                .append("            final int end = Math.min(i + ").append(BlockMath.FLOAT_RUN).append(", blocks);\n")
                .append("            java.util.Arrays.fill(runs, 0, ").append(8 * sums.size()).append(", 0f);\n")
                .append("            for (; i < end; i += 32) {\n");
            String inner = body.replace("\n            ", "\n                    ").replaceFirst("^            ", "                    ");
            for (int c = 0; c < 4; c++) {
                for (int[] s : sums) {
                    sb.append("                final FloatVector w").append(s[0]).append('_').append(c).append(";\n");
                }
            }
            for (int c = 0; c < 4; c++) {
                sb.append("                {\n                    final int j = i + ").append(8 * c).append(";\n").append(inner);
                for (int[] s : sums) {
                    sb.append("                    w").append(s[0]).append('_').append(c).append(" = v").append(s[1]).append(";\n");
                }
                sb.append("                }\n");
            }
            for (int[] s : sums) {
                String w = "w" + s[0];
                int at = 8 * sums.indexOf(s);
                sb.append("                FloatVector.fromArray(F, runs, ").append(at).append(").add(").append(w).append("_0.add(")
                    .append(w).append("_1).add(").append(w).append("_2.add(").append(w).append("_3))).intoArray(runs, ")
                    .append(at).append(");\n");
            }
            sb.append("            }\n");
            sb.append("            VectorMath.widenLanes(runs, acc, 0, ").append(8 * sums.size()).append(");\n");
            sb.append("        }\n");
        }
        if (paired) {
            sb.append(pairedLoop());
        }
        sb.append("        for (final int bound = n & ~7; i < bound; i += 8) {\n")
            .append("            final int j = i;\n").append(body);
        for (int[] s : sums) {
            int at = 8 * sums.indexOf(s);
            sb.append("            v").append(s[1]).append(".intoArray(runs, ").append(at).append(");\n")
                .append("            VectorMath.widenLanes(runs, acc, ").append(at).append(", ").append(at + 8).append(");\n");
        }
        sb.append("        }\n");
        sb.append("        for (; i < n; i++) {\n").append("            final int j = i;\n").append(scalar).append(scalarWrites);
        for (int[] s : sums) {
            sb.append("            tail").append(s[0]).append(" += v").append(s[1]).append(";\n");
        }
        sb.append("        }\n");
        for (int[] s : sums) {
            int a = 8 * sums.indexOf(s);
            sb.append("        partials").append(s[0]).append("[t.tile] = (((acc[").append(a).append("] + acc[").append(a + 1)
                .append("]) + (acc[").append(a + 2).append("] + acc[").append(a + 3).append("])) + ((acc[").append(a + 4)
                .append("] + acc[").append(a + 5).append("]) + (acc[").append(a + 6).append("] + acc[").append(a + 7)
                .append("]))) + tail").append(s[0]).append(";\n");
        }
        return sb.toString();
    }

    /**
     * Sixteen elements a step: the body twice (the second copy's locals renamed, at {@code j + 8}),
     * both copies computed up to the range check, one check of both (masks and-ed: one branch
     * instead of two, each a compare, a materialised boolean and a jump), then the rest of both.
     * The lanes' values are those of the eight-lane loop; a lane out of range in either half ends
     * the loop as it would have there (the tile is redone by the interpreter either way).
     */
    private String pairedLoop() {
        String v = vector.toString();
        String before = v.substring(0, checkFrom);
        String after = v.substring(checkTo) + vectorWrites;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:FloatVector|IntVector) (\\w+) =").matcher(v);
        List<String> locals = new ArrayList<>();
        while (m.find()) {
            locals.add(m.group(1));
        }
        locals.add("j");
        return "        for (final int bound = n & ~15; i < bound; i += 16) {\n"
            + "            final int j = i;\n"
            + "            final int j_b = i + 8;\n"
            + before + renamed(before, locals)
            + "            if (!" + checkMask + ".and(" + renamed(checkMask, locals) + ").allTrue()) {\n"
            + "                t.outOfRange = true;\n                return;\n            }\n"
            + after + renamed(after, locals)
            + touches
            + "        }\n";
    }

    /**
     * Software prefetch. A loop with a range check is bound by its arithmetic (exp, a division),
     * while the loops after it in the kernel, cheap arithmetic over the same tile, wait on memory
     * for their loads. The paired loop reads one element of each later load per step of sixteen
     * floats (one 64-byte cache line), so those misses are served while this loop computes, and
     * the later loops find their operands in L1 (dice: the targets, read by the sum loop, are
     * touched by the sigmoid loop). The elements are added into {@link TileOp.Tile#touched}, never
     * read, only so that the JIT keeps the loads; no value of the loop depends on them, and each
     * index is one the later load reads, so it is within the buffer.
     */
    private void touch(List<TileOp.Load> loads) {
        for (int i = 0; i < loads.size(); i++) {
            TileOp.Load l = loads.get(i);
            String b = "touch" + i;
            decl.append("        final float[] ").append(b).append(" = (float[]) t.buffers[").append(param(l.buffer)).append("];\n");
            decl.append("        final int ").append(b).append("At = ").append(param(l.offset)).append(" + start;\n");
            touches.append("            touched += ").append(b).append('[').append(b).append("At + j];\n");
        }
    }

    /** {@code code} with each of {@code locals} renamed to its second copy's name (suffix _b). */
    private static String renamed(String code, List<String> locals) {
        String out = code;
        for (String name : locals) {
            out = out.replaceAll("\\b" + java.util.regex.Pattern.quote(name) + "\\b", name + "_b");
        }
        return out;
    }

    /** Whether the generator has a formula for {@code op}. */
    static boolean supported(TileOp op) {
        if (op instanceof TileOp.Load || op instanceof TileOp.Fill || op instanceof TileOp.Store
            || op instanceof TileOp.SumPartial || op instanceof Zero || transcendentals(op) > 0) {
            return true;
        }
        if (op instanceof TileOp.UnaryOp) {
            TileOp.UnaryOp u = (TileOp.UnaryOp) op;
            return unaryVector(u.op, u.a, "x", "a", "b") != null;
        }
        if (op instanceof TileOp.BinaryOp) {
            return binaryVector(((TileOp.BinaryOp) op).op, "x", "y") != null;
        }
        return false;
    }

    /**
     * Whether {@code op}'s generated formula checks that its first operand lies in a fast range
     * (finite, at least), ending the loop otherwise: exp, sigmoid, log and BCE's log of p.
     */
    static boolean checksFirstOperand(TileOp op) {
        return op instanceof TileOp.Exp || op instanceof TileOp.Sigmoid || op instanceof TileOp.Log || op instanceof BceLogP;
    }

    /** How many exp or log calls {@code op}'s formula makes (the generator's budget counts these). */
    static int transcendentals(TileOp op) {
        if (op instanceof TileOp.Exp || op instanceof TileOp.Log || op instanceof TileOp.Sigmoid) {
            return 1;
        }
        return op instanceof BceLogP || op instanceof BceFinish ? 1 : 0;
    }

    /**
     * +0 in every lane: what {@link CodeGenerator} puts in place of x - x when the fast range has
     * checked x in the same tile (a finite x gives +0; a tile with a value outside the range is
     * redone by the interpreter, from the original ops, which compute x - x).
     */
    static final class Zero extends TileOp {
        Zero(int out) {
            super(new int[0], out);
        }

        @Override
        void run(Tile t) {
            java.util.Arrays.fill(t.slots[out], 0, t.length, 0f);
        }

        @Override
        String name() {
            return "zero";
        }
    }

    /**
     * The first half of a generated BCE: the clamped
     * {@code max(log p, -100)} into the tile scratch {@code s1}. BCE takes two logs; one loop
     * inlining both is past C2's budget (it boxed: 33 MB a call), so {@link CodeGenerator} splits
     * a BCE into this op and {@link BceFinish}, which always land in consecutive loops.
     */
    static final class BceLogP extends TileOp {
        BceLogP(int p) {
            super(new int[] {p}, -1);
        }

        @Override
        void run(Tile t) {
            throw new UnsupportedOperationException("bce_log_p runs only in a generated loop");
        }

        @Override
        String name() {
            return "bce_log_p";
        }
    }

    /** The second half: {@code log(1 - p)}, and BCE from both logs (see {@link BceLogP}). */
    static final class BceFinish extends TileOp {
        BceFinish(TileOp.Bce bce) {
            super(bce.in, bce.out);
        }

        @Override
        void run(Tile t) {
            throw new UnsupportedOperationException("bce_finish runs only in a generated loop");
        }

        @Override
        String name() {
            return "bce";
        }
    }

    private String param(int value) {
        intList.add(value);
        return "ints[" + (intList.size() - 1) + "]";
    }

    private String scalarParam(int k, String name, float value) {
        floatList.add(value);
        decl.append("        final float ").append(name).append(k).append(" = floats[").append(floatList.size() - 1)
            .append("];\n");
        return name + k;
    }

    private void emit(int k, TileOp op, int[] producer) {
        // The op's kind only: buffer ids would make sources of the same shape differ.
        String kind = op instanceof TileOp.Load ? "load" : op instanceof TileOp.Fill ? "fill"
            : op instanceof TileOp.Store ? "store" : op instanceof TileOp.SumPartial ? "sum" : op.name();
        String comment = "            // " + kind + "\n";
        vector.append(comment);
        scalar.append(comment);
        String[] v = new String[producer.length];
        for (int j = 0; j < producer.length; j++) {
            v[j] = producer[j] < 0 ? null : "v" + producer[j];
        }
        String vec;
        String sca;
        if (op instanceof TileOp.Load) {
            TileOp.Load l = (TileOp.Load) op;
            decl.append("        final float[] b").append(k).append(" = (float[]) t.buffers[").append(param(l.buffer)).append("];\n");
            decl.append("        final int o").append(k).append(" = ").append(param(l.offset)).append(" + start;\n");
            vec = "FloatVector.fromArray(F, b" + k + ", o" + k + " + j)";
            sca = "b" + k + "[o" + k + " + j]";
        } else if (op instanceof TileOp.Fill) {
            TileOp.Fill f = (TileOp.Fill) op;
            decl.append("        final float c").append(k).append(" = ((float[]) t.buffers[").append(param(f.buffer))
                .append("])[").append(param(f.element)).append("];\n");
            // The broadcast is made inside the loop: a vector live across iterations is boxed by JDK 17's C2.
            vec = "FloatVector.broadcast(F, c" + k + ")";
            sca = "c" + k;
        } else if (op instanceof Zero) {
            vec = "FloatVector.zero(F)";
            sca = "0f";
        } else if (op instanceof TileOp.Store) {
            decl.append("        final float[] st").append(k).append(" = (float[]) t.buffers[")
                .append(param(((TileOp.Store) op).buffer)).append("];\n");
            vectorWrites.append("            ").append(v[0]).append(".intoArray(st").append(k).append(", start + j);\n");
            scalarWrites.append("            st").append(k).append("[start + j] = ").append(v[0]).append(";\n");
            return;
        } else if (op instanceof TileOp.Exp) {
            guard(v[0], "Exp");
            vec = exp(v[0], "e" + k);
            sca = "BlockMath.expFast(" + v[0] + ")";
        } else if (op instanceof TileOp.Log) {
            guard(v[0], "Log");
            vec = log(v[0], "l" + k);
            sca = "BlockMath.logFast(" + v[0] + ")";
        } else if (op instanceof TileOp.Sigmoid) {
            guard(v[0], "Exp");
            vec = "FloatVector.broadcast(F, 1f).div(" + exp(v[0] + ".neg()", "e" + k) + ".add(1f))";
            sca = "1f / (1f + BlockMath.expFast(-" + v[0] + "))";
        } else if (op instanceof TileOp.SumPartial) {
            decl.append("        final double[] partials").append(k).append(" = t.sinks[")
                .append(param(((TileOp.SumPartial) op).sink)).append("].partials;\n");
            sums.add(new int[] {k, producer[0]});
            return;
        } else if (op instanceof BceLogP) {
            // BlockMath.bce's clamped log of p (its tile check covers p and 1 - p: both guarded).
            guard(v[0], "Log");
            decl.append("        final float[] logP = t.s1;\n");
            String logP = log(v[0], "l" + k);
            vectorWrites.append("            ").append(atLeast(logP, "-100f")).append(".intoArray(logP, j);\n");
            scalarWrites.append("            logP[j] = Math.max(BlockMath.logFast(").append(v[0]).append("), -100f);\n");
            return;
        } else if (op instanceof BceFinish) {
            String p = v[0];
            String q = "q" + k;
            String lp = "lp" + k;
            String lq = "lq" + k;
            decl.append("        final float[] logP").append(k).append(" = t.s1;\n");
            vector.append("            FloatVector ").append(q).append(" = FloatVector.broadcast(F, 1f).sub(").append(p).append(");\n");
            scalar.append("            float ").append(q).append(" = 1f - ").append(p).append(";\n");
            guard(q, "Log");
            vector.append("            FloatVector ").append(lp).append(" = FloatVector.fromArray(F, logP").append(k).append(", j);\n");
            String logQ = log(q, "l" + k);
            vector.append("            FloatVector ").append(lq).append(" = ").append(atLeast(logQ, "-100f")).append(";\n");
            scalar.append("            float ").append(lp).append(" = logP").append(k).append("[j];\n");
            scalar.append("            float ").append(lq).append(" = Math.max(BlockMath.logFast(").append(q).append("), -100f);\n");
            String tg = v[1];
            vec = tg + ".mul(" + lp + ").add(FloatVector.broadcast(F, 1f).sub(" + tg + ").mul(" + lq + ")).neg()";
            sca = "-(" + tg + " * " + lp + " + (1f - " + tg + ") * " + lq + ")";
        } else if (op instanceof TileOp.UnaryOp) {
            TileOp.UnaryOp u = (TileOp.UnaryOp) op;
            String a = usesA(u.op) ? scalarParam(k, "a", u.a) : "0f";
            String b = u.op == Unary.CLAMP ? scalarParam(k, "b", u.b) : "0f";
            vec = unaryVector(u.op, u.a, v[0], a, b);
            sca = unaryScalar(u.op, v[0], a, b);
        } else {
            int o = ((TileOp.BinaryOp) op).op;
            vec = binaryVector(o, v[0], v[1]);
            sca = binaryScalar(o, v[0], v[1]);
        }
        vector.append("            FloatVector v").append(k).append(" = ").append(vec).append(";\n");
        scalar.append("            float v").append(k).append(" = ").append(sca).append(";\n");
    }

    /**
     * Ends the loop (tile redone by the interpreter) when some lane of {@code x} is outside the
     * fast range ({@link BlockMath#inExpRange}, {@link BlockMath#inLogRange}, eight lanes at a time).
     */
    private void guard(String x, String range) {
        String inside = range.equals("Exp")
            ? x + ".abs().compare(VectorOperators.LT, BlockMath.EXP_LIMIT)"
            : x + ".compare(VectorOperators.GE, Float.MIN_NORMAL).and(" + x
                + ".compare(VectorOperators.LE, Float.MAX_VALUE))";
        checks++;
        checkMask = inside;
        checkFrom = vector.length();
        vector.append("            if (!").append(inside).append(".allTrue()) {\n                t.outOfRange = true;\n                return;\n            }\n");
        checkTo = vector.length();
        scalar.append("            if (!BlockMath.in").append(range).append("Range(").append(x)
            .append(")) {\n                t.outOfRange = true;\n                return;\n            }\n");
    }

    /**
     * VectorMath's vector exp written out as statements (prefix
     * {@code id}); returns the result's name. Not a call: once C2 has compiled VectorMath.exp on
     * its own (it is hot in the interpreter's loops too), it declines to inline it into a later
     * compiled loop ("already compiled into a big method") and every call boxes its vectors (seen:
     * 4 MB a boundary call).
     */
    private String exp(String x, String id) {
        StringBuilder b = new StringBuilder();
        line(b, "FloatVector " + id + "x = " + x);
        line(b, "FloatVector " + id + "t = " + id + "x.fma(BlockMath.LOG2E, BlockMath.MAGIC)");
        line(b, "FloatVector " + id + "k = " + id + "t.sub(BlockMath.MAGIC)");
        line(b, "FloatVector " + id + "r = " + id + "k.lanewise(VectorOperators.FMA, -BlockMath.LN2_HI, " + id + "x)");
        line(b, id + "r = " + id + "k.lanewise(VectorOperators.FMA, -BlockMath.LN2_LO, " + id + "r)");
        line(b, "FloatVector " + id + "p = " + id + "r.fma(BlockMath.EP0, BlockMath.EP1)");
        for (int c = 2; c <= 4; c++) {
            line(b, id + "p = " + id + "p.lanewise(VectorOperators.FMA, " + id + "r, BlockMath.EP" + c + ")");
        }
        line(b, id + "p = " + id + "p.fma(" + id + "r.mul(" + id + "r), " + id + "r).add(1f)");
        line(b, "IntVector " + id + "b = ((IntVector) " + id + "t.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23)");
        line(b, "FloatVector " + id + " = (FloatVector) ((IntVector) " + id + "p.reinterpretAsInts()).add(" + id + "b).reinterpretAsFloats()");
        vector.append(b);
        return id;
    }

    /** VectorMath's vector log written out as statements (see {@link #exp}). */
    private String log(String x, String id) {
        StringBuilder b = new StringBuilder();
        line(b, "IntVector " + id + "b = ((IntVector) " + x + ".reinterpretAsInts()).add(BlockMath.SQRT_HALF_OFFSET)");
        line(b, "IntVector " + id + "eb = " + id + "b.lanewise(VectorOperators.ASHR, 23).add(BlockMath.MAGIC_BITS - 127)");
        line(b, "FloatVector " + id + "e = ((FloatVector) " + id + "eb.reinterpretAsFloats()).sub(BlockMath.MAGIC)");
        line(b, "FloatVector " + id + "m = ((FloatVector) " + id + "b.and(0x007fffff).add(BlockMath.SQRT_HALF_BITS)"
            + ".reinterpretAsFloats()).sub(1f)");
        line(b, "FloatVector " + id + "z = " + id + "m.mul(" + id + "m)");
        line(b, "FloatVector " + id + "y = " + id + "m.fma(BlockMath.LP0, BlockMath.LP1)");
        for (int c = 2; c <= 8; c++) {
            line(b, id + "y = " + id + "y.lanewise(VectorOperators.FMA, " + id + "m, BlockMath.LP" + c + ")");
        }
        line(b, id + "y = " + id + "y.mul(" + id + "m).mul(" + id + "z)");
        line(b, id + "y = " + id + "e.lanewise(VectorOperators.FMA, BlockMath.LN2_LO, " + id + "y)");
        line(b, id + "y = " + id + "z.lanewise(VectorOperators.FMA, -0.5f, " + id + "y)");
        line(b, "FloatVector " + id + " = " + id + "e.lanewise(VectorOperators.FMA, BlockMath.LN2_HI, " + id + "m.add(" + id + "y))");
        vector.append(b);
        return id;
    }

    /**
     * {@code max(x, c)} as Java defines it (a NaN x stays, -0 gives +0 when c is +0), for a
     * variable {@code x} and a constant {@code c} that is neither NaN nor -0: where x <= c the
     * result is c, which equals x when they compare equal unless they are the two zeros, and then
     * +0 is max's answer too; a NaN compares false and stays. Two instructions (compare, blend)
     * where C2 writes FloatVector.max as five, its blends for NaN and signed zeros.
     */
    private static String atLeast(String x, String c) {
        return x + ".blend(" + c + ", " + x + ".compare(VectorOperators.LE, " + c + "))";
    }

    private static void line(StringBuilder b, String statement) {
        b.append("            ").append(statement).append(";\n");
    }

    private static boolean usesA(int op) {
        return op == Unary.CLAMP || op == Unary.ADD_SCALAR || op == Unary.MUL_SCALAR || op == Unary.RSUB_SCALAR;
    }

    // The formulas, as TileLoops writes them. null: no generated formula (the op stays interpreted).

    private static String unaryVector(int op, float av, String x, String a, String b) {
        switch (op) {
            case Unary.NEG: return x + ".neg()";
            case Unary.SQRT: return x + ".sqrt()";
            case Unary.ABS: return x + ".abs()";
            case Unary.SQUARE: return x + ".mul(" + x + ")";
            case Unary.RELU: return atLeast(x, "0f");
            case Unary.CLAMP: return x + ".max(" + a + ").min(" + b + ")";
            case Unary.POW_SCALAR: return av == 2f ? x + ".mul(" + x + ")" : null;
            case Unary.ADD_SCALAR: return x + ".add(" + a + ")";
            case Unary.MUL_SCALAR: return x + ".mul(" + a + ")";
            case Unary.RSUB_SCALAR: return "FloatVector.broadcast(F, " + a + ").sub(" + x + ")";
            case Unary.RECIPROCAL: return "FloatVector.broadcast(F, 1f).div(" + x + ")";
            case Unary.SIGN:
                return "FloatVector.zero(F).blend(1f, " + x + ".compare(VectorOperators.GT, 0f)).blend(-1f, " + x
                    + ".compare(VectorOperators.LT, 0f))";
            default: return null;
        }
    }

    private static String unaryScalar(int op, String x, String a, String b) {
        switch (op) {
            case Unary.NEG: return "-" + x;
            case Unary.SQRT: return "(float) Math.sqrt(" + x + ")";
            case Unary.ABS: return "Math.abs(" + x + ")";
            case Unary.SQUARE:
            case Unary.POW_SCALAR: return x + " * " + x;
            case Unary.RELU: return "Math.max(" + x + ", 0f)";
            case Unary.CLAMP: return "Math.min(Math.max(" + x + ", " + a + "), " + b + ")";
            case Unary.ADD_SCALAR: return x + " + " + a;
            case Unary.MUL_SCALAR: return x + " * " + a;
            case Unary.RSUB_SCALAR: return a + " - " + x;
            case Unary.SIGN: return "(" + x + " > 0f ? 1f : (" + x + " < 0f ? -1f : 0f))";
            default: return "1f / " + x; // RECIPROCAL
        }
    }

    private static String binaryVector(int op, String x, String y) {
        switch (op) {
            case Binary.ADD: return x + ".add(" + y + ")";
            case Binary.SUB: return x + ".sub(" + y + ")";
            case Binary.MUL: return x + ".mul(" + y + ")";
            case Binary.DIV: return x + ".div(" + y + ")";
            case Binary.MAX: return x + ".max(" + y + ")";
            case Binary.MIN: return x + ".min(" + y + ")";
            case Binary.EQ: return comparison("EQ", x, y);
            case Binary.NE: return comparison("NE", x, y);
            case Binary.LT: return comparison("LT", x, y);
            case Binary.LE: return comparison("LE", x, y);
            case Binary.GT: return comparison("GT", x, y);
            case Binary.GE: return comparison("GE", x, y);
            default: return null;
        }
    }

    /** 1 where the comparison holds, else 0 (the vector API's comparisons are Java's: NaN is unordered, and unequal). */
    private static String comparison(String op, String x, String y) {
        return "FloatVector.zero(F).blend(1f, " + x + ".compare(VectorOperators." + op + ", " + y + "))";
    }

    private static String binaryScalar(int op, String x, String y) {
        switch (op) {
            case Binary.ADD: return x + " + " + y;
            case Binary.SUB: return x + " - " + y;
            case Binary.MUL: return x + " * " + y;
            case Binary.DIV: return x + " / " + y;
            case Binary.MAX: return "Math.max(" + x + ", " + y + ")";
            case Binary.EQ: return "(" + x + " == " + y + " ? 1f : 0f)";
            case Binary.NE: return "(" + x + " != " + y + " ? 1f : 0f)";
            case Binary.LT: return "(" + x + " < " + y + " ? 1f : 0f)";
            case Binary.LE: return "(" + x + " <= " + y + " ? 1f : 0f)";
            case Binary.GT: return "(" + x + " > " + y + " ? 1f : 0f)";
            case Binary.GE: return "(" + x + " >= " + y + " ? 1f : 0f)";
            default: return "Math.min(" + x + ", " + y + ")"; // MIN
        }
    }

}
