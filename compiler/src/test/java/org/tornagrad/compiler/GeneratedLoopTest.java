package org.tornagrad.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.kernels.Unary;
import org.tornagrad.tensor.Tensor;

/**
 * Generated loops against the interpreter's tile ops: random chains of every op the generator
 * has a formula for, over random lengths (whole vectors and a scalar tail, one tile or several)
 * and data with NaN, signed zeros, infinities, subnormals and values past exp's fast range (so
 * that some tiles fall back to the interpreter), must give the same bits; and the switches that
 * keep the interpreter.
 */
class GeneratedLoopTest {
    private static final int TILE = 2048;
    private static final int SINKS = 2;
    private static final WorkerTeam TEAM = new WorkerTeam(2);
    private static final int[] UNARY = {Unary.NEG, Unary.SQRT, Unary.ABS, Unary.SQUARE, Unary.RELU, Unary.CLAMP,
        Unary.POW_SCALAR, Unary.ADD_SCALAR, Unary.MUL_SCALAR, Unary.RSUB_SCALAR, Unary.RECIPROCAL, Unary.SIGN};
    private static final int[] BINARY = {Binary.ADD, Binary.SUB, Binary.MUL, Binary.DIV, Binary.MAX, Binary.MIN,
        Binary.EQ, Binary.NE, Binary.LT, Binary.LE, Binary.GT, Binary.GE};
    private static final float[] SPECIAL = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        1e-40f, -1e-40f, 100f, -100f, 88f, 1f, -1f, Float.MIN_NORMAL};

    /** A random chain: three input buffers, ops over fresh slots, three stored results. */
    private static TileOp[] chain(Random r) {
        List<TileOp> ops = new ArrayList<>();
        int values = 0;
        for (int b = 0; b < 3; b++) {
            ops.add(new TileOp.Load(b, r.nextInt(3), values++));
        }
        ops.add(new TileOp.Fill(3, 0, values++));
        int length = 1 + r.nextInt(14);
        for (int s = 0; s < length; s++) {
            int x = r.nextInt(values);
            int y = r.nextInt(values);
            float a = r.nextBoolean() ? 2f : (float) r.nextGaussian();
            switch (r.nextInt(5)) {
                case 0: {
                    int op = UNARY[r.nextInt(UNARY.length)];
                    ops.add(new TileOp.UnaryOp(op, Math.min(a, 0.5f), Math.max(a, 0.5f), new int[] {x}, values++));
                    break;
                }
                case 1:
                    ops.add(new TileOp.BinaryOp(BINARY[r.nextInt(BINARY.length)], new int[] {x, y}, values++));
                    break;
                case 2: {
                    int kind = r.nextInt(3);
                    int[] in = {x};
                    ops.add(kind == 0 ? new TileOp.Exp(in, values++) : kind == 1 ? new TileOp.Log(in, values++)
                        : new TileOp.Sigmoid(in, values++));
                    break;
                }
                case 3:
                    // BCE of a value against an input in [0, 1).
                    ops.add(new TileOp.Bce(new int[] {x, 1}, values++));
                    break;
                default:
                    // An interpreted op (no generated formula) between generated runs.
                    ops.add(new TileOp.UnaryOp(Unary.TANH, 0f, 0f, new int[] {x}, values++));
                    break;
            }
        }
        for (int b = 0; b < 3; b++) {
            ops.add(new TileOp.Store(4 + b, values - 1 - b % values));
        }
        // Two whole-tensor sums (one partial per tile), at random places after their values.
        for (int s = 0; s < SINKS; s++) {
            int value = 4 + r.nextInt(values - 4);
            // value's op is at index value, or value + 1 after the first sum went before it.
            ops.add(value + 1 + s + r.nextInt(ops.size() - value - s), new TileOp.SumPartial(s, value));
        }
        return ops.toArray(new TileOp[0]);
    }

    private static Object[] buffers(Random r, int n, boolean specials) {
        Object[] buffers = new Object[7 + SINKS];
        for (int b = 0; b < 3; b++) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = specials && r.nextInt(500) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)]
                    : b == 1 ? r.nextFloat() : (float) (3 * r.nextGaussian());
            }
            buffers[b] = x;
        }
        buffers[3] = new float[] {0.75f};
        for (int b = 4; b < 7; b++) {
            buffers[b] = new float[n];
        }
        return buffers;
    }

    private static int[] tiles(int n) {
        int count = (n + TILE - 1) / TILE;
        int[] start = new int[count + 1];
        for (int t = 0; t <= count; t++) {
            start[t] = Math.min(n, t * TILE);
        }
        return start;
    }

    /** Runs {@code ops} as a fused kernel; {@code slots} counts the slots of the interpreter's ops. */
    private static Object[] run(TileOp[] ops, int slots, int n, Object[] inputs) {
        Object[] buffers = inputs.clone();
        for (int b = 4; b < 7; b++) {
            buffers[b] = new float[n];
        }
        int[] tiles = tiles(n);
        FusedKernel.Sink[] sinks = new FusedKernel.Sink[SINKS];
        for (int s = 0; s < SINKS; s++) {
            buffers[7 + s] = new float[1];
            sinks[s] = new FusedKernel.Sink(7 + s, 1, n, true, tiles.length - 1);
        }
        Scratch scratch = new Scratch(TEAM.size(), slots, TILE, 1);
        new FusedKernel(n, tiles, ops, sinks, 4 * TILE, TEAM, scratch).run(buffers);
        return buffers;
    }

    @Test
    void generatedLoopsGiveTheInterpretersBitsOnRandomChains() {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        Random r = new Random(20240611L);
        int generated = 0;
        for (int trial = 0; trial < 60; trial++) {
            TileOp[] ops = chain(r);
            int n = trial % 3 == 0 ? CodeGenerator.MIN_ELEMENTS + r.nextInt(40)
                : CodeGenerator.MIN_ELEMENTS + r.nextInt(3 * TILE);
            TileOp[] rewritten = CodeGenerator.rewrite(ops, n);
            if (rewritten != ops) {
                generated++;
            }
            Object[] in = buffers(r, n, trial % 2 == 1);
            assertSameOutputs(run(ops, ops.length, n, in), run(rewritten, ops.length, n, in),
                "trial " + trial + ", n=" + n, sources(rewritten));
        }
        assertTrue(generated > 40, "generated loops for " + generated + " of 60 chains");
    }

    @Test
    void everyElementwiseFormulaGivesTheInterpretersBitsOnSpecialValues() {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        List<TileOp> single = new ArrayList<>();
        for (int op : UNARY) {
            single.add(new TileOp.UnaryOp(op, op == Unary.POW_SCALAR ? 2f : -0.5f, 2f, new int[] {0}, 3));
        }
        for (int op : BINARY) {
            single.add(new TileOp.BinaryOp(op, new int[] {0, 1}, 3));
        }
        int n = TILE + 13;
        Random r = new Random(3);
        Object[] in = buffers(r, n, false);
        // Every pair of special values in x and y, with special and ordinary gradients.
        for (int b = 0; b < 3; b++) {
            float[] v = (float[]) in[b];
            for (int i = 0; i < v.length; i++) {
                int k = b == 0 ? i % SPECIAL.length : b == 1 ? (i / SPECIAL.length) % SPECIAL.length : i % 7;
                v[i] = i < SPECIAL.length * SPECIAL.length ? (b == 2 && k > 0 ? (float) r.nextGaussian() : SPECIAL[k])
                    : v[i];
            }
        }
        for (TileOp op : single) {
            TileOp[] ops = {new TileOp.Load(0, 0, 0), new TileOp.Load(1, 0, 1), new TileOp.Load(2, 0, 2), op,
                new TileOp.Store(4, 3)};
            assertTrue(LoopSource.supported(op), op + " has a generated formula");
            TileOp[] rewritten = CodeGenerator.rewrite(ops, n);
            float[] e = (float[]) run(ops, 4, n, in)[4];
            float[] g = (float[]) run(rewritten, 4, n, in)[4];
            for (int i = 0; i < n; i++) {
                if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(g[i])) {
                    assertEquals(e[i], g[i], op + " at x = " + ((float[]) in[0])[i] + ", y = " + ((float[]) in[1])[i]
                        + ", g = " + ((float[]) in[2])[i]);
                }
            }
        }
    }

    /** The stored results and the sums of two runs of a kernel, bit for bit. */
    private static void assertSameOutputs(Object[] expected, Object[] got, String context, List<String> sources) {
        for (int b = 4; b < 7 + SINKS; b++) {
            float[] e = (float[]) expected[b];
            float[] g = (float[]) got[b];
            for (int i = 0; i < e.length; i++) {
                if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(g[i])) {
                    assertEquals(e[i], g[i], context + ", output " + b + " at " + i + ":\n" + String.join("\n", sources));
                }
            }
        }
    }

    private static List<String> sources(TileOp[] ops) {
        List<String> out = new ArrayList<>();
        for (TileOp op : ops) {
            if (op instanceof GuardedTileProgram) {
                out.addAll(sources(((GuardedTileProgram) op).fast));
            } else if (op instanceof GeneratedLoop) {
                out.add(((GeneratedLoop) op).source);
            }
        }
        return out;
    }

    @Test
    void anOutOfRangeValueRedoesTheTileOnTheInterpretersPath() {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        TileOp[] ops = {new TileOp.Load(0, 0, 0), new TileOp.Exp(new int[] {0}, 1), new TileOp.Store(4, 1)};
        TileOp[] rewritten = CodeGenerator.rewrite(ops, 2100);
        assertTrue(rewritten[0] instanceof GuardedTileProgram, "an exp run is guarded: " + rewritten[0]);
        Object[] in = buffers(new Random(1), 2100, false);
        ((float[]) in[0])[37] = 100f; // exp(100) overflows: the exact scalar path gives +Infinity for the whole tile
        float[] got = (float[]) run(rewritten, 2, 2100, in)[4];
        float[] expected = (float[]) run(ops, 2, 2100, in)[4];
        assertEquals(Float.POSITIVE_INFINITY, got[37]);
        for (int i = 0; i < 2100; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), "at " + i);
        }
        // The interpreter's exact path on that tile: (float) Math.exp, not the polynomial.
        assertEquals((float) Math.exp(((float[]) in[0])[3]), got[3]);
        // The second tile (from 2048) stays on the generated fast path: the polynomial.
        assertEquals(BlockMath.expFast(((float[]) in[0])[2050]), got[2050]);
    }

    @Test
    void aLoopOfTwoVectorsAStepRedoesTheTileWhicheverHalfIsOutOfRange() {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        // One exp a loop: sixteen lanes a step with one range check for both halves, then eight,
        // then one by one. The second tile (2048 to 2108: 60 elements) runs all three loops.
        TileOp[] ops = {new TileOp.Load(0, 0, 0), new TileOp.Exp(new int[] {0}, 1), new TileOp.Store(4, 1)};
        int n = 2108;
        TileOp[] rewritten = CodeGenerator.rewrite(ops, n);
        assertTrue(String.join("\n", sources(rewritten)).contains("i += 16"), String.join("\n", sources(rewritten)));
        for (int bad : new int[] {37, 45, 2048 + 50, 2048 + 58}) { // first half, second half, the 8-lane loop, the tail
            Object[] in = buffers(new Random(bad), n, false);
            ((float[]) in[0])[bad] = 100f;
            float[] got = (float[]) run(rewritten, 2, n, in)[4];
            float[] expected = (float[]) run(ops, 2, n, in)[4];
            assertEquals(Float.POSITIVE_INFINITY, got[bad], "at " + bad);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), "bad at " + bad + ", at " + i);
            }
            int other = bad < 2048 ? 2050 : 3; // the tile without the bad value keeps the polynomial
            assertEquals(BlockMath.expFast(((float[]) in[0])[other]), got[other], "bad at " + bad);
            int same = bad < 2048 ? 3 : 2050; // the tile with it takes the exact path
            assertEquals((float) Math.exp(((float[]) in[0])[same]), got[same], "bad at " + bad);
        }
    }

    @Test
    void aLoopWithAnExpStoresWhatItMadeAndTouchesTheLaterLoadsOfItsTile() {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        // Dice's forward: a sigmoid, its value stored (for the backward), then sums with the targets.
        TileOp[] ops = {new TileOp.Load(0, 0, 0), new TileOp.Sigmoid(new int[] {0}, 1), new TileOp.Store(4, 1),
            new TileOp.Load(1, 1, 2), new TileOp.BinaryOp(Binary.MUL, new int[] {1, 2}, 3), new TileOp.SumPartial(0, 3),
            new TileOp.SumPartial(1, 2)};
        int n = 2108;
        TileOp[] rewritten = CodeGenerator.rewrite(ops, n);
        List<String> sources = sources(rewritten);
        assertEquals(2, sources.size(), String.join("\n", sources));
        // The store is written by the sigmoid's loop, which also reads the targets one element a
        // cache line ahead of the sum loop; the sum loop stores nothing.
        assertTrue(sources.get(0).contains(".intoArray(st") && sources.get(0).contains("touched += touch0["), sources.get(0));
        assertFalse(sources.get(1).contains(".intoArray(st") || sources.get(1).contains("touched"), sources.get(1));
        Object[] in = buffers(new Random(12), n, false);
        Object[] expected = run(ops, 4, n, in);
        Object[] got = run(rewritten, 4, n, in);
        assertSameOutputs(expected, got, "touching", sources);
        String old = System.setProperty(CodeGenerator.TOUCH_PROPERTY, "false");
        try {
            List<String> untouched = sources(CodeGenerator.rewrite(ops, n));
            assertFalse(String.join("\n", untouched).contains("touched"), String.join("\n", untouched));
        } finally {
            if (old == null) {
                System.clearProperty(CodeGenerator.TOUCH_PROPERTY);
            } else {
                System.setProperty(CodeGenerator.TOUCH_PROPERTY, old);
            }
        }
    }

    @Test
    void theSystemPropertyKeepsTheInterpretersOps() {
        TileOp[] ops = {new TileOp.Load(0, 0, 0), new TileOp.UnaryOp(Unary.NEG, 0f, 0f, new int[] {0}, 1),
            new TileOp.Store(4, 1)};
        withCodegenOff(() -> {
            assertFalse(CodeGenerator.enabled());
            assertSame(ops, CodeGenerator.rewrite(ops, 4096));
        });
    }

    @Test
    void tinyKernelsAndKernelsStoringWhatTheyReadStayInterpreted() {
        TileOp[] ops = {new TileOp.Load(0, 0, 0), new TileOp.UnaryOp(Unary.NEG, 0f, 0f, new int[] {0}, 1),
            new TileOp.Store(4, 1)};
        assertSame(ops, CodeGenerator.rewrite(ops, CodeGenerator.MIN_ELEMENTS - 1));
        TileOp[] inPlace = {new TileOp.Load(4, 0, 0), new TileOp.UnaryOp(Unary.NEG, 0f, 0f, new int[] {0}, 1),
            new TileOp.Store(4, 1)};
        assertSame(inPlace, CodeGenerator.rewrite(inPlace, 4096));
    }

    @Test
    void sourcesOfTheSameShapeShareOneCompiledClass() throws Throwable {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        TileOp[] a = {new TileOp.Load(0, 0, 0), new TileOp.UnaryOp(Unary.ADD_SCALAR, 3f, 0f, new int[] {0}, 1),
            new TileOp.Store(4, 1)};
        TileOp[] b = {new TileOp.Load(1, 2, 5), new TileOp.UnaryOp(Unary.ADD_SCALAR, -7f, 0f, new int[] {5}, 2),
            new TileOp.Store(6, 2)};
        GeneratedLoop first = (GeneratedLoop) CodeGenerator.rewrite(a, 4096)[0];
        int compiled = LoopClasses.compilations();
        GeneratedLoop second = (GeneratedLoop) CodeGenerator.rewrite(b, 4096)[0];
        assertEquals(compiled, LoopClasses.compilations(), "the second run of the same shape compiled again");
        assertSame(first.getClass(), second.getClass());
        assertTrue(first.source.contains("x") && first.source.contains("FloatVector"), first.source);
    }

    @Test
    void aRunLongerThanTheBytecodeLimitIsCutIntoLoopsUnderItWithTheSameBits() throws Throwable {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        // Within the op budgets (12 ops beside 2 sums), but the loop of all of them is longer than the limit set.
        List<TileOp> list = new ArrayList<>();
        for (int b = 0; b < 2; b++) {
            list.add(new TileOp.Load(b, 0, b));
        }
        for (int k = 2; k < 11; k++) {
            list.add(k % 2 == 0 ? new TileOp.BinaryOp(Binary.DIV, new int[] {k - 1, k - 2}, k)
                : new TileOp.BinaryOp(Binary.LE, new int[] {k - 1, k - 2}, k));
        }
        list.add(new TileOp.SumPartial(0, 10));
        list.add(new TileOp.SumPartial(1, 7));
        list.add(new TileOp.Store(4, 10));
        TileOp[] ops = list.toArray(new TileOp[0]);
        int[][] producer = new int[ops.length][];
        int[] writer = new int[11];
        boolean[] liveOut = new boolean[ops.length];
        for (int k = 0; k < ops.length; k++) {
            producer[k] = new int[ops[k].in.length];
            for (int j = 0; j < producer[k].length; j++) {
                producer[k][j] = writer[ops[k].in[j]];
            }
            if (ops[k].out >= 0) {
                writer[ops[k].out] = k;
            }
        }
        int whole = LoopClasses.runLength(new LoopSource(ops, producer, liveOut, 0, ops.length).source);
        int limit = 1000;
        assertTrue(whole > limit, "the uncut loop has " + whole + " bytes of bytecode");

        int n = 3 * TILE + 5;
        TileOp[] rewritten;
        try {
            System.setProperty(CodeGenerator.MAX_RUN_BYTES_PROPERTY, Integer.toString(limit));
            rewritten = CodeGenerator.rewrite(ops, n);
        } finally {
            System.clearProperty(CodeGenerator.MAX_RUN_BYTES_PROPERTY);
        }
        List<String> sources = sources(rewritten);
        assertTrue(sources.size() >= 2, "cut into " + sources.size() + " loops");
        for (String source : sources) {
            int length = LoopClasses.runLength(source);
            assertTrue(length <= limit, length + " bytes:\n" + source);
        }
        Object[] in = buffers(new Random(5), n, true);
        assertSameOutputs(run(ops, ops.length, n, in), run(rewritten, ops.length, n, in), "cut run", sources);
    }

    /** A dice-like loss with BCE, forward and backward, compiled with and without generated loops. */
    @Test
    void aProgramGivesTheSameBitsWithAndWithoutGeneratedLoopsAndListsTheirSource() {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", Tensor.randn(21, 2, 1, 60, 70));
        in.put("t", Tensor.uniform(22, 0f, 1f, 2, 1, 60, 70));
        Program p = Tracer.trace(v -> {
            Variable pr = v.get("x").sigmoid();
            Variable dice = pr.mul(v.get("t")).sum().mul(2f).div(pr.sum().add(v.get("t").sum()).add(1f)).rsub(1f);
            return dice.add(pr.binaryCrossEntropy(v.get("t")).mean());
        }, in, List.of("x", "t"), new ReferenceBackend());
        CompiledProgram generated = JavaProgramCompiler.compile(p, TEAM);
        Map<String, float[]> withLoops = new LinkedHashMap<>();
        generated.run(in).forEach((k, v) -> withLoops.put(k, v.toArray()));
        assertTrue(generated.listing().contains("generated loop {"), generated.listing());
        String source = generated.generatedSource();
        assertTrue(source.contains("BlockMath.LOG2E") && source.contains("BlockMath.LP0"), source); // exp and log written out

        withCodegenOff(() -> {
            CompiledProgram interpreted = JavaProgramCompiler.compile(p, TEAM);
            assertEquals("// no generated loops: generated loops are turned off (-Dtornagrad.compiled.codegen=false)\n",
                interpreted.generatedSource());
            assertFalse(interpreted.listing().contains("generated loop"), interpreted.listing());
            interpreted.run(in).forEach((k, v) -> {
                float[] e = v.toArray();
                float[] g = withLoops.get(k);
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(g[i]), k + " at " + i);
                }
            });
        });
    }

    @Test
    void theSmallestGeneratedKernelCanBeLoweredAndABadValueIsNamed() {
        assumeTrue(CodeGenerator.enabled(), "needs the vector module and a system Java compiler");
        TileOp[] ops = {new TileOp.Load(0, 0, 0), new TileOp.UnaryOp(Unary.NEG, 0f, 0f, new int[] {0}, 1),
            new TileOp.Store(4, 1)};
        try {
            System.setProperty(CodeGenerator.MIN_ELEMENTS_PROPERTY, "16");
            assertTrue(CodeGenerator.rewrite(ops, 16)[0] instanceof GeneratedLoop);
            assertSame(ops, CodeGenerator.rewrite(ops, 15));
            System.setProperty(CodeGenerator.MIN_ELEMENTS_PROPERTY, "0");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeGenerator.rewrite(ops, 16));
            assertTrue(e.getMessage().contains(CodeGenerator.MIN_ELEMENTS_PROPERTY) && e.getMessage().contains("'0'"),
                e.getMessage());
        } finally {
            System.clearProperty(CodeGenerator.MIN_ELEMENTS_PROPERTY);
        }
    }

    @Test
    void javacRejectingASourceIsAnExceptionNotAClass() {
        assumeTrue(LoopClasses.compilerAvailable(), "needs a system Java compiler");
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> LoopClasses.constructor("package org.tornagrad.compiler; final class Loop { int x = ; }"));
        assertTrue(e.getMessage().contains("javac failed"), e.getMessage());
    }

    /** Runs {@code body} with {@code -Dtornagrad.compiled.codegen=false}, then restores the property. */
    private static void withCodegenOff(Runnable body) {
        String before = System.getProperty(CodeGenerator.PROPERTY);
        System.setProperty(CodeGenerator.PROPERTY, "false");
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(CodeGenerator.PROPERTY);
            } else {
                System.setProperty(CodeGenerator.PROPERTY, before);
            }
        }
    }
}
