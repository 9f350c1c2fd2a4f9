package org.tornagrad.losses.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.NoGrad;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.tensor.Tensor;

/**
 * Losses and the autograd engine used from several threads at once, each thread with its own
 * graphs: the seven losses (and two variants) run concurrently on 8 threads, sharing the
 * configured {@link Loss} objects, the input tensors and the multi-core backend's pool, on both
 * Java backends and on the compiled path (a {@link CompiledLoss} per thread, all sharing the
 * process-wide worker team), some threads inside a {@link NoGrad} scope while others
 * differentiate. Every result must equal, bit for bit, the one computed before on a single
 * thread.
 */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 10;

    private record Job(LossCases.Case c, Loss loss, String backend, boolean noGrad) {
    }

    private static final String COMPILED = "compiled";
    /** A CompiledLoss returns views of its own buffers, valid until its next call: one per thread. */
    private static final ThreadLocal<Map<Loss, CompiledLoss>> COMPILED_LOSSES =
        ThreadLocal.withInitial(java.util.IdentityHashMap::new);

    @Test
    void sevenLossesOnEightThreadsGiveTheSingleThreadedBits() throws Exception {
        List<LossCases.Case> cases = new ArrayList<>(LossCases.all(LossCases.Size.SMALL));
        // One large case too: there the shared multi-core pool gets tasks from several threads.
        cases.add(LossCases.all(LossCases.Size.LARGE).get(0));
        Map<String, Loss> losses = new LinkedHashMap<>();
        Map<String, LossCases.Result> expected = new LinkedHashMap<>();
        for (LossCases.Case c : cases) {
            Loss loss = c.create();
            losses.put(key(c), loss);
            try (Backends.Scope s = Backends.use("java")) {
                expected.put(key(c), LossCases.run(loss, c.inputs()));
            }
            expected.put(COMPILED + key(c), compiled(CompiledLoss.of(loss), c));
        }
        List<Job> jobs = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (LossCases.Case c : cases) {
                for (String backend : List.of("java", "parallel", COMPILED)) {
                    jobs.add(new Job(c, losses.get(key(c)), backend, round % 3 == 2));
                }
            }
        }
        Collections.shuffle(jobs, new Random(5));

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<Job> mine = new ArrayList<>();
                for (int j = t; j < jobs.size(); j += THREADS) {
                    mine.add(jobs.get(j));
                }
                futures.add(pool.submit((Callable<List<String>>) () -> {
                    start.await();   // all threads start together, to overlap as much as possible
                    List<String> failures = new ArrayList<>();
                    for (Job job : mine) {
                        String failure = runAndCompare(job, expected.get(
                            (job.backend().equals(COMPILED) ? COMPILED : "") + key(job.c())));
                        if (failure != null) {
                            failures.add(failure);
                        }
                    }
                    return failures;
                }));
            }
            List<String> failures = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                failures.addAll(f.get(5, TimeUnit.MINUTES));
            }
            assertEquals(List.of(), failures, "results that differ from the single-threaded ones");
        } finally {
            pool.shutdownNow();
        }
        assertTrue(jobs.size() >= THREADS * 10, "jobs: " + jobs.size());
    }

    private static String key(LossCases.Case c) {
        return c.label() + " " + c.inputs().values().iterator().next().shape();
    }

    /** The compiled path's loss and gradients, as bits (copied: the tensors are the program's buffers). */
    private static LossCases.Result compiled(CompiledLoss loss, LossCases.Case c) {
        Map<String, Tensor> out = loss.forwardBackward(c.inputs());
        Map<String, int[]> grads = new LinkedHashMap<>();
        for (String name : loss.loss().differentiated()) {
            grads.put(name, LossCases.bits(out.get("grad:" + name)));
        }
        return new LossCases.Result(LossCases.bits(out.get("loss")), grads);
    }

    /** Runs one job on this thread; null when its bits equal the expected ones, else what differs. */
    private static String runAndCompare(Job job, LossCases.Result expected) {
        if (job.backend().equals(COMPILED)) {
            try {
                CompiledLoss mine = COMPILED_LOSSES.get().computeIfAbsent(job.loss(), CompiledLoss::of);
                LossCases.Result r = compiled(mine, job.c());
                return r.sameBits(expected) ? null : job.c().label() + " [compiled]: " + expected.firstDifference(r);
            } catch (RuntimeException | AssertionError e) {
                return job.c().label() + " [compiled]: " + e;
            }
        }
        try (Backends.Scope s = Backends.use(job.backend())) {
            if (job.noGrad()) {
                // Forward only, inside this thread's no-grad scope: the value must not change, no
                // graph may be recorded, and other threads' graphs must not notice the scope.
                Map<String, Variable> vars = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : job.c().inputs().entrySet()) {
                    vars.put(e.getKey(), Variable.param(e.getValue()));
                }
                Variable value;
                try (NoGrad scope = NoGrad.enter()) {
                    value = job.loss().compute(vars);
                }
                assertFalse(value.requiresGrad(), "a value computed under NoGrad records no graph");
                int[] bits = LossCases.bits(value.data());
                return java.util.Arrays.equals(bits, expected.loss()) ? null
                    : job.c().label() + " [" + job.backend() + ", no-grad]: loss differs";
            }
            LossCases.Result r = LossCases.run(job.loss(), job.c().inputs());
            return r.sameBits(expected) ? null
                : job.c().label() + " [" + job.backend() + "]: " + expected.firstDifference(r);
        } catch (RuntimeException | AssertionError e) {
            return job.c().label() + " [" + job.backend() + "]: " + e;
        }
    }
}
