package org.tornagrad.losses;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/** Input checks shared by the losses; each message names the argument, the expected and the actual value. */
final class Checks {
    private Checks() {
    }

    /** Exactly the expected input names, each non-null. */
    static void requireInputs(String loss, List<String> expected, Map<String, ?> inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException(loss + " inputs: expected " + expected + ", got null");
        }
        for (String name : expected) {
            if (inputs.get(name) == null) {
                throw new IllegalArgumentException(loss + " inputs: expected " + expected + ", missing '" + name + "'");
            }
        }
        for (String name : inputs.keySet()) {
            if (!expected.contains(name)) {
                throw new IllegalArgumentException(loss + " inputs: expected " + expected + ", got unknown input '" + name + "'");
            }
        }
    }

    static void requireRank(String name, Tensor t, int rank, String layout) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(name + ": expected rank " + rank + " " + layout + ", got shape " + t.shape());
        }
    }

    static void requireMinRank(String name, Tensor t, int rank, String layout) {
        if (t.rank() < rank) {
            throw new IllegalArgumentException(name + ": expected rank >= " + rank + " " + layout + ", got shape " + t.shape());
        }
    }

    static void requireShape(String name, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(name + ": expected shape " + expected + ", got " + t.shape());
        }
    }

    static void requireNonEmpty(String name, Tensor t) {
        if (t.size() == 0) {
            throw new IllegalArgumentException(name + ": expected at least one element, got shape " + t.shape());
        }
    }

    /** No NaN or infinity: the position of the first one is named. */
    static void requireFinite(String name, Tensor t) {
        int i = t.firstNonFinite();
        if (i >= 0) {
            throw new IllegalArgumentException(name + ": expected finite values, got " + t.toArray()[i]
                + " at " + position(t.shape(), i));
        }
    }

    /**
     * The tensor's values for reading on the host, without a copy when it is contiguous (a check
     * of a 2M-pixel batch should not allocate 8 MB); the backend still hears of the read, so a
     * trace rejects it as {@link Tensor#toArray()} would.
     */
    static float[] values(Tensor t) {
        float[] b = t.bufferOrNull();
        if (b == null) {
            return t.toArray();
        }
        org.tornagrad.kernels.Backends.current().onHostRead(b);
        return b;
    }

    /** Every value in [lo, hi]. */
    static void requireRange(String name, Tensor t, float lo, float hi) {
        float[] d = values(t);
        for (int i = 0; i < d.length; i++) {
            if (!(d[i] >= lo && d[i] <= hi)) {
                throw new IllegalArgumentException(name + ": expected values in [" + lo + ", " + hi + "], got " + d[i]
                    + " at " + position(t.shape(), i));
            }
        }
    }

    /** Every value an integer (labels given as floats must be integral). */
    static void requireIntegral(String name, Tensor t) {
        float[] d = values(t);
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i])) {
                throw new IllegalArgumentException(name + ": expected integer labels, got " + d[i]
                    + " at " + position(t.shape(), i));
            }
        }
    }

    /**
     * A guard for {@link Loss#guard} from per-element violations (0 where a value is fine, > 0 or
     * NaN where not): sqrt(-Σ violations), which is -0 when all are fine and NaN otherwise.
     */
    static Variable guard(Variable violations) {
        return violations.sum().neg().sqrt();
    }

    /** Per-element violations of "finite": x - x, 0 for finite values and NaN otherwise. Detached. */
    static Variable nonFinite(Variable x) {
        Variable d = x.detach();
        return d.sub(d);
    }

    /**
     * Per-element violations of "in [0, 1]": relu(x (x - 1)), 0 inside, > 0 outside, NaN for NaN
     * (infinities are outside). Detached. Three ops where relu(x - 1) + relu(-x) takes five, with
     * no violation lost to rounding: inside, x >= 0 and x - 1 <= 0; above 1, x - 1 > 0 (exact up
     * to 2, by Sterbenz) and x > 1; below 0, |x - 1| > 1, so |x (x - 1)| >= |x| > 0.
     */
    static Variable outsideUnitInterval(Variable x) {
        Variable d = x.detach();
        return d.mul(d.sub(1f)).relu();
    }

    /** A backend check of "every value finite", for {@link Loss#guard}. */
    static Variable finiteGuard(Variable x) {
        return guard(nonFinite(x));
    }

    /** The index of flat position {@code i} in {@code shape}, as {@code [n, c, y, x]}. */
    static String position(Shape shape, int i) {
        return "index " + Arrays.toString(shape.unravel(i));
    }
}
