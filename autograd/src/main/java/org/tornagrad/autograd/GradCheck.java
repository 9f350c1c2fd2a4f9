package org.tornagrad.autograd;

import java.util.function.Function;
import org.tornagrad.tensor.Tensor;

/**
 * Checks the backward rules of a function against central finite differences, as
 * {@code torch.autograd.gradcheck} does.
 *
 * <p>The function {@code f} is contracted with a fixed random projection {@code r} (the scalar
 * {@code L = sum(r * f(x))}) so that one backward pass gives the whole vector-Jacobian product.
 * For each input element, {@code (L(x + h) - L(x - h)) / 2h} is compared with the analytic
 * gradient. The engine computes in float32 (as the PyTorch code it mirrors does), so each
 * evaluation is rounded to float32; the differences, the projection and the comparison are done
 * in double, and the step {@code h} is chosen for float32 (about the cube root of its epsilon,
 * scaled by |x|), which bounds truncation and rounding errors together near 1e-4 relative.
 * Inputs should stay away from kinks (|x| at 0, ties of max) by more than {@code h}.
 */
public final class GradCheck {
    private final double step;
    private final double atol;
    private final double rtol;

    private GradCheck(double step, double atol, double rtol) {
        this.step = step;
        this.atol = atol;
        this.rtol = rtol;
    }

    /** The defaults: h = 1e-2 relative step, atol 1e-3, rtol 1e-2. */
    public static GradCheck defaults() {
        return new GradCheck(1e-2, 1e-3, 1e-2);
    }

    public GradCheck withStep(double h) {
        if (!(h > 0 && h < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("h: expected a finite relative step > 0, got " + h);
        }
        return new GradCheck(h, atol, rtol);
    }

    public GradCheck withTolerance(double absolute, double relative) {
        if (!(absolute >= 0 && absolute < Double.POSITIVE_INFINITY) || !(relative >= 0 && relative < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("absolute, relative: expected finite tolerances >= 0, got "
                + absolute + ", " + relative);
        }
        return new GradCheck(step, absolute, relative);
    }

    /** The worst mismatch found: where, analytic vs numeric. */
    public static final class Result {
        public final boolean passed;
        public final String worst;
        public final double worstError;

        Result(boolean passed, String worst, double worstError) {
            this.passed = passed;
            this.worst = worst;
            this.worstError = worstError;
        }

        @Override
        public String toString() {
            return (passed ? "gradcheck passed" : "gradcheck FAILED") + "; worst: " + worst;
        }
    }

    /**
     * Compares analytic and numeric gradients of {@code f} at {@code inputs}; every input is
     * differentiated.
     */
    public Result check(Function<Variable[], Variable> f, Tensor... inputs) {
        if (f == null) {
            throw new IllegalArgumentException("f: expected a function of the inputs, got null");
        }
        if (inputs == null || inputs.length == 0) {
            throw new IllegalArgumentException("inputs: expected at least one tensor, got none");
        }
        Variable[] params = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new IllegalArgumentException("inputs[" + i + "]: expected a tensor, got null");
            }
            params[i] = Variable.param(inputs[i]);
        }
        Variable out = f.apply(params);
        if (out == null) {
            throw new IllegalArgumentException("f: expected a variable as its value, got null");
        }
        Tensor projection = Tensor.uniform(1234, 0.5f, 1.5f, out.shape().dims());
        // An output cut from every input (detach, constants) has an analytic gradient of 0: compare
        // that with the numeric one instead of failing in backward().
        if (out.requiresGrad()) {
            out.backward(projection);
        }

        boolean passed = true;
        String worst = "none";
        double worstRatio = -1;
        for (int i = 0; i < inputs.length; i++) {
            float[] x = inputs[i].toArray();
            Tensor analytic = params[i].grad() == null ? Tensor.zeros(inputs[i].shape().dims()) : params[i].grad();
            float[] a = analytic.toArray();
            for (int j = 0; j < x.length; j++) {
                float h = (float) (step * Math.max(1.0, Math.abs(x[j])));
                double plus = projectedValue(f, inputs, i, j, x[j] + h, projection);
                double minus = projectedValue(f, inputs, i, j, x[j] - h, projection);
                double numeric = (plus - minus) / ((double) (x[j] + h) - (double) (x[j] - h));
                double error = Math.abs(a[j] - numeric);
                double allowed = atol + rtol * Math.abs(numeric);
                double ratio = error / allowed;
                if (!(error <= allowed)) {
                    passed = false;
                }
                if (ratio > worstRatio || Double.isNaN(ratio)) {
                    worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                    worst = "input " + i + " element " + j + ": analytic " + a[j] + ", numeric " + numeric;
                }
            }
        }
        return new Result(passed, worst, worstRatio);
    }

    /**
     * {@code L = sum(projection * f(inputs))} in double, with element {@code element} of input
     * {@code which} replaced by {@code value} (nothing replaced when {@code which < 0}); f runs
     * without recording a graph. The one evaluation every finite-difference check here is made of.
     */
    public static double projectedValue(Function<Variable[], Variable> f, Tensor[] inputs, int which, int element,
                                        float value, Tensor projection) {
        Variable[] args = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (i == which) {
                float[] d = t.toArray();
                d[element] = value;
                t = Tensor.of(d, t.shape().dims());
            }
            args[i] = Variable.constant(t);
        }
        float[] y;
        try (NoGrad scope = NoGrad.enter()) {
            y = f.apply(args).data().toArray();
        }
        float[] r = projection.toArray();
        double s = 0;
        for (int k = 0; k < y.length; k++) {
            s += (double) r[k] * y[k];
        }
        return s;
    }

    /** A random input of the given shape with values in [low, high), for checks. */
    public static Tensor randomInput(long seed, float low, float high, int... dims) {
        return Tensor.uniform(seed, low, high, dims);
    }

}
