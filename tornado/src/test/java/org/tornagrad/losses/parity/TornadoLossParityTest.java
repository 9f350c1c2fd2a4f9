package org.tornagrad.losses.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;
import org.tornagrad.tornado.ParityTolerance;
import org.tornagrad.tornado.TaskGraphCompiler;
import org.tornagrad.tornado.TornadoBackend;
import org.tornagrad.tornado.TornadoTests;

/**
 * The seven losses on the TornadoVM backend against the Java backend, on the PyTorch parity
 * suite's cases and tolerances: eager (every op a device kernel) and compiled ({@link TaskGraphCompiler}:
 * the traced loss as one task graph). An error case must throw IllegalArgumentException on both.
 *
 * <p>It lives in the parity package to read {@link ParityCases} (from the losses test-jar).
 * Every case compiles its own kernels, which TornadoVM does slowly on PoCL, so by default the
 * first {@value #DEFAULT_PER_LOSS} value cases and {@value #DEFAULT_ERRORS_PER_LOSS} error cases of
 * each loss run; {@code -Dtornagrad.tornado.parity=all} runs them all, and
 * {@code -Dtornagrad.tornado.parity.paths=eager} (or {@code compiled}) only one path, and
 * {@code -Dtornagrad.tornado.parity.only=TEXT} only the cases whose id contains TEXT.
 */
class TornadoLossParityTest {
    static final int DEFAULT_PER_LOSS = 4;
    static final int DEFAULT_ERRORS_PER_LOSS = 2;
    static final Backend JAVA = new ReferenceBackend();
    static TornadoBackend tornado;

    /** The loss and the gradient of each differentiated input, or the IllegalArgumentException. */
    record Result(Tensor loss, Map<String, Tensor> gradients, IllegalArgumentException error) {
    }

    @TestFactory
    Stream<DynamicNode> everyLossOnTornadoMatchesJava() {
        TornadoTests.assumeTornado();
        tornado = new TornadoBackend();
        boolean all = "all".equals(System.getProperty("tornagrad.tornado.parity"));
        Map<String, List<ParityCase>> byLoss = new LinkedHashMap<>();
        Map<String, int[]> taken = new LinkedHashMap<>();
        String only = System.getProperty("tornagrad.tornado.parity.only", "");
        for (ParityCase c : ParityCases.all()) {
            if (!c.id().contains(only)) {
                continue;
            }
            List<ParityCase> list = byLoss.computeIfAbsent(c.loss(), k -> new ArrayList<>());
            // counts[0]: value cases, counts[1]: error cases ("error-..." labels) taken so far.
            int[] counts = taken.computeIfAbsent(c.loss(), k -> new int[2]);
            int kind = c.label().startsWith("error-") ? 1 : 0;
            if (all || counts[kind] < (kind == 0 ? DEFAULT_PER_LOSS : DEFAULT_ERRORS_PER_LOSS)) {
                list.add(c);
                counts[kind]++;
            }
        }
        String paths = System.getProperty("tornagrad.tornado.parity.paths", "eager,compiled");
        boolean eager = paths.contains("eager");
        boolean compiled = paths.contains("compiled");
        return byLoss.entrySet().stream().map(e -> dynamicContainer(e.getKey(), e.getValue().stream()
            .flatMap(c -> Stream.concat(
                eager ? Stream.of(dynamicTest(c.label() + " [eager]", () -> eager(c))) : Stream.empty(),
                compiled ? Stream.of(dynamicTest(c.label() + " [compiled]", () -> compiled(c))) : Stream.empty()))));
    }

    static Result evaluate(ParityCase c, Backend backend) {
        try (Backends.Scope scope = Backends.use(backend)) {
            Loss loss = Losses.create(c.loss(), c.options());
            Map<String, Variable> inputs = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> in : c.inputs().entrySet()) {
                boolean differentiated = loss.differentiated().contains(in.getKey());
                inputs.put(in.getKey(), differentiated ? Variable.param(in.getValue()) : Variable.constant(in.getValue()));
            }
            Variable value = loss.compute(inputs);
            if (value.requiresGrad()) {
                value.sum().backward();
            }
            Map<String, Tensor> grads = new LinkedHashMap<>();
            for (String name : loss.differentiated()) {
                Tensor g = inputs.get(name).grad();
                grads.put(name, g != null ? g : Tensor.zeros(inputs.get(name).shape().dims()));
            }
            return new Result(value.data(), grads, null);
        } catch (IllegalArgumentException e) {
            return new Result(null, Map.of(), e);
        }
    }

    static void compare(String what, Result java, Tensor loss, Map<String, Tensor> grads) {
        ParityTolerance.check(what + " loss", java.loss().toArray(), loss.toArray(), true);
        assertEquals(java.gradients().keySet(), grads.keySet(), what + ": differentiated inputs");
        for (String name : java.gradients().keySet()) {
            ParityTolerance.check(what + " grad " + name, java.gradients().get(name).toArray(), grads.get(name).toArray(),
                false);
        }
    }

    static void eager(ParityCase c) {
        Result java = evaluate(c, JAVA);
        Result device = evaluate(c, tornado);
        if (java.error() != null) {
            if (device.error() == null) {
                fail("Java threw '" + java.error().getMessage() + "' but tornado returned " + device.loss());
            }
            return;
        }
        if (device.error() != null) {
            fail("tornado threw '" + device.error().getMessage() + "' but Java returned " + java.loss());
        }
        compare(c.id() + " eager", java, device.loss(), device.gradients());
    }

    /** The compiled path: {@link CompiledLoss} over {@link TaskGraphCompiler} (prepare on the host, build traced into one task graph of fused kernels). */
    static void compiled(ParityCase c) {
        Result java = evaluate(c, JAVA);
        Loss loss;
        try {
            loss = Losses.create(c.loss(), c.options());
        } catch (IllegalArgumentException e) {
            // A bad option: no loss to compile, as on the eager path.
            if (java.error() == null) {
                fail("Losses.create threw '" + e.getMessage() + "' only for the compiled path");
            }
            return;
        }
        Map<String, Tensor> out;
        try (CompiledLoss compiled = CompiledLoss.of(loss, new TaskGraphCompiler())) {
            try {
                out = compiled.forwardBackward(c.inputs());
            } catch (IllegalArgumentException e) {
                if (java.error() == null) {
                    fail("tornado (compiled) threw '" + e.getMessage() + "' but Java returned " + java.loss());
                }
                return;
            }
            if (java.error() != null) {
                fail("Java threw '" + java.error().getMessage() + "' but tornado (compiled) returned " + out.get("loss"));
            }
            Map<String, Tensor> grads = new LinkedHashMap<>();
            for (String name : loss.differentiated()) {
                grads.put(name, out.get("grad:" + name));
            }
            compare(c.id() + " compiled", java, out.get("loss"), grads);
        }
    }
}
