package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tornagrad.losses.RegionLossBadInputTest.assertRejected;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tornagrad.autograd.GradCheck;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

class ActiveContourLossTest {

    /** LOSSES.md §5 as double loops over (b, c, i, j): an independent reference for the value. */
    static double reference(float[] yTrue, float[] yPred, int b, int c, int h, int w, double weight) {
        double length = 0;
        double in = 0;
        double out = 0;
        for (int plane = 0; plane < b * c; plane++) {
            int o = plane * h * w;
            // Window (i, j) for i in [0, H-2), j in [0, W-2): dr uses rows i+1/i+2 at column j,
            // dc uses columns j+1/j+2 at row i.
            for (int i = 0; i < h - 2; i++) {
                for (int j = 0; j < w - 2; j++) {
                    double dr = yPred[o + (i + 2) * w + j] - yPred[o + (i + 1) * w + j];
                    double dc = yPred[o + i * w + j + 2] - yPred[o + i * w + j + 1];
                    length += Math.sqrt(Math.abs(dr * dr + dc * dc) + 1e-8);
                }
            }
            for (int k = o; k < o + h * w; k++) {
                in += yPred[k] * (yTrue[k] - 1) * (yTrue[k] - 1);
                out += (1 - yPred[k]) * yTrue[k] * yTrue[k];
            }
        }
        int n = b * c * h * w;
        return weight * length / (b * c * (h - 2) * (w - 2)) + in / n + out / n;
    }

    @Test
    void valueMatchesTheDoubleLoopReference() {
        int[][] shapes = {{1, 1, 3, 3}, {2, 3, 5, 7}, {1, 2, 9, 4}};
        double[] weights = {10, 0, 2.5};
        for (int s = 0; s < shapes.length; s++) {
            int[] d = shapes[s];
            Tensor yTrue = Tensor.uniform(10 + s, 0f, 1f, d).lt(Tensor.scalar(0.5f));
            Tensor yPred = Tensor.uniform(20 + s, 0f, 1f, d);
            float actual = ActiveContourLoss.builder().weight(weights[s]).build()
                .compute(Variable.constant(yTrue), Variable.param(yPred)).data().item();
            double expected = reference(yTrue.toArray(), yPred.toArray(), d[0], d[1], d[2], d[3], weights[s]);
            assertEquals(expected, actual, 1e-5 * Math.abs(expected), "shape " + java.util.Arrays.toString(d));
        }
    }

    @Test
    void flatPredictionHasTheEpsilonLengthAndNoLengthGradient() {
        Tensor yTrue = Tensor.uniform(3, 0f, 1f, 1, 1, 4, 5).lt(Tensor.scalar(0.5f));
        Variable flat = Variable.param(Tensor.full(0.25f, 1, 1, 4, 5));
        Variable value = new ActiveContourLoss().compute(Variable.constant(yTrue), flat);
        value.backward();
        double expected = reference(yTrue.toArray(), flat.data().toArray(), 1, 1, 4, 5, 10);
        assertEquals(expected, value.data().item(), 1e-6);
        // Only the region terms pull: d/dy [y (t-1)^2 - y t^2] / n = ((t-1)^2 - t^2) / n.
        float[] t = yTrue.toArray();
        float[] g = flat.grad().toArray();
        for (int i = 0; i < t.length; i++) {
            assertEquals(((t[i] - 1) * (t[i] - 1) - t[i] * t[i]) / 20.0, g[i], 1e-7, "gradient " + i);
        }
    }

    @Test
    void gradientPassesGradCheck() {
        // sqrt(dr^2 + dc^2 + 1e-8) is the norm of the two differences, with a kink where both are
        // near 0; rows alternating around 0.2 and 0.8 keep every |dr| near 0.6, far from it.
        float[] pred = Tensor.uniform(32, -0.1f, 0.1f, 2, 2, 4, 5).toArray();
        for (int i = 0; i < pred.length; i++) {
            pred[i] += (i / 5) % 2 == 0 ? 0.2f : 0.8f;
        }
        Tensor yTrue = Tensor.uniform(31, 0f, 1f, 2, 2, 4, 5);
        for (double weight : new double[] {10, 0.5}) {
            ActiveContourLoss loss = ActiveContourLoss.builder().weight(weight).build();
            GradCheck.Result r = GradCheck.defaults()
                .check(v -> loss.compute(Variable.constant(yTrue), v[0]), Tensor.of(pred, 2, 2, 4, 5));
            assertTrue(r.passed, "weight " + weight + ": " + r);
        }
    }

    private static Executable compute(Tensor yTrue, Tensor yPred) {
        return () -> Losses.create("active-contour")
            .compute(Map.of("y_true", Variable.constant(yTrue), "y_pred", Variable.param(yPred)));
    }

    @Test
    void badInputsNameTheArgumentTheExpectedAndTheActual() {
        Tensor ok = Tensor.uniform(1, 0f, 1f, 1, 1, 4, 4);
        assertRejected(compute(Tensor.zeros(1, 1, 2, 5), Tensor.zeros(1, 1, 2, 5)), "y_pred", "H >= 3 and W >= 3", "(1, 1, 2, 5)");
        assertRejected(compute(Tensor.zeros(1, 1, 5, 2), Tensor.zeros(1, 1, 5, 2)), "y_pred", "H >= 3 and W >= 3", "(1, 1, 5, 2)");
        assertRejected(compute(Tensor.zeros(1, 4, 4), Tensor.zeros(1, 4, 4)), "y_pred", "rank >= 4", "(B, C, H, W)", "(1, 4, 4)");
        assertRejected(compute(Tensor.zeros(1, 1, 4, 5), ok), "y_true", "expected shape (1, 1, 4, 4)", "(1, 1, 4, 5)");
        assertRejected(compute(ok, with(ok, 3, Float.NaN)), "y_pred", "finite", "NaN", "index [0, 0, 0, 3]");
        assertRejected(compute(with(ok, 2, Float.POSITIVE_INFINITY), ok), "y_true", "finite", "Infinity");
        assertRejected(compute(ok, with(ok, 1, 1.5f)), "y_pred (probabilities)", "[0.0, 1.0]", "1.5");
        assertRejected(compute(with(ok, 1, -0.5f), ok), "y_true", "[0.0, 1.0]", "-0.5");
        assertRejected(compute(Tensor.zeros(0, 1, 4, 4), Tensor.zeros(0, 1, 4, 4)), "y_pred", "at least one element");
        assertRejected(() -> Losses.create("active-contour", Map.of("weight", "-1")), "active-contour option weight",
            ">= 0", "'-1'");
        assertRejected(() -> Losses.create("active-contour", Map.of("wieght", "1")), "wieght", "unknown option", "weight");
        assertRejected(() -> ActiveContourLoss.builder().weight(Double.NaN), "weight", ">= 0", "NaN");
        assertRejected(() -> Losses.create("active-contour").compute(Map.of("y_pred", Variable.param(ok))),
            "[y_true, y_pred]", "missing 'y_true'");
        assertRejected(() -> new ActiveContourLoss().compute(null, Variable.param(ok)), "y_true = null");
    }

    private static Tensor with(Tensor t, int index, float value) {
        float[] d = t.toArray();
        d[index] = value;
        return Tensor.of(d, t.shape().dims());
    }

    @Test
    void onlyYPredIsDifferentiated() {
        Loss loss = Losses.create("active-contour");
        assertEquals(java.util.List.of("y_true", "y_pred"), loss.inputNames());
        assertEquals(java.util.List.of("y_pred"), loss.differentiated());
        Variable yTrue = Variable.param(Tensor.uniform(5, 0f, 1f, 1, 1, 3, 3));
        Variable yPred = Variable.param(Tensor.uniform(6, 0f, 1f, 1, 1, 3, 3));
        loss.compute(Map.of("y_true", yTrue, "y_pred", yPred)).backward();
        assertEquals(null, yTrue.grad(), "the mask is read as a constant");
        assertArrayEquals(new int[] {1, 1, 3, 3}, yPred.grad().shape().dims());
    }
}
