package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

/**
 * GradCheck must catch a backward that disagrees with the forward. Every rule of the library is
 * right (VariableOpsTest), so the wrong gradients here are made honestly from outside: detach()
 * hides a path from the analytic gradient that the numeric one still sees, and a kink inside the
 * finite-difference step makes the two disagree by construction.
 */
class GradCheckTest {
    private static final Tensor X = GradCheck.randomInput(1, 0.5f, 2f, 3, 4);

    @Test
    void passesWhenTheBackwardIsRight() {
        GradCheck.Result r = GradCheck.defaults().check(v -> v[0].mul(v[0]), X);
        assertTrue(r.passed, r.toString());
        assertTrue(r.worstError <= 1, "worst error within tolerance: " + r.worstError);
    }

    @Test
    void failsWhenDetachHidesHalfOfTheGradient() {
        // Forward x * x, but the analytic gradient only sees one factor: x instead of 2x.
        GradCheck.Result r = GradCheck.defaults().check(v -> v[0].mul(v[0].detach()), X);
        assertFalse(r.passed, r.toString());
        assertTrue(r.worstError > 1, "worst error beyond tolerance: " + r.worstError);
        assertTrue(r.toString().contains("FAILED") && r.worst.contains("input 0"), r.toString());
    }

    @Test
    void failsWhenOneOfTwoInputsIsCutFromTheGraph() {
        // d(x * y)/dy = x numerically, but detach leaves y with no analytic gradient at all.
        Tensor y = GradCheck.randomInput(2, 0.5f, 2f, 3, 4);
        GradCheck.Result r = GradCheck.defaults().check(v -> v[0].mul(v[1].detach()).add(v[1].mul(0f)), X, y);
        assertFalse(r.passed, r.toString());
        assertTrue(r.worst.contains("input 1"), "the mismatch is reported on the cut input: " + r.worst);
    }

    @Test
    void failsWhenTheWholeOutputIsCutFromTheGraph() {
        // No path from the input to the output requires a gradient: analytic 0, numeric 2x.
        GradCheck.Result r = GradCheck.defaults().check(v -> v[0].detach().square(), X);
        assertFalse(r.passed, r.toString());
        assertTrue(r.worst.contains("analytic 0.0"), r.worst);
    }

    @Test
    void failsAtAKinkInsideTheStep() {
        // relu at exactly 0: PyTorch's analytic gradient is 0, the central difference sees 1/2.
        Tensor zeros = Tensor.zeros(2, 2);
        GradCheck.Result r = GradCheck.defaults().check(v -> v[0].relu(), zeros);
        assertFalse(r.passed, r.toString());
    }

    @Test
    void aLooseEnoughToleranceAcceptsTheSameMismatch() {
        // The same detached function passes once the tolerance exceeds the error: the tolerance is what decides.
        GradCheck.Result r = GradCheck.defaults().withTolerance(10, 1).check(v -> v[0].mul(v[0].detach()), X);
        assertTrue(r.passed, r.toString());
    }

    private static String message(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void misuseIsRefusedByArgumentNotWithANullPointerException() {
        GradCheck g = GradCheck.defaults();
        Tensor x = Tensor.vector(1f, 2f);
        assertEquals("f: expected a function of the inputs, got null", message(() -> g.check(null, x)));
        assertEquals("inputs: expected at least one tensor, got none", message(() -> g.check(v -> v[0].sum())));
        assertEquals("inputs[1]: expected a tensor, got null", message(() -> g.check(v -> v[0].sum(), x, null)));
        assertEquals("f: expected a variable as its value, got null", message(() -> g.check(v -> null, x)));
        assertEquals("h: expected a finite relative step > 0, got 0.0", message(() -> g.withStep(0)));
        assertEquals("absolute, relative: expected finite tolerances >= 0, got NaN, 0.01",
            message(() -> g.withTolerance(Double.NaN, 1e-2)));
    }
}
