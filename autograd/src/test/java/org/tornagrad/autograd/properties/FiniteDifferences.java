package org.tornagrad.autograd.properties;

import java.util.function.Function;
import org.tornagrad.autograd.GradCheck;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * Central finite differences of {@code L = sum(r * f(inputs))} (r a fixed random projection),
 * built on {@link GradCheck#projectedValue} with one addition: kinks.
 * Random compositions contain abs, relu, clamp, maximum, max and max_pool2d, whose derivative
 * jumps; where the one-sided differences on either side of an element disagree, or the central
 * differences with steps h and h/2 do, a kink lies within the step and that element is skipped
 * (and counted), so that the check neither fails on a kink nor silently checks nothing (callers
 * assert how many elements were compared).
 */
final class FiniteDifferences {
    /** Relative step for float32 evaluations (about the cube root of float32's epsilon). */
    static final double STEP = 1e-2;
    static final double ATOL = 2e-3;
    static final double RTOL = 2e-2;

    /** What the comparison found. */
    record Outcome(int compared, int skipped, String worst, boolean passed) {
    }

    private FiniteDifferences() {
    }

    static Outcome check(Function<Variable[], Variable> f, Tensor[] inputs, Tensor[] analytic, Tensor projection) {
        int compared = 0;
        int skipped = 0;
        boolean passed = true;
        String worst = "none";
        double worstRatio = -1;
        double base = GradCheck.projectedValue(f, inputs, -1, -1, 0f, projection);
        double scale = 1;
        for (Tensor a : analytic) {
            for (float v : a.toArray()) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int i = 0; i < inputs.length; i++) {
            float[] x = inputs[i].toArray();
            float[] a = analytic[i].toArray();
            for (int j = 0; j < x.length; j++) {
                float h = (float) (STEP * Math.max(1.0, Math.abs(x[j])));
                double[] at = new double[4];
                float[] points = {x[j] + h, x[j] - h, x[j] + h / 2, x[j] - h / 2};
                for (int k = 0; k < 4; k++) {
                    at[k] = GradCheck.projectedValue(f, inputs, i, j, points[k], projection);
                }
                double right = (at[0] - base) / ((double) points[0] - x[j]);
                double left = (base - at[1]) / ((double) x[j] - points[1]);
                double wide = (at[0] - at[1]) / ((double) points[0] - points[1]);
                double central = (at[2] - at[3]) / ((double) points[2] - points[3]);
                double allowed = ATOL * scale + RTOL * Math.abs(central);
                // Smooth: the one-sided differences differ by about h |f''| and the central ones at
                // h and h/2 by about h^2 |f'''|. A kink within h (a tie of max, relu at 0, a clamp
                // bound) makes one of them jump by the jump of the derivative: skip the element.
                if (Math.abs(right - left) > 4 * allowed || Math.abs(wide - central) > allowed / 2
                        || !Double.isFinite(central)) {
                    skipped++;
                    continue;
                }
                compared++;
                double error = Math.abs(a[j] - central);
                double ratio = error / allowed;
                if (!(error <= allowed)) {
                    passed = false;
                }
                if (ratio > worstRatio || Double.isNaN(ratio)) {
                    worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                    worst = "input " + i + " element " + j + " (x = " + x[j] + "): analytic " + a[j] + ", numeric "
                        + central + " (allowed " + allowed + ")";
                }
            }
        }
        return new Outcome(compared, skipped, worst, passed);
    }
}
