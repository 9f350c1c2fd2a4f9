package org.tornagrad.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.ProgramRunner;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.tensor.Tensor;

class JavaProgramCompilerTest {
    private static final WorkerTeam[] TEAMS = {new WorkerTeam(1), new WorkerTeam(2), new WorkerTeam(3)};

    private static Map<String, Tensor> inputs(Object... nameAndTensor) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndTensor.length; i += 2) {
            m.put((String) nameAndTensor[i], (Tensor) nameAndTensor[i + 1]);
        }
        return m;
    }

    private static Map<String, float[]> copy(Map<String, Tensor> out) {
        Map<String, float[]> c = new LinkedHashMap<>();
        out.forEach((k, v) -> c.put(k, v.toArray()));
        return c;
    }

    /**
     * Compiles the traced function and checks it against the unfused replay on the reference
     * backend (bit for bit when {@code rtol} is 0), and that every team size gives the same bits.
     */
    private static CompiledProgram check(Function<Map<String, Variable>, Variable> f, Map<String, Tensor> in,
                                         List<String> differentiated, double rtol) {
        Program p = Tracer.trace(f, in, differentiated, new ReferenceBackend());
        Map<String, float[]> expected = copy(new ProgramRunner(p, new ReferenceBackend()).run(in));
        Map<String, float[]> first = null;
        CompiledProgram last = null;
        for (WorkerTeam team : TEAMS) {
            CompiledProgram c = JavaProgramCompiler.compile(p, team);
            Map<String, float[]> got = copy(c.run(in));
            Map<String, float[]> again = copy(c.run(in));
            for (String k : expected.keySet()) {
                assertArrayEquals(got.get(k), again.get(k), k + ": a second run differs");
                if (first != null) {
                    assertArrayEquals(first.get(k), got.get(k), k + ": team of " + team.size() + " differs from 1");
                }
                float[] e = expected.get(k);
                float[] g = got.get(k);
                for (int i = 0; i < e.length; i++) {
                    if (rtol == 0) {
                        assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(g[i]),
                            k + "[" + i + "]: expected " + e[i] + ", got " + g[i] + "\n" + c.listing());
                    } else {
                        assertEquals(e[i], g[i], rtol * Math.abs(e[i]) + 1e-6,
                            k + "[" + i + "]\n" + c.listing());
                    }
                }
            }
            if (first == null) {
                first = got;
            }
            last = c;
        }
        return last;
    }

    @Test
    void elementwiseChainsAndShortRowSumsAreTheReferenceBits() {
        Map<String, Tensor> in = inputs("x", Tensor.randn(1, 6, 50), "y", Tensor.uniform(2, 0.5f, 2f, 6, 50));
        CompiledProgram c = check(v -> {
            Variable x = v.get("x");
            Variable y = v.get("y");
            Variable z = x.mul(y).add(3f).abs().sqrt().sub(x.square().div(y));
            return z.sum(1, false).mul(z.clamp(-1f, 1f).sum(1, false)).sum();
        }, in, List.of("x", "y"), 0);
        assertTrue(c.stepCount() < c.program().instructions().size(), c.listing());
    }

    @Test
    void broadcastsAxisSumsAndPermutesAreTheReferenceBits() {
        Map<String, Tensor> in = inputs("a", Tensor.randn(3, 4, 1, 5), "b", Tensor.randn(4, 1, 3, 5));
        check(v -> {
            Variable s = v.get("a").add(v.get("b")).mul(v.get("b"));
            return s.sum(new int[] {0, 2}, true).mul(s).permute(2, 0, 1).sum(0, false).relu().sum();
        }, in, List.of("a", "b"), 0);
    }

    @Test
    void poolingSlicesAndScattersAreTheReferenceBits() {
        Map<String, Tensor> in = inputs("y", Tensor.uniform(5, 0f, 1f, 2, 3, 9, 11));
        check(v -> {
            Variable y = v.get("y");
            Variable dr = y.slice(2, 1, 9, 1).sub(y.slice(2, 0, 8, 1)).slice(2, 1, 8, 1).slice(3, 0, 9, 1).square();
            Variable dc = y.slice(3, 1, 11, 1).sub(y.slice(3, 0, 10, 1)).slice(2, 0, 7, 1).slice(3, 1, 10, 1).square();
            Variable length = dr.add(dc).abs().add(1e-8f).sqrt().mean();
            Variable b = y.rsub(1f).maxPool2d(3, 1, 1).sub(y.rsub(1f)).maxPool2d(5, 1, 2);
            return length.mul(10f).add(b.mul(y).mean());
        }, in, List.of("y"), 0);
    }

    /** Pooling's winner on ties (the first in row-major order) and with NaN (the last NaN) decides where gradients go. */
    @Test
    void poolingWithTiesAndNaNRoutesGradientsAsTheReference() {
        float[] v = new float[2 * 3 * 12 * 13];
        java.util.Random r = new java.util.Random(9);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(3); // many ties
        }
        v[40] = Float.NaN;
        v[44] = Float.NaN;
        v[300] = Float.NaN;
        Map<String, Tensor> in = inputs("y", Tensor.of(v, 2, 3, 12, 13), "w", Tensor.randn(10, 2, 3, 12, 13));
        check(vars -> {
            Variable y = vars.get("y");
            Variable a = y.maxPool2d(3, 1, 1);
            Variable b = y.maxPool2d(5, 1, 2);
            Variable c = y.maxPool2d(3, 2, 1);
            return a.mul(vars.get("w")).sum().add(b.mul(vars.get("w")).sum()).add(c.sum());
        }, in, List.of("y"), 0);
    }

    /** Without a backward nothing reads the argmax: the values-only pooling keeps the same winner, -0 against +0 and NaN included. */
    @Test
    void poolingWhoseArgmaxNobodyReadsGivesTheReferenceValues() {
        float[] v = new float[2 * 3 * 12 * 29];
        java.util.Random r = new java.util.Random(10);
        for (int i = 0; i < v.length; i++) {
            int k = r.nextInt(4);
            v[i] = k == 0 ? -0f : k == 1 ? 0f : k - 2f; // ties, and signed zeros that tie
        }
        v[40] = Float.NaN;
        v[44] = Float.NaN;
        v[300] = Float.NaN;
        Map<String, Tensor> in = inputs("y", Tensor.of(v, 2, 3, 12, 29), "a", Tensor.randn(11, 2, 3, 12, 29),
            "b", Tensor.randn(12, 2, 3, 12, 29));
        // y is not differentiated, so no backward reads an argmax; the gradients towards a and b
        // are the pooled values themselves, element by element (signed zeros and NaN kept).
        CompiledProgram c = check(vars -> {
            Variable y = vars.get("y");
            return y.maxPool2d(3, 1, 1).mul(vars.get("a")).sum().add(y.maxPool2d(5, 1, 2).mul(vars.get("b")).sum());
        }, in, List.of("a", "b"), 0);
        assertTrue(c.listing().contains("max_pool2d"), c.listing());
    }

    /**
     * The backward's gradient is written over the forward's stored tanh (one array, no fresh
     * memory), as a dice gradient over its stored sigmoid; tanh, because the compiled path takes
     * it from the reference body (its sigmoid is the ~1 ulp vector polynomial).
     */
    @Test
    void aGradientWrittenOverAStoredValueIsTheReferenceBits() {
        Map<String, Tensor> in = inputs("x", Tensor.randn(31, 2, 1, 40, 50), "t", Tensor.uniform(32, 0f, 1f, 2, 1, 40, 50));
        CompiledProgram c = check(v -> {
            Variable p = v.get("x").tanh();
            Variable t = v.get("t");
            // Scaled so that the gradients are far above check's absolute floor of 1e-6.
            return p.mul(t).sum().mul(2f).div(p.sum().add(t.sum()).add(1f)).rsub(1f).mul(1000f);
        }, in, List.of("x"), 1e-5); // long sums: the reference adds in another (fixed) order
        assertTrue(c.listing().contains("is written over"), c.listing());
    }

    @Test
    void theFiniteCheckOfARangeCheckedValueIsZeroYetAnInfinityStillGivesNaN() {
        // x - x (Checks.nonFinite) next to a generated sigmoid of x becomes a zero op: x is not
        // kept for it. A tile with an infinite x fails the sigmoid's range check and is redone by
        // the interpreter's ops, whose x - x is NaN: the check still fires.
        Function<Map<String, Variable>, Variable> f = v -> {
            Variable x = v.get("x");
            Variable d = x.detach();
            return x.sigmoid().sum().add(d.sub(d).sum());
        };
        Map<String, Tensor> in = inputs("x", Tensor.randn(33, 2, 1, 40, 50));
        CompiledProgram c = check(f, in, List.of("x"), 1e-5);
        assertTrue(c.listing().contains("zero"), c.listing());
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
            float[] x = in.get("x").toArray();
            x[2345] = bad;
            Map<String, Tensor> badIn = inputs("x", Tensor.of(x, 2, 1, 40, 50));
            Program p = Tracer.trace(f, badIn, List.of(), new ReferenceBackend());
            for (WorkerTeam team : TEAMS) {
                for (Tensor out : JavaProgramCompiler.compile(p, team).run(badIn).values()) {
                    assertTrue(Float.isNaN(out.toArray()[0]), "x[2345] = " + bad + ": got " + out.toArray()[0]);
                }
            }
        }
    }

    @Test
    void aFiniteCheckOfAValueNoGeneratedLoopChecksStaysAFiniteCheck() {
        // relu(x) has no range check, and the sigmoid checks y, not x: a -infinity in x must still
        // make x - x NaN (relu(-inf) = 0 would not carry it).
        float[] x = Tensor.randn(35, 2, 1, 40, 50).toArray();
        x[1234] = Float.NEGATIVE_INFINITY;
        Map<String, Tensor> in = inputs("x", Tensor.of(x, 2, 1, 40, 50), "y", Tensor.randn(36, 2, 1, 40, 50));
        List<Function<Map<String, Variable>, Variable>> programs = List.of(
            v -> v.get("x").relu().sum().add(v.get("x").detach().sub(v.get("x").detach()).sum()),
            v -> v.get("y").sigmoid().sum().add(v.get("x").detach().sub(v.get("x").detach()).sum()));
        for (Function<Map<String, Variable>, Variable> f : programs) {
            Program p = Tracer.trace(f, in, List.of(), new ReferenceBackend());
            for (WorkerTeam team : TEAMS) {
                CompiledProgram c = JavaProgramCompiler.compile(p, team);
                for (Tensor out : c.run(in).values()) {
                    assertTrue(Float.isNaN(out.toArray()[0]), "got " + out.toArray()[0] + "\n" + c.listing());
                }
            }
        }
    }

    @Test
    void gathersNormsAndMatmulsAreTheReferenceBits() {
        Map<String, Tensor> in = inputs("e", Tensor.randn(7, 40, 16), "idx", Tensor.vector(3f, 0f, 39f, 3f, 17f),
            "w", Tensor.randn(8, 5, 16), "m", Tensor.randn(9, 16, 4));
        check(v -> {
            Variable rows = v.get("e").reshape(40, 16).gatherRows(v.get("idx"));
            Variable cos = rows.mul(v.get("w")).sum(1, false).div(rows.norm(1, false)).div(v.get("w").norm(1, false));
            Variable mm = v.get("e").reshape(40, 16).matmul(v.get("m")).tanh().sum();
            return cos.add(1f).div(2f).mean().add(mm);
        }, in, List.of("e"), 0);
    }

    @Test
    void softmaxSigmoidBceAndLongSumsAgreeWithinTheParityTolerance() {
        Map<String, Tensor> in = inputs("x", Tensor.randn(11, 4, 3, 40, 50), "t", Tensor.uniform(12, 0f, 1f, 4, 3, 40, 50));
        check(v -> {
            Variable x = v.get("x");
            Variable t = v.get("t");
            Variable p = x.sigmoid();
            Variable inter = p.mul(t).sum();
            Variable dice = inter.mul(2f).add(1f).div(p.sum().add(t.sum()).add(1f)).rsub(1f);
            Variable bce = p.binaryCrossEntropy(t).mean();
            Variable soft = x.softmax(1).mul(t).sum(new int[] {2, 3}, false).log().neg().mean();
            return dice.add(bce).add(soft).add(x.exp().mean());
        }, in, List.of("x"), 2e-5);
    }

    /** The compiled path's target is under 1 KB a call; the program itself allocates nothing (the
     * input checks of Tensor allocate a few small arrays). */
    @Test
    void aRunAllocatesAlmostNothingAfterWarmUp() {
        Map<String, Tensor> in = inputs("x", Tensor.randn(13, 4, 1, 64, 64), "t", Tensor.uniform(14, 0f, 1f, 4, 1, 64, 64));
        Program p = Tracer.trace(v -> {
            Variable pr = v.get("x").sigmoid();
            return pr.mul(v.get("t")).sum().div(pr.sum().add(v.get("t").sum()).add(1f));
        }, in, List.of("x"), new ReferenceBackend());
        CompiledProgram c = JavaProgramCompiler.compile(p, TEAMS[1]);
        Map<String, Tensor> first = c.run(in);
        // Until C2 has compiled the vector code, the interpreter allocates its vectors: warm up.
        for (int i = 0; i < 20_000; i++) {
            c.run(in);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Map<String, Tensor> out = null;
        for (int i = 0; i < 20; i++) {
            out = c.run(in);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertSame(first, out, "the same output map every run");
        assertTrue(allocated / 20 < 256, "20 runs allocated " + allocated + " bytes");
    }

    @Test
    void inputsOfAnotherShapeAreRejectedNamingTheInput() {
        Map<String, Tensor> in = inputs("x", Tensor.randn(1, 3, 4));
        CompiledProgram c = JavaProgramCompiler.compile(Tracer.trace(v -> v.get("x").square().sum(), in,
            List.of("x"), new ReferenceBackend()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> c.run(inputs("x", Tensor.randn(1, 4, 3))));
        assertTrue(e.getMessage().contains("x"), e.getMessage());
    }
}
