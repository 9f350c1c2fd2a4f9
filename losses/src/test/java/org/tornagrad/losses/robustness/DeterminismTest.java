package org.tornagrad.losses.robustness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tornagrad.compiler.WorkerTeam;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ParallelBackend;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.tensor.Tensor;

/**
 * The same inputs give the same bits: every loss (forward value and every gradient), on inputs
 * large enough that the multi-core backend splits its loops ({@link LossCases.Size#LARGE}), is
 * bit-identical on the sequential {@code java} backend and on the multi-core backend with 1, 2
 * and 8 threads, and across two runs of each. This holds by construction (chunk boundaries depend
 * only on the problem size; partial sums combine in block order), and this test is what keeps it.
 */
class DeterminismTest {
    private static final Map<String, Backend> BACKENDS = new LinkedHashMap<>();

    static {
        BACKENDS.put("java", Backends.get("java"));
        for (int threads : new int[] {1, 2, 8}) {
            BACKENDS.put("parallel(" + threads + ")", new ParallelBackend(threads));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyLossGivesTheSameBitsOnEveryThreadCountAndEveryRun() {
        return LossCases.all(LossCases.Size.LARGE).stream().map(c -> DynamicTest.dynamicTest(c.label(), () -> {
            Loss loss = c.create();
            LossCases.Result reference = null;
            String referenceName = null;
            for (Map.Entry<String, Backend> b : BACKENDS.entrySet()) {
                for (int run = 1; run <= 2; run++) {
                    LossCases.Result r;
                    try (Backends.Scope s = Backends.use(b.getValue())) {
                        r = LossCases.run(loss, c.inputs());
                    }
                    if (reference == null) {
                        reference = r;
                        referenceName = b.getKey() + " run 1";
                        continue;
                    }
                    LossCases.Result expected = reference;
                    String where = b.getKey() + " run " + run;
                    String against = referenceName;
                    assertTrue(expected.sameBits(r), () -> c.label() + ": " + where + " differs from " + against + ": "
                        + expected.firstDifference(r));
                }
            }
        }));
    }

    /**
     * The compiled path (CompiledLoss: traced, fused kernels on a worker team) is deterministic
     * too: teams of 1, 2 and 8 threads, two runs each, give the same bits for every loss.
     */
    @TestFactory
    Stream<DynamicTest> everyCompiledLossGivesTheSameBitsOnEveryTeamSizeAndEveryRun() {
        WorkerTeam[] teams = {new WorkerTeam(1), new WorkerTeam(2), new WorkerTeam(8)};
        return LossCases.all(LossCases.Size.LARGE).stream().map(c -> DynamicTest.dynamicTest(c.label(), () -> {
            Loss loss = c.create();
            Map<String, int[]> reference = null;
            for (WorkerTeam team : teams) {
                CompiledLoss compiled = CompiledLoss.of(loss, team);
                for (int run = 1; run <= 2; run++) {
                    Map<String, int[]> bits = new LinkedHashMap<>();
                    for (Map.Entry<String, Tensor> e : compiled.forwardBackward(c.inputs()).entrySet()) {
                        bits.put(e.getKey(), LossCases.bits(e.getValue()));
                    }
                    if (reference == null) {
                        reference = bits;
                        continue;
                    }
                    for (Map.Entry<String, int[]> e : reference.entrySet()) {
                        String where = "team of " + team.size() + " run " + run;
                        assertTrue(Arrays.equals(e.getValue(), bits.get(e.getKey())),
                            () -> c.label() + ": " + e.getKey() + " on a " + where + " differs from a team of 1");
                    }
                }
            }
        }));
    }
}
