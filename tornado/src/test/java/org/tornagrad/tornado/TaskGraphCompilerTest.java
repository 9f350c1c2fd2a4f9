package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.ProgramRunner;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.tensor.Tensor;

/**
 * Traced programs compiled into one task graph, against the same programs replayed on the Java
 * reference ({@link ProgramRunner}). The functions use the primitives the losses are built from
 * (sigmoid, BCE, sums and means, softmax, max_pool2d, slices, pads, gathers, matmul, norms), so
 * each kind of device task appears in a compiled graph; the losses themselves are in
 * {@code TornadoLossParityTest}.
 */
class TaskGraphCompilerTest {
    @BeforeAll
    static void device() {
        TornadoTests.assumeTornado();
    }

    static Tensor gaussian(long seed, float scale, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return Tensor.of(TornadoTests.gaussian(seed, n, scale), dims);
    }

    static Tensor mask(long seed, int... dims) {
        Tensor g = gaussian(seed, 1f, dims);
        float[] v = g.toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] > 0.3f ? 1f : 0f;
        }
        return Tensor.of(v, dims);
    }

    /** Dice plus mean BCE on sigmoid probabilities, as the seed's BCE-Dice loss computes them. */
    static Variable bceDice(Map<String, Variable> in) {
        Variable p = in.get("x").sigmoid();
        Variable t = in.get("t");
        Variable inter = p.mul(t).sum();
        Variable dice = inter.mul(2f).add(1f).div(p.sum().add(t.sum()).add(1f));
        return dice.rsub(1f).add(p.binaryCrossEntropy(t).mean());
    }

    /** Softmax over channels, boundaries by max pooling, per-(n, c) ratios: the boundary loss's primitives. */
    static Variable boundaryLike(Map<String, Variable> in) {
        Variable p = in.get("x").softmax(1);
        Variable t = in.get("t");
        Variable edge = p.rsub(1f).maxPool2d(3, 1, 1).sub(p.rsub(1f));
        Variable wide = edge.maxPool2d(5, 1, 2);
        Variable precision = edge.mul(t).sum(new int[] {2, 3}, false).div(edge.sum(new int[] {2, 3}, false).add(1e-7f));
        Variable recall = wide.mul(t).sum(new int[] {2, 3}, false).div(t.sum(new int[] {2, 3}, false).add(1e-7f));
        Variable f1 = precision.mul(recall).mul(2f).div(precision.add(recall).add(1e-7f));
        return f1.rsub(1f).mean();
    }

    /** Shifted slices, squares, abs and sqrt: the active contour loss's primitives. */
    static Variable contourLike(Map<String, Variable> in) {
        Variable y = in.get("x").sigmoid();
        Variable t = in.get("t");
        Variable dr = y.slice(2, 1, y.shape().dim(2), 1).sub(y.slice(2, 0, y.shape().dim(2) - 1, 1));
        Variable dc = y.slice(3, 1, y.shape().dim(3), 1).sub(y.slice(3, 0, y.shape().dim(3) - 1, 1));
        Variable r = dr.slice(2, 1, dr.shape().dim(2), 1).slice(3, 0, dr.shape().dim(3) - 2, 1).square();
        Variable c = dc.slice(2, 0, dc.shape().dim(2) - 2, 1).slice(3, 1, dc.shape().dim(3), 1).square();
        Variable length = r.add(c).abs().add(1e-8f).sqrt().mean();
        Variable inside = y.mul(t.sub(1f).square()).mean();
        Variable outside = y.rsub(1f).mul(t.square()).mean();
        return length.mul(10f).add(inside).add(outside);
    }

    /** Gathered rows, cosine similarity through norms and a batched matmul, a max over an axis: CCS's primitives. */
    static Variable ccsLike(Map<String, Variable> in) {
        Variable e = in.get("e");
        Variable rows = e.gatherRows(in.get("index"));
        Variable w = in.get("w");
        Variable cos = rows.matmul(w).div(rows.norm(1, true).mul(w.norm(0, true)));
        Variable best = cos.max(1, false);
        Variable padded = best.pad(0, 1, 2, 0.5f);
        return padded.neg().add(1f).mul(0.5f).mean().add(cos.logSoftmax(1).mean().neg());
    }

    static void assertMatches(String what, Map<String, Tensor> want, Map<String, Tensor> got) {
        assertEquals(want.keySet(), got.keySet(), what + ": outputs");
        for (String name : want.keySet()) {
            float[] w = want.get(name).toArray();
            float[] g = got.get(name).toArray();
            ParityTolerance.check(what + " " + name, w, g, name.equals("loss"));
        }
    }

    static Program trace(Function<Map<String, Variable>, Variable> f, Map<String, Tensor> inputs, List<String> diff) {
        return Tracer.trace(f, inputs, diff, new ReferenceBackend());
    }

    /** Compiles {@code f}, runs it on two batches and compares each with the Java replay. */
    static void compileAndCompare(String what, Function<Map<String, Variable>, Variable> f,
                                  Map<String, Tensor> batch1, Map<String, Tensor> batch2, List<String> diff) {
        Program p = trace(f, batch1, diff);
        ProgramRunner java = new ProgramRunner(p, new ReferenceBackend());
        try (CompiledTaskGraph compiled = TaskGraphCompiler.compile(p, false)) {
            assertTrue(compiled.taskCount() > 0);
            for (Map<String, Tensor> batch : List.of(batch1, batch2, batch1)) {
                Map<String, Tensor> want = copy(java.run(batch));
                Map<String, Tensor> got = copy(compiled.run(batch));
                assertMatches(what, want, got);
            }
        }
    }

    /** Outputs share the runner's buffers until its next run: keep copies. */
    static Map<String, Tensor> copy(Map<String, Tensor> outputs) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        outputs.forEach((k, v) -> out.put(k, Tensor.of(v.toArray(), v.shape().dims())));
        return out;
    }

    static Map<String, Tensor> xt(long seed, int... dims) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", gaussian(seed, 2f, dims));
        m.put("t", mask(seed + 1, dims));
        return m;
    }

    @Test
    void bceDiceCompiledMatchesTheJavaReplayOnSeveralBatches() {
        compileAndCompare("bce-dice", TaskGraphCompilerTest::bceDice, xt(31, 2, 1, 16, 16), xt(33, 2, 1, 16, 16),
            List.of("x"));
    }

    @Test
    void boundaryPrimitivesCompiled() {
        compileAndCompare("boundary-like", TaskGraphCompilerTest::boundaryLike, xt(35, 2, 3, 12, 10),
            xt(37, 2, 3, 12, 10), List.of("x"));
    }

    @Test
    void activeContourPrimitivesCompiled() {
        compileAndCompare("contour-like", TaskGraphCompilerTest::contourLike, xt(39, 2, 2, 9, 11),
            xt(41, 2, 2, 9, 11), List.of("x"));
    }

    @Test
    void ccsPrimitivesCompiled() {
        Map<String, Tensor> b1 = new LinkedHashMap<>();
        b1.put("e", gaussian(43, 1f, 10, 6));
        b1.put("index", Tensor.of(new float[] {3, 0, 9, 3, 7}, 5));
        b1.put("w", gaussian(44, 1f, 6, 4));
        Map<String, Tensor> b2 = new LinkedHashMap<>(b1);
        b2.put("e", gaussian(45, 1f, 10, 6));
        b2.put("index", Tensor.of(new float[] {1, 1, 2, 8, 0}, 5));
        compileAndCompare("ccs-like", TaskGraphCompilerTest::ccsLike, b1, b2, List.of("e", "w"));
    }

    @Test
    void aLargeBatchReducesCorrectlyInTheGraph() {
        // 2 x 1 x 512 x 512: the sums span 2^19 elements, far above the 8,192 where @Reduce breaks.
        compileAndCompare("bce-dice 512x512", TaskGraphCompilerTest::bceDice, xt(47, 2, 1, 512, 512),
            xt(49, 2, 1, 512, 512), List.of("x"));
    }

    @Test
    void theGeneratedOpenClIsAvailableForLearners() {
        Map<String, Tensor> in = xt(51, 1, 1, 4, 4);
        Program p = trace(TaskGraphCompilerTest::bceDice, in, List.of("x"));
        try (CompiledTaskGraph compiled = TaskGraphCompiler.compile(p, true)) {
            compiled.run(in);
            String source = compiled.kernelSource();
            int kernels = source.split("__kernel void", -1).length - 1;
            if (TornadoSupport.device().getTornadoVMBackend().name().equals("OPENCL")) {
                assertEquals(compiled.taskCount(), kernels, "one OpenCL kernel per task:\n" + source);
                assertTrue(source.contains("exp("), "sigmoid's exp is in the generated code");
            } else {
                assertTrue(!source.isBlank(), "the generated code");
            }
        }
    }

    @Test
    void residentExecutionRunsWithoutCopiesAfterARun() {
        Map<String, Tensor> in = xt(53, 1, 1, 8, 8);
        Program p = trace(TaskGraphCompilerTest::bceDice, in, List.of("x"));
        try (CompiledTaskGraph compiled = TaskGraphCompiler.compile(p, false)) {
            Map<String, Tensor> first = copy(compiled.run(in));
            compiled.executeResident();
            compiled.executeResident();
            // The normal plan still works, and gives the same answer after resident runs.
            assertMatches("after resident runs", first, copy(compiled.run(in)));
        }
    }

    @Test
    void wrongInputShapesAreRejectedBeforeTheDevice() {
        Map<String, Tensor> in = xt(55, 1, 1, 4, 4);
        Program p = trace(TaskGraphCompilerTest::bceDice, in, List.of("x"));
        try (CompiledTaskGraph compiled = TaskGraphCompiler.compile(p, false)) {
            try {
                compiled.run(xt(56, 1, 1, 4, 5));
                fail("expected an IllegalArgumentException for a wrong shape");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("x"), e.getMessage());
            }
        }
    }

    @Test
    void theBackendIsFoundByName() {
        assertTrue(Backends.names().contains("tornado"), "ServiceLoader finds the tornado backend: " + Backends.names());
        assertTrue(Backends.get("tornado").description().startsWith("TornadoVM "), Backends.get("tornado").description());
    }
}
