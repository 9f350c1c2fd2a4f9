package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.autograd.TestSupport.assertClose;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

/** The backward pass: accumulation, explicit gradients, retained and freed graphs, depth, no-grad, detach. */
class EngineTest {
    private static final Tensor X = Tensor.vector(1.5f, -2f, 0.5f, 0.25f);

    private static Tensor gradOf(Tensor input, UnaryOperator<Variable> scalarFunction) {
        Variable x = Variable.param(input);
        scalarFunction.apply(x).backward();
        return x.grad();
    }

    @Test
    void aValueUsedTwiceByOneOpGetsBothContributions() {
        // d sum(x * x) / dx = 2x: both inputs of mul are x.
        assertClose(Nd.of(X).map(v -> 2 * v), gradOf(X, x -> x.mul(x).sum()), 1e-6, 0, "d sum(x*x)/dx");
    }

    @Test
    void aValueUsedInTwoBranchesGetsTheSumOfBoth() {
        assertClose(Nd.of(X).map(v -> Math.exp(v) + 3), gradOf(X, x -> x.exp().add(x.mul(3f)).sum()), 1e-6, 0,
            "d sum(exp(x) + 3x)/dx");
        // An intermediate used by two branches (a diamond): u = x^2, L = sum(u*u + sigmoid(u)).
        Nd expected = Nd.of(X).map(v -> {
            double u = v * v;
            double s = Reference.sigmoid(u);
            return (2 * u + s * (1 - s)) * 2 * v;
        });
        assertClose(expected, gradOf(X, x -> { Variable u = x.square(); return u.mul(u).add(u.sigmoid()).sum(); }),
            1e-5, 1e-7, "d sum(u*u + sigmoid(u))/dx with u = x^2");
    }

    @Test
    void twoBackwardCallsAccumulateTheSumOfTwoSeparatePasses() {
        UnaryOperator<Variable> f1 = x -> x.exp().sum();
        UnaryOperator<Variable> f2 = x -> x.square().mul(3f).sum();
        Variable x = Variable.param(X);
        f1.apply(x).backward();
        f2.apply(x).backward();
        Tensor separateSum = gradOf(X, f1).add(gradOf(X, f2));
        assertArrayEquals(separateSum.toArray(), x.grad().toArray(), "accumulated = g1 + g2");
        assertClose(Nd.of(X).map(v -> Math.exp(v) + 6 * v), x.grad(), 1e-6, 0, "exp(x) + 6x");
    }

    @Test
    void backwardFromANonScalarTakesAnExplicitGradient() {
        Tensor xt = Tensor.uniform(3, -1f, 1f, 2, 3);
        Tensor g = Tensor.uniform(4, -1f, 1f, 2, 3);
        Variable x = Variable.param(xt);
        x.square().backward(g);
        assertClose(Nd.zip(Nd.of(xt), Nd.of(g), (a, b) -> 2 * a * b), x.grad(), 1e-6, 0, "g * 2x");

        Variable leaf = Variable.param(xt);
        leaf.backward(g);
        assertArrayEquals(g.toArray(), leaf.grad().toArray(), "backward from a leaf hands it the gradient");
    }

    @Test
    void backwardWithoutGradientOnANonScalarIsAnIllegalArgument() {
        Variable y = Variable.param(Tensor.zeros(2, 3)).mul(2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("one-element"), e.getMessage());
    }

    @Test
    void backwardWithAGradientOfTheWrongShapeIsAnIllegalArgument() {
        Variable y = Variable.param(Tensor.zeros(2, 3)).mul(2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().startsWith("gradient") && e.getMessage().contains("(2, 3)")
            && e.getMessage().contains("(3, 2)"), e.getMessage());
        IllegalArgumentException nullGrad = assertThrows(IllegalArgumentException.class, () -> y.backward(null));
        assertTrue(nullGrad.getMessage().startsWith("gradient"), nullGrad.getMessage());
    }

    @Test
    void backwardOnAVariableWithoutGradientIsAnIllegalState() {
        Variable c = Variable.constant(Tensor.vector(1f, 2f)).mul(2f).sum();
        assertFalse(c.requiresGrad());
        assertThrows(IllegalStateException.class, c::backward);
    }

    @Test
    void aSecondBackwardThroughAFreedGraphSaysToRetainIt() {
        Variable x = Variable.param(X);
        Variable loss = x.sigmoid().mul(x).sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("retain"), e.getMessage());
    }

    @Test
    void retainedGraphBacksUpTwiceAndAccumulates() {
        UnaryOperator<Variable> f = x -> x.sigmoid().mul(x).sum();
        Tensor once = gradOf(X, f);
        Variable x = Variable.param(X);
        Variable loss = f.apply(x);
        Tensor one = Tensor.scalar(1f);
        loss.backward(one, true);
        loss.backward(one, true);
        assertArrayEquals(once.add(once).toArray(), x.grad().toArray(), "two retained passes = twice one pass");
        // A last pass without retain still works, and frees the graph.
        loss.backward(one, false);
        assertArrayEquals(once.add(once).add(once).toArray(), x.grad().toArray(), "three passes");
        assertThrows(IllegalStateException.class, () -> loss.backward(one, false));
    }

    @Test
    void aGraphOneHundredThousandOpsDeepNeedsNoDeepStack() throws Exception {
        int depth = 100_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Tensor> grad = new AtomicReference<>();
        AtomicReference<String> dot = new AtomicReference<>();
        // A small stack (256 KiB): recursion 100,000 frames deep would overflow it.
        Thread t = new Thread(null, () -> {
            try {
                Variable x = Variable.param(Tensor.vector(3f, -1f));
                Variable y = x;
                for (int i = 0; i < depth; i++) {
                    y = i % 2 == 0 ? y.mul(2f) : y.mul(0.5f);
                }
                Variable loss = y.square().sum();
                dot.set(DotExporter.toDot(loss));
                loss.backward();
                grad.set(x.grad());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "deep-graph", 256 * 1024);
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError("deep graph failed: " + failure.get(), failure.get());
        }
        // Every factor pair is 2 * 0.5 = 1, exact in float, so L = sum(x^2) and dL/dx = 2x.
        assertClose(Nd.of(Tensor.vector(3f, -1f)).map(v -> 2 * v), grad.get(), 0, 0, "gradient through 100,000 ops");
        int ops = dot.get().split("shape=ellipse", -1).length - 1;
        assertEquals(depth + 2, ops, "the DOT export walked every op (mul x 100,000, square, sum)");
    }

    @Test
    void noGradScopesRecordNothingAndNest() {
        Variable x = Variable.param(X);
        assertFalse(NoGrad.isActive());
        try (NoGrad outer = NoGrad.enter()) {
            Variable y = x.mul(2f);
            assertFalse(y.requiresGrad(), "no graph under no-grad");
            assertTrue(y.isLeaf());
            try (NoGrad inner = NoGrad.enter()) {
                assertTrue(NoGrad.isActive());
            }
            assertTrue(NoGrad.isActive(), "closing the inner scope keeps the outer one");
            assertFalse(x.exp().requiresGrad());
        }
        assertFalse(NoGrad.isActive());
        assertTrue(x.mul(2f).requiresGrad(), "recording resumes after the scope");
    }

    @Test
    void closingANoGradScopeTwiceClosesItOnce() {
        try (NoGrad outer = NoGrad.enter()) {
            NoGrad inner = NoGrad.enter();
            inner.close();
            inner.close();
            assertTrue(NoGrad.isActive(), "a repeated close must not close the outer scope");
        }
        assertFalse(NoGrad.isActive());
    }

    @Test
    void noGradIsPerThread() throws Exception {
        Variable x = Variable.param(X);
        AtomicReference<Boolean> otherRecorded = new AtomicReference<>();
        try (NoGrad scope = NoGrad.enter()) {
            Thread t = new Thread(() -> otherRecorded.set(Variable.param(X).mul(2f).requiresGrad()));
            t.start();
            t.join();
        }
        assertEquals(Boolean.TRUE, otherRecorded.get(), "another thread keeps recording while this one is in no-grad");

        AtomicReference<Boolean> mainRecorded = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (NoGrad scope = NoGrad.enter()) {
                synchronized (mainRecorded) {
                    mainRecorded.set(Boolean.FALSE);
                    mainRecorded.notifyAll();
                    while (mainRecorded.get() == Boolean.FALSE) {
                        mainRecorded.wait();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        synchronized (mainRecorded) {
            while (mainRecorded.get() == null) {
                mainRecorded.wait();
            }
            // The other thread is inside its scope now.
            mainRecorded.set(x.mul(2f).requiresGrad());
            mainRecorded.notifyAll();
        }
        t.join();
        assertEquals(Boolean.TRUE, mainRecorded.get(), "this thread records while another is in no-grad");
    }

    @Test
    void detachCutsTheGraph() {
        Variable x = Variable.param(X);
        Variable d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertArrayEquals(X.toArray(), d.data().toArray(), "same values");
        // d sum(x * detach(x)) / dx = detach(x): only the first factor carries a gradient.
        x.mul(d).sum().backward();
        assertClose(Nd.of(X), x.grad(), 0, 0, "gradient through the attached factor only");
        assertNull(d.grad(), "the detached value gets no gradient");
    }

    @Test
    void constantsGetNoGradient() {
        Variable x = Variable.param(X);
        Variable c = Variable.constant(Tensor.vector(2f, 2f, 2f, 2f));
        x.mul(c).sum().backward();
        assertNull(c.grad());
        assertNotNull(x.grad());
    }

    @Test
    void zeroGradForgetsTheAccumulatedGradient() {
        UnaryOperator<Variable> f = x -> x.tanh().sum();
        Tensor once = gradOf(X, f);
        Variable x = Variable.param(X);
        f.apply(x).backward();
        f.apply(x).backward();
        x.zeroGrad();
        assertNull(x.grad());
        f.apply(x).backward();
        assertArrayEquals(once.toArray(), x.grad().toArray(), "after zeroGrad, one pass gives one pass's gradient");
    }
}
