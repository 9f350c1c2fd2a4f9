package org.tornagrad.losses;

import org.tornagrad.autograd.Variable;

/**
 * IoU (Jaccard) loss (seed 000 §3): one minus the soft intersection over union.
 * <pre>
 *   p = sigmoid(inputs)            (softmax over dim 1 in multiclass mode; as given with fromLogits = false)
 *   per group:  I = Σ p·t,  U = Σ (p + t) - I
 *               l = 1 - (I + smoothNumerator) / max(U + smoothDenominator, eps)
 *   loss = reduction over the groups' terms (see {@link RegionLoss})
 * </pre>
 * Defaults are the seed's: binary mode (the whole batch one group), from logits, {@code smooth = 1}
 * for numerator and denominator, {@code eps = 0}, mean; the options are those of
 * docs/loss-options.md.
 *
 * <p>Departures from the seed: none with the defaults. A group whose elements are all ignored
 * is dropped, not scored; bad inputs are IllegalArgumentExceptions rather than NaN, and so is a
 * group with {@code U = 0} under {@code smoothDenominator = eps = 0} (0/0, NaN in PyTorch).
 *
 * <pre>{@code
 * IouLoss iou = IouLoss.builder().perImage(true).smooth(0).eps(1e-7).build();
 * Variable logits = Variable.param(x);                       // any shape
 * Variable loss = iou.compute(logits, Variable.constant(mask));    // mask: same shape, in [0, 1]
 * loss.backward();
 * }</pre>
 */
public final class IouLoss extends RegionLoss {
    public static final String NAME = "iou";

    private final Smoothing smoothing;

    private IouLoss(Builder b) {
        super(NAME, b);
        this.smoothing = b.smoothing();
    }

    /** The seed's IoU loss: binary mode, from logits, smooth 1, mean. */
    public IouLoss() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The loss configured by snake_case options (docs/loss-options.md). */
    public static IouLoss fromOptions(Options options) {
        return new Builder().read(options).build();
    }

    @Override
    Variable terms(RegionGroups g) {
        Variable p = g.probabilities();
        Variable intersection = g.sum(p.mul(g.targets()));
        Variable union = g.sum(p.add(g.targets())).sub(intersection);
        Variable denominator = g.ratioDenominator(NAME, "union sum(p + t) - sum(p t)", union, smoothing);
        return intersection.add(smoothing.numerator()).div(denominator).rsub(1f);
    }

    public float smoothNumerator() {
        return smoothing.numerator();
    }

    public float smoothDenominator() {
        return smoothing.denominator();
    }

    public float eps() {
        return smoothing.eps();
    }

    /** Options of {@link IouLoss}, with the seed's defaults. */
    public static final class Builder extends SmoothedBuilder<Builder> {
        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        public IouLoss build() {
            return new IouLoss(this);
        }
    }
}
