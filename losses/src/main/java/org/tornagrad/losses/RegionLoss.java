package org.tornagrad.losses;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.tensor.Tensor;

/**
 * What the four region losses (dice, iou, bce-dice, focal) share: the inputs, the options that
 * choose which elements form a group and which groups count (docs/loss-options.md, "Region
 * losses"), and the reduction of the per-group terms. A subclass only writes its per-group term
 * on the {@link RegionGroups} layout.
 *
 * <p>Inputs: {@code inputs} (logits, or probabilities with {@code fromLogits = false}),
 * differentiated; {@code targets}, not differentiated.
 * <table>
 *   <caption>modes</caption>
 *   <tr><th>mode</th><th>inputs</th><th>targets</th><th>p</th><th>groups</th></tr>
 *   <tr><td>BINARY (default)</td><td>any shape, rank &gt;= 1</td><td>same shape up to dimensions of
 *       size 1 (the seed flattens both), in [0, 1]</td>
 *       <td>sigmoid(x)</td><td>one (per image with perImage)</td></tr>
 *   <tr><td>MULTILABEL</td><td>(N, C, *)</td><td>same shape, in [0, 1]</td><td>sigmoid(x)</td>
 *       <td>one per class over (N, *) (per (n, c) with perImage)</td></tr>
 *   <tr><td>MULTICLASS</td><td>(N, C, *)</td><td>(N, *) integral labels in [0, C-1]</td>
 *       <td>softmax(x, dim 1)</td><td>one per class over (N, *), target one-hot (per (n, c))</td></tr>
 * </table>
 * The per-group terms {@code l_k} with class weights {@code w_k} are reduced as
 * {@code mean = Σ w_k l_k / Σ w_k}, {@code sum = Σ w_k l_k}, or {@code none} = the array of
 * {@code w_k l_k}, shaped () in binary mode, (N) binary per image, (C_kept) or (N, C_kept).
 * Groups with no element left after {@code ignoreIndex} are dropped (0 in {@code none}); a mean
 * with nothing left is 0 with zero gradient.
 */
public abstract sealed class RegionLoss implements Loss permits DiceLoss, IouLoss, BceDiceLoss, FocalLoss {

    /** How elements are grouped and what the targets are (see the class comment). */
    public enum Mode {
        BINARY("binary"),
        MULTILABEL("multilabel"),
        MULTICLASS("multiclass");

        private final String key;

        Mode(String key) {
            this.key = key;
        }

        /** The option value: binary, multilabel or multiclass. */
        public String key() {
            return key;
        }

        static Mode from(Options options) {
            String v = options.choice("mode", BINARY.key, BINARY.key, MULTILABEL.key, MULTICLASS.key);
            for (Mode m : values()) {
                if (m.key.equals(v)) {
                    return m;
                }
            }
            // choice() only returns one of the keys offered above.
            throw new IllegalStateException("mode: unexpected value '" + v + "'");
        }
    }

    private static final List<String> INPUTS = List.of("inputs", "targets");
    private static final List<String> DIFFERENTIATED = List.of("inputs");

    private final String name;
    private final Mode mode;
    private final boolean fromLogits;
    private final Integer ignoreIndex;
    private final boolean includeBackground;
    private final int[] classes;
    private final float[] classWeights;
    private final boolean perImage;
    private final Reduction reduction;

    RegionLoss(String name, Builder<?> b) {
        this.name = name;
        this.mode = b.mode;
        this.fromLogits = b.fromLogits;
        this.ignoreIndex = b.ignoreIndex;
        this.includeBackground = b.includeBackground;
        this.classes = b.classes == null ? null : b.classes.clone();
        this.classWeights = b.classWeights == null ? null : b.classWeights.clone();
        this.perImage = b.perImage;
        this.reduction = b.reduction;
        if (mode == Mode.BINARY) {
            // In binary mode there is one class (the foreground probability), so class options
            // have nothing to select: an error rather than silently ignored.
            if (classes != null) {
                throw binaryOnly("classes", Arrays.toString(classes));
            }
            if (classWeights != null) {
                throw binaryOnly("class_weights", Arrays.toString(classWeights));
            }
            if (!includeBackground) {
                throw binaryOnly("include_background", "false");
            }
        }
    }

    private IllegalArgumentException binaryOnly(String option, String value) {
        return new IllegalArgumentException(name + " option " + option + ": expected mode multilabel or multiclass"
            + " for a class option, got " + option + "=" + value + " with mode binary");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public final List<String> differentiated() {
        return DIFFERENTIATED;
    }

    /**
     * The loss of {@code inputs} (make it a {@link Variable#param param} to get its gradient)
     * against {@code targets} (never differentiated).
     */
    public final Variable compute(Variable inputs, Variable targets) {
        if (inputs == null || targets == null) {
            throw new IllegalArgumentException(name + " inputs: expected " + INPUTS + ", got "
                + (inputs == null ? "inputs" : "targets") + " = null");
        }
        return compute(Map.of("inputs", inputs, "targets", targets));
    }

    /** Checks inputs and targets; lays the targets out in groups and counts their elements (see {@link RegionGroups}). */
    @Override
    public final Map<String, Tensor> prepare(Map<String, Tensor> inputs) {
        Checks.requireInputs(name, INPUTS, inputs);
        return RegionGroups.prepare(this, inputs.get("inputs"), inputs.get("targets"), true);
    }

    /** With sigmoid targets and nothing ignored, the finite and range checks wait for {@link #guard}. */
    @Override
    public final Map<String, Tensor> prepareUnchecked(Map<String, Tensor> inputs) {
        Checks.requireInputs(name, INPUTS, inputs);
        return RegionGroups.prepare(this, inputs.get("inputs"), inputs.get("targets"), false);
    }

    @Override
    public final Variable guard(Map<String, Variable> prepared) {
        return RegionGroups.deferrable(this) ? RegionGroups.guard(this, prepared) : null;
    }

    @Override
    public final Variable build(Map<String, Variable> prepared) {
        RegionGroups groups = RegionGroups.of(this, prepared);
        Variable terms = terms(groups);
        Variable loss = groups.reduce(terms, reduction);
        // The mean's weights are scaled so that they cannot overflow (RegionGroups.classWeights);
        // sum's and none's values are the weighted terms themselves, and one past float32 is a real
        // overflow that PyTorch would return as inf. A compiled run, which cannot read the value
        // here, gets the inf and is redone eagerly, which throws.
        if (classWeights != null && reduction != Reduction.MEAN && !Tracer.isTracing()
            && loss.data().hasNonFinite() && !terms.data().hasNonFinite()) {
            throw new IllegalArgumentException(name + " option class_weights: expected weights small enough that the"
                + " weighted terms" + (reduction == Reduction.SUM ? " and their sum" : "") + " fit in float32 (at most "
                + Float.MAX_VALUE + ") with reduction=" + reduction.key() + ", got " + Arrays.toString(classWeights)
                + ", which overflow to infinity");
        }
        return loss;
    }

    /** One loss term per group, shape (R, K) of the groups' layout. */
    abstract Variable terms(RegionGroups groups);

    public final Mode mode() {
        return mode;
    }

    public final boolean fromLogits() {
        return fromLogits;
    }

    /** The ignored target value (label in multiclass mode), or null. */
    public final Integer ignoreIndex() {
        return ignoreIndex;
    }

    public final boolean includeBackground() {
        return includeBackground;
    }

    /** The classes whose terms count, or null for all. */
    public final int[] classes() {
        return classes == null ? null : classes.clone();
    }

    /** One weight per class, or null for all 1. */
    public final float[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    public final boolean perImage() {
        return perImage;
    }

    public final Reduction reduction() {
        return reduction;
    }

    /**
     * The options every region loss takes, with the seeds' defaults (binary mode, from logits,
     * nothing ignored, every class, weight 1, one group for the batch, mean).
     */
    public abstract static class Builder<B extends Builder<B>> {
        private Mode mode = Mode.BINARY;
        private boolean fromLogits = true;
        private Integer ignoreIndex;
        private boolean includeBackground = true;
        private int[] classes;
        private float[] classWeights;
        private boolean perImage;
        private Reduction reduction = Reduction.MEAN;

        Builder() {
        }

        abstract B self();

        public B mode(Mode value) {
            if (value == null) {
                throw new IllegalArgumentException("mode: expected binary, multilabel or multiclass, got null");
            }
            mode = value;
            return self();
        }

        /** false: {@code inputs} are probabilities in [0, 1], taken as given (default true). */
        public B fromLogits(boolean value) {
            fromLogits = value;
            return self();
        }

        /** Elements whose target (label in multiclass) equals this count nowhere; null: none. */
        public B ignoreIndex(Integer value) {
            ignoreIndex = value;
            return self();
        }

        /** false drops class 0 (multilabel and multiclass only). */
        public B includeBackground(boolean value) {
            includeBackground = value;
            return self();
        }

        /** Only these classes' terms count (each in [0, C-1], checked against the inputs); null: all. */
        public B classes(int... value) {
            if (value != null) {
                if (value.length == 0) {
                    throw new IllegalArgumentException("classes: expected at least one class index, got []");
                }
                for (int c : value) {
                    if (c < 0) {
                        throw new IllegalArgumentException("classes: expected class indices >= 0, got "
                            + Arrays.toString(value));
                    }
                }
            }
            classes = value == null ? null : value.clone();
            return self();
        }

        /** One weight >= 0 per class (C of them, checked against the inputs); null: all 1. */
        public B classWeights(float... value) {
            if (value != null) {
                if (value.length == 0) {
                    throw new IllegalArgumentException("classWeights: expected one weight per class, got []");
                }
                for (float w : value) {
                    if (!(w >= 0f) || Float.isInfinite(w)) {
                        throw new IllegalArgumentException("classWeights: expected finite weights >= 0, got "
                            + Arrays.toString(value));
                    }
                }
            }
            classWeights = value == null ? null : value.clone();
            return self();
        }

        /** One group per image (dim 0) instead of one for the batch (MONAI's batch=false). */
        public B perImage(boolean value) {
            perImage = value;
            return self();
        }

        public B reduction(Reduction value) {
            if (value == null) {
                throw new IllegalArgumentException("reduction: expected mean, sum or none, got null");
            }
            reduction = value;
            return self();
        }

        /** Reads the shared snake_case options (docs/loss-options.md) into this builder. */
        B read(Options o) {
            mode(Mode.from(o));
            fromLogits(o.bool("from_logits", true));
            ignoreIndex(o.optionalInteger("ignore_index", Integer.MIN_VALUE, Integer.MAX_VALUE));
            includeBackground(o.bool("include_background", true));
            List<Integer> cls = o.integers("classes", 0, Integer.MAX_VALUE);
            if (cls != null) {
                classes(cls.stream().mapToInt(Integer::intValue).toArray());
            }
            List<Double> weights = o.numbers("class_weights", 0, Float.MAX_VALUE);
            if (weights != null) {
                float[] w = new float[weights.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = weights.get(i).floatValue();
                }
                classWeights(w);
            }
            perImage(o.bool("per_image", false));
            reduction(Reduction.from(o));
            return self();
        }
    }

    /**
     * The smoothing of dice, iou and bce-dice: {@code smooth} (default 1, the seeds') sets both
     * {@code smoothNumerator} and {@code smoothDenominator} unless they are given (MONAI's
     * separate constants); {@code eps} (default 0) floors the denominator (smp's eps).
     */
    public abstract static class SmoothedBuilder<B extends SmoothedBuilder<B>> extends Builder<B> {
        private float smooth = 1f;
        private Float smoothNumerator;
        private Float smoothDenominator;
        private float eps;

        SmoothedBuilder() {
        }

        public B smooth(double value) {
            smooth = nonNegative("smooth", value);
            return self();
        }

        public B smoothNumerator(double value) {
            smoothNumerator = nonNegative("smoothNumerator", value);
            return self();
        }

        public B smoothDenominator(double value) {
            smoothDenominator = nonNegative("smoothDenominator", value);
            return self();
        }

        public B eps(double value) {
            eps = nonNegative("eps", value);
            return self();
        }

        Smoothing smoothing() {
            return new Smoothing(smoothNumerator != null ? smoothNumerator : smooth,
                smoothDenominator != null ? smoothDenominator : smooth, eps);
        }

        @Override
        B read(Options o) {
            super.read(o);
            smooth(o.number("smooth", 1.0, 0.0, Float.MAX_VALUE));
            // -1 comes back only when the key is absent (given values are checked to be >= 0).
            double numerator = o.number("smooth_numerator", -1.0, 0.0, Float.MAX_VALUE);
            if (numerator >= 0) {
                smoothNumerator(numerator);
            }
            double denominator = o.number("smooth_denominator", -1.0, 0.0, Float.MAX_VALUE);
            if (denominator >= 0) {
                smoothDenominator(denominator);
            }
            eps(o.number("eps", 0.0, 0.0, Float.MAX_VALUE));
            return self();
        }
    }

    static float nonNegative(String option, double value) {
        if (!(value >= 0) || value > Float.MAX_VALUE) {
            throw new IllegalArgumentException(option + ": expected a finite number >= 0, got " + value);
        }
        return (float) value;
    }

    /** The resolved constants of a dice or iou ratio. */
    record Smoothing(float numerator, float denominator, float eps) {
    }

    /** Checked class indices, sorted and without repeats, for {@code channels} classes. */
    static int[] keptClasses(String loss, int[] classes, boolean includeBackground, int channels) {
        TreeSet<Integer> kept = new TreeSet<>();
        if (classes == null) {
            for (int c = 0; c < channels; c++) {
                kept.add(c);
            }
        } else {
            for (int c : classes) {
                if (c < 0 || c >= channels) {
                    throw new IllegalArgumentException(loss + " option classes: expected class indices in [0, "
                        + (channels - 1) + "] (inputs have C = " + channels + "), got " + Arrays.toString(classes));
                }
                kept.add(c);
            }
        }
        if (!includeBackground) {
            kept.remove(0);
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(loss + " option classes: expected at least one class left, got none"
                + " (classes " + (classes == null ? "all" : Arrays.toString(classes))
                + ", include_background " + includeBackground + ", C = " + channels + ")");
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }
}
