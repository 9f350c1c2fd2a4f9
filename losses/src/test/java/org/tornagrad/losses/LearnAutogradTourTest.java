package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.DotExporter;
import org.tornagrad.autograd.GradCheck;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/**
 * The code of docs/learn-autograd.md, block by block and verbatim (DocsCodeBlocksTest checks
 * that), with assertions computed independently: derivatives by hand in double, finite differences.
 */
class LearnAutogradTourTest {

    /** The function of the tour's step 1, (ab + a)^2, in double: for finite differences. */
    private static double f(double a, double b) {
        return (a * b + a) * (a * b + a);
    }

    @Test
    void step1AScalarGraphByHand() {
        // Tour, step 1
        double a = 2.0, b = -3.0;
        // forward, one named value per op
        double c = a * b;          // c = -6
        double d = c + a;          // d = -4
        double e = d * d;          // e = 16
        // backward: start from de/de = 1 and apply each op's rule in reverse order
        double gE = 1.0;
        double gD = gE * 2 * d;    // e = d*d    -> de/dd = 2d          = -8
        double gC = gD;            // d = c + a  -> dd/dc = 1
        double gA = gD;            //               dd/da = 1 (first path to a)
        gA += gC * b;              // c = a * b  -> dc/da = b (second path: gradients add up)
        double gB = gC * a;        //               dc/db = a
        System.out.println("e = " + e + ", de/da = " + gA + ", de/db = " + gB);   // e = 16.0, de/da = 16.0, de/db = -16.0

        assertEquals(16.0, e, 0);
        double h = 1e-6;
        assertEquals((f(a + h, b) - f(a - h, b)) / (2 * h), gA, 1e-6);
        assertEquals((f(a, b + h) - f(a, b - h)) / (2 * h), gB, 1e-6);
    }

    @Test
    void step2TheSameThroughVariable() {
        // Tour, step 2
        Variable a = Variable.param(Tensor.scalar(2f)).named("a");
        Variable b = Variable.param(Tensor.scalar(-3f)).named("b");
        Variable c = a.mul(b);
        Variable d = c.add(a);
        Variable e = d.mul(d).named("e");
        e.backward();
        System.out.println(e.data().item() + " " + a.grad().item() + " " + b.grad().item());   // 16.0 16.0 -16.0

        // By hand: e = (ab + a)^2, de/da = 2(ab + a)(b + 1), de/db = 2(ab + a) a.
        double ab = 2.0 * -3.0 + 2.0;
        assertEquals(ab * ab, e.data().item(), 0);
        assertEquals(2 * ab * (-3.0 + 1), a.grad().item(), 0);
        assertEquals(2 * ab * 2.0, b.grad().item(), 0);
    }

    @Test
    void step3TheGraphPrinted() {
        // Tour, step 3
        Variable x = Variable.param(Tensor.vector(1f, -2f, 3f)).named("x");
        Variable y = x.sigmoid().mul(x).sum().named("y");   // y = sum(x * sigmoid(x))
        String dot = DotExporter.toDot(y);
        System.out.println(dot);   // paste into any Graphviz viewer, or: dot -Tsvg

        assertTrue(dot.startsWith("digraph autograd {"), dot);
        for (String op : List.of("sigmoid", "mul", "sum", "x\\n", "y\\n")) {
            assertTrue(dot.contains(op), op + " missing from\n" + dot);
        }
    }

    @Test
    void step4TheBackwardRulesQuotedInTheTourAreTheSourcesLines() throws Exception {
        // The tour quotes Variable.java by line number: keep the quote and the lines together.
        List<String> lines = Files.readAllLines(
            Path.of("../autograd/src/main/java/org/tornagrad/autograd/Variable.java"), StandardCharsets.UTF_8);
        String tour = Files.readString(Path.of("../docs/learn-autograd.md"), StandardCharsets.UTF_8);
        for (int[] range : new int[][] {{172, 176}, {190, 190}, {265, 272}, {289, 289}}) {
            StringBuilder quoted = new StringBuilder();
            for (int i = range[0]; i <= range[1]; i++) {
                quoted.append(String.format("%4d  %s%n", i, lines.get(i - 1)));
            }
            assertTrue(tour.contains(quoted.toString().replace("\r", "")),
                "docs/learn-autograd.md should quote Variable.java lines " + range[0] + "-" + range[1] + " as:\n" + quoted);
        }
    }

    @Test
    void step5AGradientCheck() {
        // Tour, step 5
        // softplus(x) = log(1 + e^x), composed from primitives: its gradient is sigmoid(x).
        GradCheck.Result r = GradCheck.defaults().check(v -> v[0].exp().add(1f).log().sum(), Tensor.vector(-1.5f, 0.2f, 2f));
        System.out.println(r);   // gradcheck passed; worst: ...
        Variable x = Variable.param(Tensor.vector(-1.5f, 0.2f, 2f));
        x.exp().add(1f).log().sum().backward();
        System.out.println(x.grad());   // ≈ sigmoid(x) = [0.1824, 0.5498, 0.8808]

        assertTrue(r.passed, r.toString());
        float[] g = x.grad().toArray();
        double[] xs = {-1.5, 0.2, 2};
        for (int i = 0; i < 3; i++) {
            assertEquals(1 / (1 + Math.exp(-xs[i])), g[i], 1e-6);
        }
    }

    @Test
    void step6OneLoss() {
        // Tour, step 6
        Tensor logits = Tensor.of(new float[] {2f, -1f, 0.5f, -3f}, 1, 1, 2, 2);
        Tensor mask = Tensor.of(new float[] {1f, 0f, 1f, 0f}, 1, 1, 2, 2);
        Loss dice = Losses.create("dice");
        Variable x = Variable.param(logits).named("logits");
        Variable loss = dice.compute(Map.of("inputs", x, "targets", Variable.constant(mask)));
        loss.backward();
        System.out.println(loss.data().item() + "  " + x.grad());
        System.out.println(DotExporter.toDot(loss));   // the ops the loss is made of

        // By hand, in double: p = sigmoid(x); dice = 1 - (2 Σpt + 1) / (Σp + Σt + 1).
        double[] xs = {2, -1, 0.5, -3};
        double[] t = {1, 0, 1, 0};
        double[] p = new double[4];
        double inter = 0, sp = 0, st = 0;
        for (int i = 0; i < 4; i++) {
            p[i] = 1 / (1 + Math.exp(-xs[i]));
            inter += p[i] * t[i];
            sp += p[i];
            st += t[i];
        }
        double num = 2 * inter + 1, den = sp + st + 1;
        assertEquals(1 - num / den, loss.data().item(), 1e-6);
        float[] g = x.grad().toArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(-(2 * t[i] * den - num) / (den * den) * p[i] * (1 - p[i]), g[i], 1e-6);
        }
    }

    @Test
    void step7WhatCompilingChanges() {
        // Tour, step 7
        Tensor logits = Tensor.randn(0, 1, 1, 64, 64);
        Tensor mask = Tensor.uniform(1, 0f, 1f, 1, 1, 64, 64).gt(Tensor.scalar(0.5f));
        Map<String, Tensor> inputs = Map.of("inputs", logits, "targets", mask);
        Loss dice = Losses.create("dice");

        // 1. The trace: the loss's forward and backward, one kernel call per op, static shapes.
        Program traced = Tracer.trace(dice::build, dice.prepare(inputs), List.of("inputs"));
        System.out.println(traced.instructions().size() + " kernel calls");
        System.out.println(traced.listing());

        // 2. The compiled program: the same calls fused into a few passes over memory.
        CompiledLoss compiled = CompiledLoss.of(dice);
        System.out.println(compiled.listing(inputs, true));
        System.out.println(compiled.generatedSource(inputs, true));   // the generated Java loops
        Map<String, Tensor> out = compiled.forwardBackward(inputs);
        System.out.println(out.get("loss").item() + " " + out.get("grad:inputs").shape());

        // The compiled answer is the eager one to float rounding.
        Variable x = Variable.param(logits);
        Variable eager = dice.compute(Map.of("inputs", x, "targets", Variable.constant(mask)));
        eager.backward();
        assertEquals(eager.data().item(), out.get("loss").item(), 1e-6);
        assertTrue(out.get("grad:inputs").maxAbsDiff(x.grad()) < 1e-8);
        String listing = compiled.listing(inputs, true);
        long fused = listing.lines().filter(l -> l.contains("fused")).count();
        assertTrue(fused >= 1 && fused < traced.instructions().size(), listing);
        assertTrue(traced.instructions().size() > 10, traced.listing());
    }
}
