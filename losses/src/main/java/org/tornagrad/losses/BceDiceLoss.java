package org.tornagrad.losses;

import org.tornagrad.autograd.Variable;

/**
 * BCE-Dice loss (seed 000 §2): mean binary cross-entropy plus the Dice loss of {@link DiceLoss}.
 * <pre>
 *   p = sigmoid(inputs)            (softmax over dim 1 in multiclass mode; as given with fromLogits = false)
 *   bce(p, t) = -(t·max(log p, -100) + (1 - t)·max(log(1 - p), -100))
 *   per group:  l = (1/n) Σ bce(p, t) + 1 - (2·Σ p·t + smoothNumerator) / max(Σ p + Σ t + smoothDenominator, eps)
 *   loss = reduction over the groups' terms (see {@link RegionLoss})
 * </pre>
 * The cross-entropy is PyTorch's {@code F.binary_cross_entropy}: each log clamped at -100, and
 * its backward {@code (p - t) / max(p (1 - p), 1e-12)}, not the derivative of the clamped formula,
 * so that saturated logits get PyTorch's gradients. Defaults are the seed's: binary mode, from
 * logits, {@code smooth = 1}, {@code eps = 0}, mean.
 *
 * <p>Departures from the seed: none with the defaults. Per group the BCE is a mean over that
 * group's counted elements (so in binary mode without ignored elements it is the seed's mean);
 * all-ignored groups are dropped; a Dice ratio of 0/0 ({@code smoothDenominator = eps = 0} and a
 * group with {@code Σ p + Σ t = 0}) is an IllegalArgumentException, where PyTorch gives NaN.
 *
 * <pre>{@code
 * BceDiceLoss loss = new BceDiceLoss();                          // the seed
 * Variable logits = Variable.param(x);
 * Variable value = loss.compute(logits, Variable.constant(mask));
 * value.backward();
 * }</pre>
 */
public final class BceDiceLoss extends RegionLoss {
    public static final String NAME = "bce-dice";

    private final Smoothing smoothing;

    private BceDiceLoss(Builder b) {
        super(NAME, b);
        this.smoothing = b.smoothing();
    }

    /** The seed's BCE-Dice loss: binary mode, from logits, smooth 1, mean. */
    public BceDiceLoss() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The loss configured by snake_case options (docs/loss-options.md). */
    public static BceDiceLoss fromOptions(Options options) {
        return new Builder().read(options).build();
    }

    @Override
    Variable terms(RegionGroups g) {
        Variable bce = g.mean(g.probabilities().binaryCrossEntropy(g.targets()));
        return bce.add(DiceLoss.diceTerms(NAME, g, smoothing));
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

    /** Options of {@link BceDiceLoss}, with the seed's defaults. */
    public static final class Builder extends SmoothedBuilder<Builder> {
        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        public BceDiceLoss build() {
            return new BceDiceLoss(this);
        }
    }
}
