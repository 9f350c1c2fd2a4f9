package org.tornagrad.losses.parity;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.tornagrad.autograd.Variable;
import org.tornagrad.compiler.CpuProgramCompiler;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/**
 * Every loss at extreme inputs ({@link ExtremeValueCases}: logits from -1e4 to 1e4, targets at 0,
 * 1 and between, probabilities at and next to 0 and 1, CCS vectors from 1e-30 to 1e4 and 0)
 * against PyTorch (torch_reference.py, as the parity suite), on each backend:
 * <ul>
 *   <li>where PyTorch's loss and gradients are finite, Java's are too (no NaN, no infinity
 *       anywhere), and they agree with PyTorch at the parity suite's tolerances;</li>
 *   <li>where PyTorch raises, Java throws an IllegalArgumentException;</li>
 *   <li>where PyTorch returns NaN or infinity (a CCS embedding or classification vector of norm
 *       0, whose cosine is 0/0), Java throws an IllegalArgumentException that names the image
 *       and the anchor: documented in CcsLoss and docs/robustness.md.</li>
 * </ul>
 * A summary (cases, PyTorch's outcomes) is printed after the run.
 */
class ExtremeValuesParityTest {
    static final List<String> BACKENDS = List.of("java", "parallel", CpuProgramCompiler.NAME);
    private static final Map<String, Integer> OUTCOMES = new ConcurrentHashMap<>();
    /** One compiled loss per configuration: cases of the same shapes reuse its program. */
    private static final Map<String, CompiledLoss> COMPILED = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicNode> noNanOrInfinityWherePyTorchIsFiniteAndAClearErrorWhereItIsNot()
            throws IOException, InterruptedException {
        List<ParityCase> cases = ExtremeValueCases.all();
        Path target = TorchReference.moduleDir().resolve("target");
        Files.createDirectories(target);
        Path work = Files.createTempDirectory(target, "extreme-");
        TorchReference.Answers answers = TorchReference.run(cases, work);
        if (answers.unavailable() != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true and the extreme-value suite cannot run: " + answers.unavailable());
            }
            Assumptions.abort(answers.unavailable());
        }
        Map<String, List<ParityCase>> byLoss = new LinkedHashMap<>();
        for (ParityCase c : cases) {
            byLoss.computeIfAbsent(c.loss(), k -> new ArrayList<>()).add(c);
        }
        return byLoss.entrySet().stream().map(e -> dynamicContainer(e.getKey(), e.getValue().stream()
            .flatMap(c -> BACKENDS.stream().map(backend -> dynamicTest(c.label() + " [" + backend + "]",
                () -> check(c, backend, answers.byId().get(c.id())))))));
    }

    @AfterAll
    static void printSummary() {
        if (!OUTCOMES.isEmpty()) {
            System.out.println("Extreme values (case x backend): " + new java.util.TreeMap<>(OUTCOMES));
        }
    }

    private record Outcome(Tensor loss, Map<String, Tensor> gradients, IllegalArgumentException error) {
    }

    /**
     * The backend the case runs in: the named one, or for the compiler (no backend since the
     * compile seam) the parallel loops that the eager parts (trace, eager redo) ran on before.
     */
    static String eagerBackend(String backend) {
        return backend.equals(CpuProgramCompiler.NAME) ? "parallel" : backend;
    }

    private static void check(ParityCase c, String backend, TorchReference.Expected torch) {
        Outcome java;
        try (Backends.Scope scope = Backends.use(eagerBackend(backend))) {
            java = evaluate(c, backend);
        }
        if (torch.isError()) {
            count("pytorch raises");
            if (java.error() == null) {
                fail("PyTorch raised '" + torch.error() + "' but Java returned " + java.loss());
            }
            return;
        }
        boolean torchFinite = finite(torch.loss()) && torch.gradients().values().stream().allMatch(
            ExtremeValuesParityTest::finite);
        if (!torchFinite) {
            count("pytorch non-finite");
            // Only the zero-norm cosine of CCS makes PyTorch non-finite here; Java refuses it by name.
            if (java.error() == null) {
                fail("PyTorch gave a non-finite result (loss " + torch.loss() + ") and Java returned " + java.loss()
                    + " instead of an IllegalArgumentException");
            }
            String m = java.error().getMessage();
            if (!c.loss().equals("ccs") || !m.contains("norm 0") || !(m.contains("anchor") || m.matches(
                    "(?s).*embeddings\\[\\d+, \\d+\\].*"))) {
                fail("expected a message naming the image and anchor of a zero norm, got: " + m);
            }
            return;
        }
        count("pytorch finite");
        if (java.error() != null) {
            fail("PyTorch returned " + torch.loss() + " but Java threw: " + java.error().getMessage());
        }
        requireFinite("loss", java.loss());
        for (Map.Entry<String, Tensor> g : java.gradients().entrySet()) {
            requireFinite("gradient of " + g.getKey(), g.getValue());
        }
        compare("loss", java.loss(), torch.loss(), true);
        for (Map.Entry<String, Tensor> g : torch.gradients().entrySet()) {
            compare("gradient of " + g.getKey(), java.gradients().get(g.getKey()), g.getValue(), false);
        }
    }

    private static Outcome evaluate(ParityCase c, String backend) {
        try {
            Loss loss = Losses.create(c.loss(), c.options());
            if (backend.equals(CpuProgramCompiler.NAME)) {
                CompiledLoss compiled = COMPILED.computeIfAbsent(c.loss() + c.options(), k -> CompiledLoss.of(loss));
                Map<String, Tensor> out = compiled.forwardBackward(c.inputs());
                Map<String, Tensor> grads = new LinkedHashMap<>();
                for (String name : loss.differentiated()) {
                    grads.put(name, copy(out.get("grad:" + name)));
                }
                return new Outcome(copy(out.get("loss")), grads, null);
            }
            Map<String, Variable> inputs = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> in : c.inputs().entrySet()) {
                inputs.put(in.getKey(), loss.differentiated().contains(in.getKey()) ? Variable.param(in.getValue())
                    : Variable.constant(in.getValue()));
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
            return new Outcome(value.data(), grads, null);
        } catch (IllegalArgumentException e) {
            return new Outcome(null, Map.of(), e);
        }
    }

    private static Tensor copy(Tensor t) {
        return Tensor.of(t.toArray(), t.shape().dims());
    }

    private static boolean finite(Tensor t) {
        return !t.hasNonFinite();
    }

    private static void requireFinite(String what, Tensor t) {
        int i = t.firstNonFinite();
        if (i >= 0) {
            fail(what + ": expected finite values where PyTorch's are finite, got " + t.toArray()[i] + " at element " + i);
        }
    }

    /**
     * The loss at the parity suite's tolerance (per element 1e-4 relative + 1e-6). Gradients within
     * 1e-3 of their largest value plus 1e-9, ten times the parity suite's 1e-4: at saturation the
     * float32 inputs of a gradient are ill-conditioned (at p = 1 - 4.5e-5 one ulp of p is 1.3e-3 of
     * 1 - p, and PyTorch's exp rounds differently from Java's), and a fully saturated softmax leaves
     * only rounding residues of about 1e-10, of either sign, in both.
     */
    static final double EXTREME_GRAD_RTOL = 1e-3;
    static final double EXTREME_GRAD_ATOL = 1e-9;

    private static void compare(String what, Tensor java, Tensor torch, boolean elementwise) {
        float[] a = java.toArray();
        float[] b = torch.toArray();
        if (a.length != b.length) {
            fail(what + ": expected " + b.length + " elements as PyTorch, got " + a.length);
        }
        double scale = 0;
        for (float v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs((double) a[i] - b[i]);
            double allowed = elementwise ? PyTorchParityTest.LOSS_RTOL * Math.abs(b[i]) + PyTorchParityTest.LOSS_ATOL
                : EXTREME_GRAD_RTOL * scale + EXTREME_GRAD_ATOL;
            if (!(diff <= allowed)) {
                fail(what + " element " + i + ": expected PyTorch's " + b[i] + " within " + allowed + ", got " + a[i]);
            }
        }
    }

    private static void count(String outcome) {
        OUTCOMES.merge(outcome, 1, Integer::sum);
    }
}
