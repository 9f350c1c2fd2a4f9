package org.tornagrad.losses.parity;

import static org.tornagrad.losses.parity.CaseData.cycle;
import static org.tornagrad.losses.parity.CaseData.labels;
import static org.tornagrad.losses.parity.CaseData.logits;
import static org.tornagrad.losses.parity.CaseData.mask;
import static org.tornagrad.losses.parity.CaseData.replaceSome;
import static org.tornagrad.losses.parity.CaseData.uniform;

import java.util.ArrayList;
import java.util.List;
import org.tornagrad.tensor.Tensor;

/**
 * Parity cases of dice, iou, bce-dice and focal: the same scenarios for each (modes, shapes,
 * saturated logits, target extremes, every shared option, error cases), each loss with its own
 * seeds, then each loss's own options (smoothing; focal's variants, alpha and gamma).
 */
final class RegionParityCases implements ParityCaseSource {
    private static final String[] LOSSES = {"dice", "iou", "bce-dice", "focal"};
    /** Logits at and around the saturation points of float32 sigmoid and of BCE's -100 clamp. */
    private static final float[] EDGE_LOGITS = {
        -200f, 200f, -100f, 100f, -50f, 50f, -30f, 30f, -17.5f, 17.5f, -16.7f, 16.7f, -10f, 10f, 0f
    };

    @Override
    public List<ParityCase> cases() {
        List<ParityCase> out = new ArrayList<>();
        for (int i = 0; i < LOSSES.length; i++) {
            String loss = LOSSES[i];
            long s = 1000L * (i + 1);
            out.addAll(binary(loss, s));
            out.addAll(multilabel(loss, s + 100));
            out.addAll(multiclass(loss, s + 200));
            out.addAll(errors(loss, s + 300));
            out.addAll(loss.equals("focal") ? focalOptions(s + 400) : smoothing(loss, s + 400));
        }
        return out;
    }

    private static ParityCase region(String loss, String label, Tensor inputs, Tensor targets) {
        return ParityCase.of(loss, label).input("inputs", inputs).input("targets", targets);
    }

    private static List<ParityCase> binary(String loss, long s) {
        List<ParityCase> out = new ArrayList<>();
        out.add(region(loss, "binary-seed-defaults", logits(s + 1, 2f, 2, 1, 7, 5), mask(s + 2, 0.4f, 2, 1, 7, 5)));
        // The usual pairing of a segmentation batch: logits (N, 1, H, W), mask (N, H, W).
        out.add(region(loss, "binary-mask-without-channel", logits(s + 27, 2f, 2, 1, 7, 5), mask(s + 28, 0.4f, 2, 7, 5)));
        out.add(region(loss, "binary-mask-without-channel-per-image", logits(s + 29, 2f, 3, 1, 4, 6),
            mask(s + 30, 0.5f, 3, 4, 6)).option("per_image", "true").option("reduction", "none"));
        out.add(region(loss, "binary-batch1-odd-3x7", logits(s + 3, 1.5f, 1, 1, 3, 7), mask(s + 4, 0.5f, 1, 1, 3, 7)));
        out.add(region(loss, "binary-rank1-13", logits(s + 5, 1f, 13), mask(s + 6, 0.5f, 13)));
        out.add(region(loss, "binary-saturated-uniform-200", uniform(s + 7, -200f, 200f, 2, 3, 5, 4),
            mask(s + 8, 0.5f, 2, 3, 5, 4)));
        out.add(region(loss, "binary-saturated-edges", cycle(EDGE_LOGITS, 3, 10), mask(s + 9, 0.5f, 3, 10)));
        out.add(region(loss, "binary-all-zero-targets", logits(s + 10, 3f, 2, 1, 6, 6), Tensor.zeros(2, 1, 6, 6)));
        out.add(region(loss, "binary-all-one-targets", logits(s + 11, 3f, 2, 1, 6, 6), Tensor.ones(2, 1, 6, 6)));
        out.add(region(loss, "binary-soft-targets", logits(s + 12, 2f, 2, 2, 5, 5), uniform(s + 13, 0f, 1f, 2, 2, 5, 5)));
        Tensor probabilities = replaceSome(replaceSome(uniform(s + 14, 0f, 1f, 2, 1, 5, 6), s + 15, 0.1f, 0f),
            s + 16, 0.1f, 1f);
        out.add(region(loss, "binary-probabilities-with-exact-0-and-1", probabilities, mask(s + 17, 0.5f, 2, 1, 5, 6))
            .option("from_logits", "false"));
        out.add(region(loss, "binary-per-image-none", logits(s + 18, 2f, 3, 1, 4, 5), mask(s + 19, 0.3f, 3, 1, 4, 5))
            .option("per_image", "true").option("reduction", "none"));
        out.add(region(loss, "binary-per-image-mean", logits(s + 20, 2f, 3, 2, 4, 4), mask(s + 21, 0.6f, 3, 2, 4, 4))
            .option("per_image", "true"));
        out.add(region(loss, "binary-sum", logits(s + 22, 2f, 2, 1, 5, 5), mask(s + 23, 0.5f, 2, 1, 5, 5))
            .option("reduction", "sum"));
        out.add(region(loss, "binary-ignore-minus-1", logits(s + 24, 2f, 2, 1, 6, 5),
            replaceSome(mask(s + 25, 0.5f, 2, 1, 6, 5), s + 26, 0.25f, -1f)).option("ignore_index", "-1"));
        return out;
    }

    private static List<ParityCase> multilabel(String loss, long s) {
        List<ParityCase> out = new ArrayList<>();
        out.add(region(loss, "multilabel", logits(s + 1, 2f, 2, 3, 4, 5), mask(s + 2, 0.4f, 2, 3, 4, 5))
            .option("mode", "multilabel"));
        out.add(region(loss, "multilabel-per-image-sum", logits(s + 3, 2f, 3, 2, 5, 3), mask(s + 4, 0.5f, 3, 2, 5, 3))
            .option("mode", "multilabel").option("per_image", "true").option("reduction", "sum"));
        // Class 1 is ignored everywhere (its group is empty and dropped), and a few other pixels too.
        float[] t = replaceSome(mask(s + 5, 0.5f, 2, 3, 4, 4), s + 6, 0.2f, 255f).toArray();
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 16; i++) {
                t[(n * 3 + 1) * 16 + i] = 255f;
            }
        }
        out.add(region(loss, "multilabel-ignore-255-empty-class", logits(s + 7, 2f, 2, 3, 4, 4), Tensor.of(t, 2, 3, 4, 4))
            .option("mode", "multilabel").option("ignore_index", "255"));
        out.add(region(loss, "multilabel-zero-weights-mean-is-0", logits(s + 8, 2f, 2, 3, 3, 3), mask(s + 9, 0.5f, 2, 3, 3, 3))
            .option("mode", "multilabel").option("class_weights", "0,0,0"));
        out.add(region(loss, "multilabel-soft-weights-none", logits(s + 10, 2f, 2, 3, 4, 3), uniform(s + 11, 0f, 1f, 2, 3, 4, 3))
            .option("mode", "multilabel").option("class_weights", "0.5,2,1").option("reduction", "none"));
        out.add(region(loss, "multilabel-no-background-classes", logits(s + 12, 2f, 2, 4, 3, 3), mask(s + 13, 0.5f, 2, 4, 3, 3))
            .option("mode", "multilabel").option("include_background", "false").option("classes", "0,2,3"));
        return out;
    }

    private static List<ParityCase> multiclass(String loss, long s) {
        List<ParityCase> out = new ArrayList<>();
        out.add(region(loss, "multiclass", logits(s + 1, 2f, 2, 4, 5, 3), labels(s + 2, 4, 2, 5, 3))
            .option("mode", "multiclass"));
        out.add(region(loss, "multiclass-rank2-6x3", logits(s + 3, 2f, 6, 3), labels(s + 4, 3, 6))
            .option("mode", "multiclass"));
        out.add(region(loss, "multiclass-batch1-5-channels", logits(s + 5, 2f, 1, 5, 3, 7), labels(s + 6, 5, 1, 3, 7))
            .option("mode", "multiclass"));
        out.add(region(loss, "multiclass-ignore-255-no-background-per-image", logits(s + 7, 2f, 3, 3, 4, 4),
            replaceSome(labels(s + 8, 3, 3, 4, 4), s + 9, 0.3f, 255f))
            .option("mode", "multiclass").option("ignore_index", "255").option("include_background", "false")
            .option("per_image", "true"));
        out.add(region(loss, "multiclass-classes-and-weights", logits(s + 10, 2f, 2, 4, 4, 4), labels(s + 11, 4, 2, 4, 4))
            .option("mode", "multiclass").option("classes", "1,3").option("class_weights", "1,2,0.5,3"));
        out.add(region(loss, "multiclass-classes-repeated", logits(s + 12, 2f, 2, 3, 3, 4), labels(s + 13, 3, 2, 3, 4))
            .option("mode", "multiclass").option("classes", "2,0,2"));
        out.add(region(loss, "multiclass-none", logits(s + 14, 2f, 2, 3, 4, 3), labels(s + 15, 3, 2, 4, 3))
            .option("mode", "multiclass").option("reduction", "none"));
        // Image 1 is entirely ignored: its row of the none output is 0 and it gets no gradient.
        float[] l = labels(s + 16, 3, 2, 3, 5).toArray();
        for (int i = 15; i < 30; i++) {
            l[i] = -100f;
        }
        out.add(region(loss, "multiclass-per-image-none-one-image-ignored", logits(s + 17, 2f, 2, 3, 3, 5), Tensor.of(l, 2, 3, 5))
            .option("mode", "multiclass").option("per_image", "true").option("reduction", "none")
            .option("ignore_index", "-100"));
        out.add(region(loss, "multiclass-all-ignored-mean-is-0", logits(s + 18, 2f, 2, 3, 2, 2), Tensor.full(7f, 2, 2, 2))
            .option("mode", "multiclass").option("ignore_index", "7"));
        out.add(region(loss, "multiclass-ignore-label-0", logits(s + 19, 2f, 2, 3, 4, 4), labels(s + 20, 3, 2, 4, 4))
            .option("mode", "multiclass").option("ignore_index", "0"));
        out.add(region(loss, "multiclass-saturated-uniform-200", uniform(s + 21, -200f, 200f, 2, 3, 4, 5),
            labels(s + 22, 3, 2, 4, 5)).option("mode", "multiclass"));
        out.add(region(loss, "multiclass-probabilities", uniform(s + 23, 0f, 1f, 2, 3, 4, 4), labels(s + 24, 3, 2, 4, 4))
            .option("mode", "multiclass").option("from_logits", "false"));
        out.add(region(loss, "multiclass-sum-per-image", logits(s + 25, 3f, 3, 2, 5, 5), labels(s + 26, 2, 3, 5, 5))
            .option("mode", "multiclass").option("reduction", "sum").option("per_image", "true"));
        return out;
    }

    /** Inputs PyTorch's reference rejects; Java must throw IllegalArgumentException. */
    private static List<ParityCase> errors(String loss, long s) {
        List<ParityCase> out = new ArrayList<>();
        float[] t = mask(s + 1, 0.5f, 2, 1, 3, 3).toArray();
        t[4] = 1.5f;
        out.add(region(loss, "error-target-1.5", logits(s + 2, 1f, 2, 1, 3, 3), Tensor.of(t, 2, 1, 3, 3)));
        float[] nan = mask(s + 3, 0.5f, 2, 1, 3, 3).toArray();
        nan[7] = Float.NaN;
        out.add(region(loss, "error-target-nan", logits(s + 4, 1f, 2, 1, 3, 3), Tensor.of(nan, 2, 1, 3, 3)));
        float[] l = labels(s + 5, 4, 2, 3, 3).toArray();
        l[3] = 4f;
        out.add(region(loss, "error-label-equal-to-C", logits(s + 6, 1f, 2, 4, 3, 3), Tensor.of(l, 2, 3, 3))
            .option("mode", "multiclass"));
        float[] frac = labels(s + 7, 4, 2, 3, 3).toArray();
        frac[5] = 1.5f;
        out.add(region(loss, "error-label-non-integral", logits(s + 8, 1f, 2, 4, 3, 3), Tensor.of(frac, 2, 3, 3))
            .option("mode", "multiclass"));
        float[] neg = labels(s + 9, 4, 2, 3, 3).toArray();
        neg[0] = -1f;
        out.add(region(loss, "error-label-negative", logits(s + 10, 1f, 2, 4, 3, 3), Tensor.of(neg, 2, 3, 3))
            .option("mode", "multiclass"));
        out.add(region(loss, "error-classes-in-binary-mode", logits(s + 11, 1f, 2, 1, 3, 3), mask(s + 12, 0.5f, 2, 1, 3, 3))
            .option("classes", "0"));
        out.add(region(loss, "error-class-weights-length", logits(s + 13, 1f, 2, 3, 3, 3), labels(s + 14, 3, 2, 3, 3))
            .option("mode", "multiclass").option("class_weights", "1,2"));
        out.add(region(loss, "error-class-out-of-range", logits(s + 15, 1f, 2, 3, 3, 3), mask(s + 16, 0.5f, 2, 3, 3, 3))
            .option("mode", "multilabel").option("classes", "1,3"));
        out.add(region(loss, "error-shape-mismatch", logits(s + 17, 1f, 2, 1, 3, 3), mask(s + 18, 0.5f, 2, 1, 3, 4)));
        out.add(region(loss, "error-binary-mask-transposed", logits(s + 29, 1f, 2, 1, 3, 4), mask(s + 30, 0.5f, 2, 4, 3)));
        out.add(region(loss, "error-multiclass-targets-with-channel", logits(s + 19, 1f, 2, 3, 3, 3), labels(s + 20, 3, 2, 1, 3, 3))
            .option("mode", "multiclass"));
        float[] p = uniform(s + 21, 0f, 1f, 2, 1, 3, 3).toArray();
        p[2] = 1.25f;
        out.add(region(loss, "error-probability-above-1", Tensor.of(p, 2, 1, 3, 3), mask(s + 22, 0.5f, 2, 1, 3, 3))
            .option("from_logits", "false"));
        out.add(region(loss, "error-multilabel-rank1", logits(s + 23, 1f, 5), mask(s + 24, 0.5f, 5))
            .option("mode", "multilabel"));
        out.add(region(loss, "error-unknown-option", logits(s + 25, 1f, 2, 1, 3, 3), mask(s + 26, 0.5f, 2, 1, 3, 3))
            .option("smoth", "1"));
        out.add(region(loss, "error-no-class-left", logits(s + 27, 1f, 2, 1, 3, 3), mask(s + 28, 0.5f, 2, 1, 3, 3))
            .option("mode", "multilabel").option("include_background", "false"));
        return out;
    }

    private static List<ParityCase> smoothing(String loss, long s) {
        List<ParityCase> out = new ArrayList<>();
        out.add(region(loss, "smooth-0-eps-1e-7", logits(s + 1, 2f, 2, 1, 5, 5), mask(s + 2, 0.4f, 2, 1, 5, 5))
            .option("smooth", "0").option("eps", "1e-7"));
        out.add(region(loss, "smooth-numerator-0-denominator-1e-5", logits(s + 3, 2f, 2, 3, 4, 4), mask(s + 4, 0.4f, 2, 3, 4, 4))
            .option("mode", "multilabel").option("smooth_numerator", "0").option("smooth_denominator", "1e-5"));
        out.add(region(loss, "smooth-2.5-numerator-override", logits(s + 5, 2f, 2, 1, 4, 6), mask(s + 6, 0.5f, 2, 1, 4, 6))
            .option("smooth", "2.5").option("smooth_numerator", "0.5"));
        out.add(region(loss, "eps-1000-floor-active", logits(s + 7, 2f, 2, 1, 4, 4), mask(s + 8, 0.5f, 2, 1, 4, 4))
            .option("eps", "1000"));
        // sum(p) = 2, sum(t) = 0, smooth 1: the denominator is exactly 3 = eps, a tie of clamp_min,
        // where PyTorch passes the gradient through.
        out.add(region(loss, "eps-tie-passes-gradient", Tensor.full(0.5f, 1, 1, 2, 2), Tensor.zeros(1, 1, 2, 2))
            .option("from_logits", "false").option("eps", "3"));
        out.add(region(loss, "smooth-0-eps-saturated-empty", Tensor.full(-200f, 2, 1, 3, 3), Tensor.zeros(2, 1, 3, 3))
            .option("smooth", "0").option("eps", "1e-7"));
        out.add(region(loss, "multiclass-smooth-0-eps-per-image", logits(s + 9, 2f, 2, 3, 4, 4), labels(s + 10, 3, 2, 4, 4))
            .option("mode", "multiclass").option("smooth", "0").option("eps", "1e-6").option("per_image", "true"));
        return out;
    }

    private static List<ParityCase> focalOptions(long s) {
        String loss = "focal";
        List<ParityCase> out = new ArrayList<>();
        out.add(region(loss, "per-element", logits(s + 1, 2f, 2, 1, 6, 5), mask(s + 2, 0.3f, 2, 1, 6, 5))
            .option("variant", "per-element"));
        out.add(region(loss, "per-element-alpha-0.25-soft", logits(s + 3, 2f, 2, 2, 4, 5), uniform(s + 4, 0f, 1f, 2, 2, 4, 5))
            .option("variant", "per-element").option("alpha", "0.25"));
        out.add(region(loss, "per-element-gamma-0", logits(s + 5, 2f, 2, 1, 4, 4), mask(s + 6, 0.5f, 2, 1, 4, 4))
            .option("variant", "per-element").option("gamma", "0"));
        out.add(region(loss, "per-element-gamma-0.5", logits(s + 7, 2f, 2, 1, 4, 4), mask(s + 8, 0.5f, 2, 1, 4, 4))
            .option("variant", "per-element").option("gamma", "0.5"));
        out.add(region(loss, "per-element-alpha-1", logits(s + 9, 2f, 2, 1, 4, 4), mask(s + 10, 0.5f, 2, 1, 4, 4))
            .option("variant", "per-element").option("alpha", "1"));
        out.add(region(loss, "per-element-saturated-uniform-200", uniform(s + 11, -200f, 200f, 2, 2, 5, 4),
            mask(s + 12, 0.5f, 2, 2, 5, 4)).option("variant", "per-element"));
        out.add(region(loss, "per-element-saturated-edges", cycle(EDGE_LOGITS, 3, 10), mask(s + 13, 0.5f, 3, 10))
            .option("variant", "per-element"));
        out.add(region(loss, "per-element-multiclass-ignore", logits(s + 14, 2f, 2, 3, 4, 4),
            replaceSome(labels(s + 15, 3, 2, 4, 4), s + 16, 0.25f, 255f))
            .option("variant", "per-element").option("mode", "multiclass").option("ignore_index", "255"));
        out.add(region(loss, "per-element-probabilities", uniform(s + 17, 0.01f, 0.99f, 2, 1, 4, 4), mask(s + 18, 0.5f, 2, 1, 4, 4))
            .option("variant", "per-element").option("from_logits", "false"));
        out.add(region(loss, "per-element-multilabel-none", logits(s + 19, 2f, 2, 3, 3, 3), mask(s + 20, 0.5f, 2, 3, 3, 3))
            .option("variant", "per-element").option("mode", "multilabel").option("reduction", "none"));
        out.add(region(loss, "seed-alpha-0-is-0", logits(s + 21, 2f, 2, 1, 4, 4), mask(s + 22, 0.5f, 2, 1, 4, 4))
            .option("alpha", "0"));
        out.add(region(loss, "seed-gamma-3.5-alpha-0.5", logits(s + 23, 2f, 2, 1, 4, 4), mask(s + 24, 0.5f, 2, 1, 4, 4))
            .option("gamma", "3.5").option("alpha", "0.5"));
        out.add(region(loss, "seed-multiclass-per-image", logits(s + 25, 2f, 2, 3, 4, 4), labels(s + 26, 3, 2, 4, 4))
            .option("mode", "multiclass").option("per_image", "true"));
        out.add(region(loss, "error-alpha-above-1", logits(s + 27, 1f, 2, 1, 3, 3), mask(s + 28, 0.5f, 2, 1, 3, 3))
            .option("alpha", "1.5"));
        out.add(region(loss, "error-negative-gamma", logits(s + 29, 1f, 2, 1, 3, 3), mask(s + 30, 0.5f, 2, 1, 3, 3))
            .option("gamma", "-1"));
        out.add(region(loss, "error-unknown-variant", logits(s + 31, 1f, 2, 1, 3, 3), mask(s + 32, 0.5f, 2, 1, 3, 3))
            .option("variant", "lin"));
        out.add(region(loss, "error-smooth-not-a-focal-option", logits(s + 33, 1f, 2, 1, 3, 3), mask(s + 34, 0.5f, 2, 1, 3, 3))
            .option("smooth", "1"));
        return out;
    }
}
