package org.tornagrad.losses;

import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * Focal loss, in two variants.
 * <pre>
 *   p = sigmoid(inputs)            (softmax over dim 1 in multiclass mode; as given with fromLogits = false)
 *   bce(p, t) = -(t·max(log p, -100) + (1 - t)·max(log(1 - p), -100))      (PyTorch's F.binary_cross_entropy)
 *
 *   variant SEED (default, seed 000 §4):  b = (1/n) Σ bce(p, t) per group,  l = alpha·(1 - exp(-b))^gamma·b
 *   variant PER_ELEMENT (Lin et al. 2017, as torchvision's sigmoid_focal_loss):
 *       p_t = p·t + (1 - p)(1 - t),  alpha_t = alpha·t + (1 - alpha)(1 - t)
 *       l = (1/n) Σ alpha_t·(1 - p_t)^gamma·bce(p, t) per group
 *   loss = reduction over the groups' terms (see {@link RegionLoss})
 * </pre>
 * Defaults are the seed's: variant SEED, {@code alpha = 0.8}, {@code gamma = 2}, binary mode,
 * from logits, mean. For 0/1 targets the per-element term is exactly Lin et al.'s
 * {@code -alpha_t (1 - p_t)^gamma log p_t}; the linear {@code p_t} and {@code alpha_t} extend it
 * to soft labels. Gradients are PyTorch's: BCE's backward {@code (p - t) / max(p (1 - p), 1e-12)},
 * and {@code pow}'s gradient at a zero base is 0 for {@code gamma >= 1}.
 *
 * <p>Departures from the seed: none with the defaults. The seed applies the focal factor to the
 * batch-mean BCE, which is not the focal loss of the paper (it reweighs the whole batch, not each
 * element); it stays the default for parity, and the paper's loss is the PER_ELEMENT variant.
 * The seed's unused {@code smooth} argument is not offered. With {@code 0 < gamma < 1} the
 * per-element variant's gradient at {@code p_t = 1} exactly (a saturated, correct prediction) is
 * {@code 0·inf = NaN}, in PyTorch as here; use {@code gamma = 0} or {@code gamma >= 1} with
 * saturating logits.
 *
 * <pre>{@code
 * FocalLoss focal = FocalLoss.builder().variant(FocalLoss.Variant.PER_ELEMENT).alpha(0.25).gamma(2).build();
 * Variable logits = Variable.param(x);
 * Variable loss = focal.compute(logits, Variable.constant(mask));
 * loss.backward();
 * }</pre>
 */
public final class FocalLoss extends RegionLoss {
    public static final String NAME = "focal";
    public static final double DEFAULT_ALPHA = 0.8;
    public static final double DEFAULT_GAMMA = 2.0;

    /** Where the focal factor applies: to the mean BCE (the seed) or to each element (the paper). */
    public enum Variant {
        SEED("seed"),
        PER_ELEMENT("per-element");

        private final String key;

        Variant(String key) {
            this.key = key;
        }

        /** The option value: seed or per-element. */
        public String key() {
            return key;
        }
    }

    private final Variant variant;
    private final float alpha;
    private final float gamma;
    /** 1 - alpha rounded once, as PyTorch rounds the Python float (1 - alpha) to float32. */
    private final float oneMinusAlpha;

    private FocalLoss(Builder b) {
        super(NAME, b);
        this.variant = b.variant;
        this.alpha = (float) b.alpha;
        this.gamma = (float) b.gamma;
        this.oneMinusAlpha = (float) (1.0 - b.alpha);
    }

    /** The seed's focal loss: variant SEED, alpha 0.8, gamma 2, binary mode, from logits, mean. */
    public FocalLoss() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The loss configured by snake_case options (docs/loss-options.md). */
    public static FocalLoss fromOptions(Options options) {
        Builder b = new Builder().read(options);
        String v = options.choice("variant", Variant.SEED.key, Variant.SEED.key, Variant.PER_ELEMENT.key);
        b.variant(v.equals(Variant.SEED.key) ? Variant.SEED : Variant.PER_ELEMENT);
        b.alpha(options.number("alpha", DEFAULT_ALPHA, 0.0, 1.0));
        b.gamma(options.number("gamma", DEFAULT_GAMMA, 0.0, Float.MAX_VALUE));
        return b.build();
    }

    @Override
    Variable terms(RegionGroups g) {
        Variable p = g.probabilities();
        Variable bce = p.binaryCrossEntropy(g.targets());
        if (variant == Variant.SEED) {
            Variable b = g.mean(bce);
            return b.neg().exp().rsub(1f).pow(gamma).mul(alpha).mul(b);
        }
        Tensor t = g.targets().data();
        Tensor oneMinusT = t.rsub(1f);
        Variable pt = p.mul(g.targets()).add(p.rsub(1f).mul(Variable.constant(oneMinusT)));
        Variable alphaT = Variable.constant(t.mul(alpha).add(oneMinusT.mul(oneMinusAlpha)));
        return g.mean(alphaT.mul(pt.rsub(1f).pow(gamma)).mul(bce));
    }

    public Variant variant() {
        return variant;
    }

    public float alpha() {
        return alpha;
    }

    public float gamma() {
        return gamma;
    }

    /** Options of {@link FocalLoss}, with the seed's defaults. */
    public static final class Builder extends RegionLoss.Builder<Builder> {
        private Variant variant = Variant.SEED;
        private double alpha = DEFAULT_ALPHA;
        private double gamma = DEFAULT_GAMMA;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        public Builder variant(Variant value) {
            if (value == null) {
                throw new IllegalArgumentException("variant: expected seed or per-element, got null");
            }
            variant = value;
            return this;
        }

        /** Weight of the positive class, in [0, 1] (default 0.8). */
        public Builder alpha(double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException("alpha: expected a number in [0, 1], got " + value);
            }
            alpha = value;
            return this;
        }

        /** Focusing exponent, >= 0 (default 2). */
        public Builder gamma(double value) {
            gamma = nonNegative("gamma", value);
            return this;
        }

        public FocalLoss build() {
            return new FocalLoss(this);
        }
    }
}
