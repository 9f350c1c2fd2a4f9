package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backends;
import org.tornagrad.compiler.ProgramCompilers;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/**
 * A loss compiled for the device ({@link CompiledLoss} over {@link TaskGraphCompiler}): one task
 * graph per shape, reused; resident runs; errors as eager; and the few launches fusion leaves.
 */
class CompiledLossOnTornadoTest {
    @BeforeAll
    static void device() {
        TornadoTests.assumeTornado();
    }

    static Map<String, Tensor> batch(long seed, int n) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("inputs", Tensor.of(TornadoTests.gaussian(seed, n * 64, 2f), n, 1, 8, 8));
        float[] t = TornadoTests.uniform(seed + 1, n * 64, 0f, 1f);
        for (int i = 0; i < t.length; i++) {
            t[i] = t[i] > 0.5f ? 1f : 0f;
        }
        m.put("targets", Tensor.of(t, n, 1, 8, 8));
        return m;
    }

    @SuppressWarnings("try")    // the scope is used for its side effect: choosing the backend
    static float javaLoss(Loss loss, Map<String, Tensor> in) {
        try (Backends.Scope s = Backends.use("java")) {
            Map<String, Variable> vars = new LinkedHashMap<>();
            in.forEach((k, v) -> vars.put(k, Variable.constant(v)));
            return loss.compute(vars).data().item();
        }
    }

    @Test
    void oneTaskGraphPerShapeReusedForEveryBatch() {
        Loss dice = Losses.create("dice");
        try (CompiledLoss compiled = CompiledLoss.of(dice, new TaskGraphCompiler())) {
            for (long seed : new long[] {61, 63, 65}) {
                Map<String, Tensor> in = batch(seed, 2);
                float want = javaLoss(dice, in);
                float got = compiled.forwardBackward(in).get("loss").item();
                ParityTolerance.check("dice seed " + seed, new float[] {want}, new float[] {got}, true);
            }
            assertEquals(1, compiled.compiledPrograms(), "three batches of one shape: one task graph");
            compiled.forwardBackward(batch(67, 3));
            assertEquals(2, compiled.compiledPrograms(), "a new shape: a new task graph");
            compiled.forward(batch(69, 3));
            assertEquals(3, compiled.compiledPrograms(), "value only: a graph without the backward");
        }
    }

    @Test
    void theCompilerIsFoundByName() {
        assertEquals(TaskGraphCompiler.class, ProgramCompilers.get(TaskGraphCompiler.NAME).getClass());
    }

    /**
     * Device launches per forward and backward (the task count; a call of its own may take two):
     * the pixelwise losses are a few fused passes. Boundary (max-pools and their backward, which
     * stay calls) is not held to a count here.
     */
    @Test
    void fusedLossesTakeAFewLaunches() {
        Map<String, Integer> most = new LinkedHashMap<>();
        most.put("dice", 4);
        most.put("iou", 4);
        most.put("bce-dice", 5);
        most.put("focal", 5);
        for (Map.Entry<String, Integer> e : most.entrySet()) {
            Loss loss = Losses.create(e.getKey());
            Map<String, Tensor> prepared = loss.prepareUnchecked(batch(75, 2));
            try (CompiledTaskGraph graph = TaskGraphCompiler.compile(
                    CompiledLoss.trace(loss, prepared, true, new org.tornagrad.kernels.ReferenceBackend()), false)) {
                assertTrue(graph.taskCount() <= e.getValue(), () -> e.getKey() + ": expected at most " + e.getValue()
                    + " launches, got " + graph.taskCount() + ":\n" + graph.listing());
            }
        }
    }

    @Test
    void residentExecutionForBenchmarks() {
        try (CompiledLoss compiled = CompiledLoss.of(Losses.create("iou"), new TaskGraphCompiler())) {
            Runnable deviceOnly = compiled.rerunnable(batch(71, 2), true);
            deviceOnly.run();
            deviceOnly.run();
            assertEquals(1, compiled.compiledPrograms());
        }
    }

    @Test
    void badInputsThrowTheEagerPathsMessage() {
        Map<String, Tensor> in = batch(73, 1);
        float[] t = in.get("targets").toArray();
        t[3] = 1.5f;
        in.put("targets", Tensor.of(t, 1, 1, 8, 8));
        try (CompiledLoss compiled = CompiledLoss.of(Losses.create("dice"), new TaskGraphCompiler())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> compiled.forwardBackward(in));
            IllegalArgumentException eager = assertThrows(IllegalArgumentException.class,
                () -> javaLoss(Losses.create("dice"), in));
            assertEquals(eager.getMessage(), e.getMessage());
        }
    }
}
