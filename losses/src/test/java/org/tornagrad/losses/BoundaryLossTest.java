package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tornagrad.autograd.GradCheck;
import org.tornagrad.autograd.Variable;
import org.tornagrad.kernels.Backends;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

class BoundaryLossTest {

    // ---------------------------------------------------------------------------------------
    // An independent reference: the loss written as plain double loops from LOSSES.md §6.

    /** The (n, c) terms 1 - BF1 in double; labels (n, h, w) are clamped here. */
    static double[] termsInDouble(float[] pred, int n, int c, int h, int w, float[] labels, int theta0, int theta) {
        double[] terms = new double[n * c];
        int hw = h * w;
        for (int img = 0; img < n; img++) {
            double[][] p = new double[c][hw];
            for (int i = 0; i < hw; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, pred[(img * c + k) * hw + i]);
                }
                double total = 0;
                for (int k = 0; k < c; k++) {
                    p[k][i] = Math.exp(pred[(img * c + k) * hw + i] - max);
                    total += p[k][i];
                }
                for (int k = 0; k < c; k++) {
                    p[k][i] /= total;
                }
            }
            for (int k = 0; k < c; k++) {
                double[] notPred = new double[hw];
                double[] notGt = new double[hw];
                for (int i = 0; i < hw; i++) {
                    int label = (int) Math.max(0, Math.min(c - 1, labels[img * hw + i]));
                    notPred[i] = 1 - p[k][i];
                    notGt[i] = label == k ? 0 : 1;
                }
                double[] predB = minus(windowMax(notPred, h, w, theta0), notPred);
                double[] gtB = minus(windowMax(notGt, h, w, theta0), notGt);
                double[] predExt = windowMax(predB, h, w, theta);
                double[] gtExt = windowMax(gtB, h, w, theta);
                double pg = 0, pSum = 0, eg = 0, gSum = 0;
                for (int i = 0; i < hw; i++) {
                    pg += predB[i] * gtExt[i];
                    pSum += predB[i];
                    eg += predExt[i] * gtB[i];
                    gSum += gtB[i];
                }
                double precision = pg / (pSum + 1e-7);
                double recall = eg / (gSum + 1e-7);
                terms[img * c + k] = 1 - 2 * precision * recall / (precision + recall + 1e-7);
            }
        }
        return terms;
    }

    /** The maximum over the k x k window centred on each pixel, ignoring what lies outside. */
    private static double[] windowMax(double[] x, int h, int w, int k) {
        int r = k / 2;
        double[] out = new double[x.length];
        for (int y = 0; y < h; y++) {
            for (int z = 0; z < w; z++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
                    for (int zz = Math.max(0, z - r); zz <= Math.min(w - 1, z + r); zz++) {
                        m = Math.max(m, x[yy * w + zz]);
                    }
                }
                out[y * w + z] = m;
            }
        }
        return out;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------
    // Inputs

    static Tensor logits(long seed, int... dims) {
        return Tensor.randn(seed, dims).mul(2f);
    }

    /** Labels in [lo, hi] (as floats), in blobs so that the maps have real boundaries. */
    static Tensor labels(long seed, int lo, int hi, int n, int h, int w) {
        Random r = new Random(seed);
        float[] d = new float[n * h * w];
        for (int img = 0; img < n; img++) {
            int shift = r.nextInt(7);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int blob = (y / 2 + x / 3 + shift) % (hi - lo + 1);
                    d[(img * h + y) * w + x] = lo + (r.nextInt(6) == 0 ? r.nextInt(hi - lo + 1) : blob);
                }
            }
        }
        return Tensor.of(d, n, h, w);
    }

    static Variable run(BoundaryLoss loss, Variable pred, Tensor gt) {
        return loss.compute(Map.of("pred", pred, "gt", Variable.constant(gt)));
    }

    // ---------------------------------------------------------------------------------------
    // Values

    @Test
    void matchesTheDoubleReferenceForSeveralThetasAndClasses() {
        int[][] configs = {{3, 5, 3}, {1, 3, 2}, {5, 7, 4}, {3, 3, 1}};
        for (int[] cfg : configs) {
            int n = 2, c = cfg[2], h = 7, w = 9;
            Tensor pred = logits(cfg[0] * 10 + cfg[1], n, c, h, w);
            Tensor gt = labels(cfg[2], 0, c - 1, n, h, w);
            BoundaryLoss loss = BoundaryLoss.builder().theta0(cfg[0]).theta(cfg[1]).reduction(Reduction.NONE).build();
            float[] got = run(loss, Variable.constant(pred), gt).data().toArray();
            double[] expected = termsInDouble(pred.toArray(), n, c, h, w, gt.toArray(), cfg[0], cfg[1]);
            assertEquals(n * c, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected[i], got[i], 2e-5, "theta0 " + cfg[0] + " theta " + cfg[1] + " term " + i);
            }
        }
    }

    @Test
    void reductionsMeanSumAndNoneOfTheSameTerms() {
        Tensor pred = logits(3, 2, 3, 6, 6);
        Tensor gt = labels(4, 0, 2, 2, 6, 6);
        Variable none = run(BoundaryLoss.builder().reduction(Reduction.NONE).build(), Variable.constant(pred), gt);
        assertEquals(Shape.of(2, 3), none.shape());
        double total = 0;
        for (float v : none.data().toArray()) {
            total += v;
        }
        float sum = run(BoundaryLoss.builder().reduction(Reduction.SUM).build(), Variable.constant(pred), gt).data().item();
        float mean = run(BoundaryLoss.create(), Variable.constant(pred), gt).data().item();
        assertEquals(total, sum, 1e-5);
        assertEquals(total / 6, mean, 1e-6);
        assertEquals(Shape.scalar(), run(BoundaryLoss.create(), Variable.constant(pred), gt).shape());
    }

    @Test
    void labelsOutsideTheClassesAreClampedAsTheSeedDoes() {
        Tensor pred = logits(5, 2, 3, 5, 6);
        float[] raw = labels(6, -2, 5, 2, 5, 6).toArray();
        float[] clamped = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            clamped[i] = Math.max(0, Math.min(2, raw[i]));
        }
        assertTrue(min(raw) < 0 && max(raw) > 2, "the labels should leave [0, 2] on both sides");
        float a = run(BoundaryLoss.create(), Variable.constant(pred), Tensor.of(raw, 2, 5, 6)).data().item();
        float b = run(BoundaryLoss.create(), Variable.constant(pred), Tensor.of(clamped, 2, 5, 6)).data().item();
        assertEquals(b, a);
    }

    @Test
    void largerGtIsCroppedCentrallyAndAChannelDimensionIsSqueezed() {
        int n = 2, c = 3, h = 5, w = 6;
        Tensor pred = logits(7, n, c, h, w);
        Tensor big = labels(8, 0, 2, n, h + 4, w + 2);
        Tensor centre = big.slice(1, 2, 2 + h, 1).slice(2, 1, 1 + w, 1).contiguous();
        float cropped = run(BoundaryLoss.create(), Variable.constant(pred), big).data().item();
        float direct = run(BoundaryLoss.create(), Variable.constant(pred), centre).data().item();
        assertEquals(direct, cropped);
        float withChannel = run(BoundaryLoss.create(), Variable.constant(pred), centre.unsqueeze(1)).data().item();
        assertEquals(direct, withChannel);
        double expected = mean(termsInDouble(pred.toArray(), n, c, h, w, centre.toArray(), 3, 5));
        assertEquals(expected, direct, 2e-5);
    }

    @Test
    void aBatchOfOneWorksWhereTheSeedsSqueezeFails() {
        Tensor pred = logits(9, 1, 2, 4, 5);
        Tensor gt = labels(10, 0, 1, 1, 4, 5);
        float plain = run(BoundaryLoss.create(), Variable.constant(pred), gt).data().item();
        float channel = run(BoundaryLoss.create(), Variable.constant(pred), gt.unsqueeze(1)).data().item();
        assertEquals(plain, channel);
        assertEquals(mean(termsInDouble(pred.toArray(), 1, 2, 4, 5, gt.toArray(), 3, 5)), plain, 2e-5);
    }

    @Test
    void saturatedLogitsGiveFiniteValuesAndGradients() {
        float[] d = logits(11, 2, 3, 5, 5).toArray();
        for (int i = 0; i < d.length; i += 3) {
            d[i] = (i % 2 == 0 ? 1 : -1) * 200f;
        }
        Tensor pred = Tensor.of(d, 2, 3, 5, 5);
        Tensor gt = labels(12, 0, 2, 2, 5, 5);
        Variable x = Variable.param(pred);
        Variable value = run(BoundaryLoss.create(), x, gt);
        value.backward();
        assertTrue(Float.isFinite(value.data().item()));
        assertEquals(-1, x.grad().firstNonFinite());
        assertEquals(mean(termsInDouble(d, 2, 3, 5, 5, gt.toArray(), 3, 5)), value.data().item(), 2e-5);
    }

    // ---------------------------------------------------------------------------------------
    // Gradients and backends

    @Test
    void gradientsMatchFiniteDifferences() {
        int[][] configs = {{3, 5}, {1, 3}, {5, 7}};
        for (int[] cfg : configs) {
            Tensor gt = labels(20 + cfg[0], 0, 2, 2, 5, 6);
            BoundaryLoss loss = BoundaryLoss.builder().theta0(cfg[0]).theta(cfg[1]).reduction(Reduction.NONE).build();
            GradCheck.Result r = GradCheck.defaults().withStep(1e-3)
                .check(v -> run(loss, v[0], gt), logits(30 + cfg[1], 2, 3, 5, 6));
            assertTrue(r.passed, "theta0 " + cfg[0] + " theta " + cfg[1] + ": " + r);
        }
    }

    @Test
    void parallelBackendIsBitIdenticalToTheJavaBackend() {
        Tensor pred = logits(40, 4, 3, 33, 31);
        Tensor gt = labels(41, -1, 3, 4, 35, 33);
        float[][] java = valueAndGrad("java", pred, gt);
        float[][] parallel = valueAndGrad("parallel", pred, gt);
        assertArrayEquals(java[0], parallel[0]);
        assertArrayEquals(java[1], parallel[1]);
    }

    private static float[][] valueAndGrad(String backend, Tensor pred, Tensor gt) {
        try (Backends.Scope s = Backends.use(backend)) {
            Variable x = Variable.param(pred);
            Variable value = run(BoundaryLoss.builder().reduction(Reduction.NONE).build(), x, gt);
            value.backward(Tensor.uniform(1, 0.5f, 1.5f, value.shape().dims()));
            return new float[][] {value.data().toArray(), x.grad().toArray()};
        }
    }

    // ---------------------------------------------------------------------------------------
    // Options and bad input

    @Test
    void optionsFromTheRegistryEqualTheBuilder() {
        Loss fromRegistry = Losses.create("boundary", Map.of("theta0", "5", "theta", "7", "reduction", "sum"));
        BoundaryLoss b = (BoundaryLoss) fromRegistry;
        assertEquals(5, b.theta0());
        assertEquals(7, b.theta());
        assertEquals(Reduction.SUM, b.reduction());
        BoundaryLoss defaults = (BoundaryLoss) Losses.create("boundary");
        assertEquals(3, defaults.theta0());
        assertEquals(5, defaults.theta());
        assertEquals(Reduction.MEAN, defaults.reduction());
        assertEquals(java.util.List.of("pred", "gt"), defaults.inputNames());
        assertEquals(java.util.List.of("pred"), defaults.differentiated());
    }

    @Test
    void rejectsEvenOrNonPositiveThetasAndUnknownOptions() {
        assertMessage(() -> Losses.create("boundary", Map.of("theta0", "4")),
            "boundary option theta0: expected an odd integer >= 1", "got '4'");
        assertMessage(() -> BoundaryLoss.builder().theta(2),
            "boundary option theta: expected an odd integer >= 1", "got '2'");
        assertMessage(() -> Losses.create("boundary", Map.of("theta", "0")),
            "boundary option theta: expected an integer in [1, ", "got '0'");
        assertMessage(() -> Losses.create("boundary", Map.of("theta", "3.0")),
            "boundary option theta: expected an integer", "got '3.0'");
        assertMessage(() -> Losses.create("boundary", Map.of("reduction", "max")),
            "boundary option reduction: expected one of mean, sum, none", "got 'max'");
        assertMessage(() -> Losses.create("boundary", Map.of("smooth", "1")),
            "boundary option smooth: expected one of theta0, theta, reduction", "got unknown option 'smooth'");
    }

    @Test
    void rejectsBadPred() {
        Tensor gt = labels(1, 0, 1, 2, 4, 4);
        assertMessage(() -> run(BoundaryLoss.create(), Variable.constant(Tensor.zeros(2, 4, 4)), gt),
            "pred: expected rank 4 (N, C, H, W)", "got shape (2, 4, 4)");
        assertMessage(() -> run(BoundaryLoss.create(), Variable.constant(Tensor.zeros(2, 0, 4, 4)), gt),
            "pred: expected at least one element", "got shape (2, 0, 4, 4)");
        float[] d = new float[2 * 2 * 16];
        d[17] = Float.NaN;
        assertMessage(() -> run(BoundaryLoss.create(), Variable.constant(Tensor.of(d, 2, 2, 4, 4)), gt),
            "pred: expected finite values", "got NaN at index [0, 1, 0, 1]");
    }

    @Test
    void rejectsGtThatCannotBeCroppedToThePrediction() {
        Variable pred = Variable.constant(logits(1, 2, 2, 4, 5));
        String expected = "gt: expected shape (N, H, W) = (2, 4, 5) or (N, 1, H, W)";
        // odd difference: the seed's crop leaves it one row and column too large
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.zeros(2, 7, 8)), expected,
            "got (2, 7, 8), which crops to (2, 5, 6)");
        // larger in H only: the seed does not crop at all
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.zeros(2, 6, 5)), expected, "got (2, 6, 5)");
        // smaller
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.zeros(2, 3, 5)), expected, "got (2, 3, 5)");
        // wrong batch, wrong rank, more than one channel
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.zeros(3, 4, 5)),
            "gt: expected 2 images as in pred", "got shape (3, 4, 5)");
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.zeros(4, 5)), expected, "got (4, 5)");
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.zeros(2, 2, 4, 5)), expected, "got (2, 2, 4, 5)");
    }

    @Test
    void rejectsNonIntegralOrNonFiniteLabelsAndMissingInputs() {
        Variable pred = Variable.constant(logits(1, 1, 2, 3, 3));
        float[] d = new float[9];
        d[4] = 0.5f;
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.of(d, 1, 3, 3)),
            "gt: expected integer labels", "got 0.5 at index [0, 1, 1]");
        d[4] = Float.POSITIVE_INFINITY;
        assertMessage(() -> run(BoundaryLoss.create(), pred, Tensor.of(d, 1, 3, 3)),
            "gt: expected finite values", "got Infinity at index [0, 1, 1]");
        Map<String, Variable> missing = new HashMap<>();
        missing.put("pred", pred);
        assertMessage(() -> BoundaryLoss.create().compute(missing),
            "boundary inputs: expected [pred, gt]", "missing 'gt'");
    }

    static void assertMessage(Executable call, String start, String contains) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), "message: " + e.getMessage());
        assertTrue(e.getMessage().contains(contains), "message: " + e.getMessage());
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static float min(float[] v) {
        float m = Float.POSITIVE_INFINITY;
        for (float x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
