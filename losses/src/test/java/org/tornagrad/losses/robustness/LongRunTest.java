package org.tornagrad.losses.robustness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;

/**
 * Long runs keep memory flat: 10,000 forward+backward steps of each of the seven losses (small
 * inputs, {@link LossCases.Size#SMALL}, each step a new graph, as a training loop makes) leave the
 * heap retained after a full GC within {@link #BOUND_BYTES} of what it was after a warm-up. The
 * bound is small against what a leak would add: a graph of these losses holds several kilobytes
 * (saved tensors, nodes), so keeping even one object of 100 bytes per step would retain 1 MB.
 * Retained heap is read from {@link MemoryMXBean} after {@code System.gc()} (a full collection
 * on the JVMs this runs on), the smallest of three readings, so that a collection racing a
 * reading cannot inflate it.
 */
class LongRunTest {
    static final int STEPS = 10_000;
    static final int WARM_UP = 500;
    static final long BOUND_BYTES = 512 * 1024;

    @Test
    void tenThousandStepsOfEveryLossKeepTheRetainedHeapFlat() {
        List<String> report = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (Backends.Scope s = Backends.use("java")) {
            for (LossCases.Case c : sevenLosses()) {
                Loss loss = c.create();
                measure(c.label() + " eager", step -> LossCases.run(loss, c.inputs()), report, failures);
            }
        }
        print(report);
        assertTrue(failures.isEmpty(), () -> "retained heap grew beyond " + BOUND_BYTES + " bytes: " + failures);
        assertTrue(report.size() == 7, "expected the seven losses, measured " + report);
    }

    /** The same on the compiled path: one program per loss, re-run with new outputs each step. */
    @Test
    void tenThousandCompiledStepsOfEveryLossKeepTheRetainedHeapFlat() {
        List<String> report = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (LossCases.Case c : sevenLosses()) {
            CompiledLoss loss = CompiledLoss.of(c.create());
            measure(c.label() + " compiled", step -> loss.forwardBackward(c.inputs()), report, failures);
            assertTrue(loss.compiledPrograms() == 1, () -> c.label() + ": expected one program for one shape, got "
                + loss.compiledPrograms());
        }
        print(report);
        assertTrue(failures.isEmpty(), () -> "retained heap grew beyond " + BOUND_BYTES + " bytes: " + failures);
    }

    /** The seven losses with their default options. */
    private static List<LossCases.Case> sevenLosses() {
        return LossCases.all(LossCases.Size.SMALL).stream().filter(c -> c.label().equals(c.loss())).toList();
    }

    private static void print(List<String> report) {
        System.out.println("Retained heap after " + STEPS + " forward+backward steps (bound " + BOUND_BYTES
            + " bytes):\n  " + String.join("\n  ", report));
    }

    private static void measure(String label, Consumer<Integer> step, List<String> report, List<String> failures) {
        for (int i = 0; i < WARM_UP; i++) {
            step.accept(i);
        }
        long before = retainedHeap();
        long start = System.nanoTime();
        for (int i = 0; i < STEPS; i++) {
            step.accept(i);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long growth = retainedHeap() - before;
        String line = String.format("%-24s %+9d bytes (%+.1f per step), %.2f s", label, growth,
            (double) growth / STEPS, seconds);
        report.add(line);
        if (growth > BOUND_BYTES) {
            failures.add(line);
        }
    }

    /** Heap in use after a full collection: the smallest of three readings. */
    static long retainedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
