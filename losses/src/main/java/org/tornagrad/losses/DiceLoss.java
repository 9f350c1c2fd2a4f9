package org.tornagrad.losses;

import org.tornagrad.autograd.Variable;

/**
 * Dice loss (seed 000 §1): one minus the soft Dice coefficient of the probabilities and the
 * targets.
 * <pre>
 *   p = sigmoid(inputs)            (softmax over dim 1 in multiclass mode; as given with fromLogits = false)
 *   per group:  I = Σ p·t,  S = Σ p + Σ t
 *               l = 1 - (2·I + smoothNumerator) / max(S + smoothDenominator, eps)
 *   loss = reduction over the groups' terms (see {@link RegionLoss})
 * </pre>
 * Defaults are the seed's: binary mode (the whole batch flattened into one group), from logits,
 * {@code smooth = 1} for numerator and denominator, {@code eps = 0}, mean. With them the value and
 * the gradient are PyTorch's for the seed snippet. The options ({@code mode}, {@code ignoreIndex},
 * {@code includeBackground}, {@code classes}, {@code classWeights}, {@code perImage},
 * {@code reduction}, separate smoothing constants, {@code eps}) are those of
 * docs/loss-options.md; the seed has none of them.
 *
 * <p>Departures from the seed: none with the defaults. Beyond it, a group whose elements are all
 * ignored is dropped rather than scored {@code 1 - smooth/smooth = 0} (it would pull the mean
 * down for classes absent from the batch), and inputs are checked (finite, targets in [0, 1],
 * labels integral and in range) where the seed would compute NaN or index out of bounds; and
 * with {@code smoothDenominator = eps = 0} a group with {@code Σ p + Σ t = 0} (0/0, NaN in
 * PyTorch) is an IllegalArgumentException naming those options.
 *
 * <pre>{@code
 * DiceLoss dice = DiceLoss.builder().mode(RegionLoss.Mode.MULTICLASS).ignoreIndex(255).build();
 * Variable logits = Variable.param(x);                        // (N, C, H, W)
 * Variable loss = dice.compute(logits, Variable.constant(labels));   // labels (N, H, W)
 * loss.backward();                                            // logits.grad()
 * }</pre>
 */
public final class DiceLoss extends RegionLoss {
    public static final String NAME = "dice";

    private final Smoothing smoothing;

    private DiceLoss(Builder b) {
        super(NAME, b);
        this.smoothing = b.smoothing();
    }

    /** The seed's Dice loss: binary mode, from logits, smooth 1, mean. */
    public DiceLoss() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The loss configured by snake_case options (docs/loss-options.md); unknown keys are left to {@link Options#finish()}. */
    public static DiceLoss fromOptions(Options options) {
        return new Builder().read(options).build();
    }

    @Override
    Variable terms(RegionGroups groups) {
        return diceTerms(NAME, groups, smoothing);
    }

    /** {@code 1 - (2 I + smooth_numerator) / max(S + smooth_denominator, eps)} per group. */
    static Variable diceTerms(String loss, RegionGroups g, Smoothing s) {
        Variable p = g.probabilities();
        Variable intersection = g.sum(p.mul(g.targets()));
        Variable total = g.sum(p).add(g.sum(g.targets()));
        Variable denominator = g.ratioDenominator(loss, "sum(p) + sum(t)", total, s);
        return intersection.mul(2f).add(s.numerator()).div(denominator).rsub(1f);
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

    /** Options of {@link DiceLoss}, with the seed's defaults. */
    public static final class Builder extends SmoothedBuilder<Builder> {
        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        public DiceLoss build() {
            return new DiceLoss(this);
        }
    }
}
