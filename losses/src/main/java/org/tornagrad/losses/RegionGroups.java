package org.tornagrad.losses;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/**
 * The groups of docs/loss-options.md ("Region losses") laid out as (R, K, L) arrays: R indexes
 * images (with per_image) or is 1, K indexes classes (1 in binary mode), L the elements of a
 * group. Probabilities {@code p} are on the graph; targets (0 where ignored) and the mask of
 * counted elements are constants. A region loss computes its (R, K) terms with {@link #sum},
 * {@link #mean} and {@link #safeDenominator}, and {@link #reduce} drops empty groups and classes
 * not kept, weighs and reduces them.
 *
 * <p>Built in two steps, as {@link Loss} asks: {@link #prepare} checks the inputs (every check of
 * the region losses happens there, before any op runs) and computes on the host everything that
 * depends on the targets' values (the laid-out targets, the mask, the per-group counts and
 * weights); {@link #of} lays the probabilities out with backend ops from the shapes alone.
 */
final class RegionGroups {
    private final int rows;
    private final int classes;
    private final Variable p;
    private final Variable targets;
    /** 1 for counted elements, 0 for ignored ones; null when nothing can be ignored. */
    private final Variable mask;
    /** Elements counted per group, at least 1 (an empty group's mean is 0/1 = 0, then dropped). */
    private final Variable countsAtLeastOne;
    /** 1 for a group with elements, 0 for an empty one; null when no group can be empty (no mask). */
    private final Variable nonEmpty;
    /** Per kept class and row: the class weight, 0 for an empty group. */
    private final Variable weights;
    /** Σ weights, or 1 when it is 0 (a mean of nothing is then 0/1 = 0, with zero gradient). */
    private final Variable weightTotal;
    private final int[] kept;
    private final int[] noneShape;

    private RegionGroups(int rows, int classes, Variable p, Map<String, Variable> prepared, int[] kept, int[] noneShape,
                         float[] classWeights) {
        this.rows = rows;
        this.classes = classes;
        this.p = p;
        this.targets = prepared.get(TARGETS);
        this.mask = prepared.get(MASK);
        this.nonEmpty = prepared.get(NON_EMPTY);
        this.kept = kept;
        this.noneShape = noneShape;
        if (prepared.containsKey(COUNTS)) {
            this.countsAtLeastOne = prepared.get(COUNTS);
            this.weights = prepared.get(WEIGHTS);
            this.weightTotal = prepared.get(WEIGHT_TOTAL);
        } else {
            // Nothing ignored: counts and weights follow from the shapes and options alone.
            Map<String, Tensor> fixed = counts(null, rows, classes, targets.shape().dim(2), kept, classWeights);
            this.countsAtLeastOne = Variable.constant(fixed.get(COUNTS));
            this.weights = Variable.constant(fixed.get(WEIGHTS));
            this.weightTotal = Variable.constant(fixed.get(WEIGHT_TOTAL));
        }
    }

    /** The names of the prepared tensors. */
    static final String INPUTS = "inputs";
    static final String TARGETS = "targets";
    static final String MASK = "mask";
    static final String COUNTS = "counts";
    static final String NON_EMPTY = "non_empty";
    static final String WEIGHTS = "weights";
    static final String WEIGHT_TOTAL = "weight_total";

    /** The probabilities, (R, K, L), on the graph. */
    Variable probabilities() {
        return p;
    }

    /** The targets, (R, K, L), 0 where ignored (one-hot in multiclass mode). */
    Variable targets() {
        return targets;
    }

    /** Per-group sum over the counted elements: (R, K, L) to (R, K). */
    Variable sum(Variable values) {
        return (mask == null ? values : values.mul(mask)).sum(2, false);
    }

    /** Per-group mean over the counted elements; 0 for an empty group. */
    Variable mean(Variable values) {
        return sum(values).div(countsAtLeastOne);
    }

    /**
     * An empty group's term is dropped; its denominator becomes 1 so that no 0/0 reaches the
     * graph (torch.where(nonempty, den, 1): the gradient reaches {@code den} only where kept).
     */
    Variable safeDenominator(Variable denominator) {
        if (nonEmpty == null) {
            return denominator;
        }
        return denominator.mul(nonEmpty).add(nonEmpty.rsub(1f));
    }

    /**
     * The denominator {@code max(total + smooth_denominator, eps)} of a dice or iou ratio, with
     * empty groups set to 1. With {@code smooth_denominator = eps = 0} a group whose {@code total}
     * is 0 would divide by 0: PyTorch returns NaN (0/0) or, with {@code smooth_numerator > 0}
     * (the intersection is 0 there, so the numerator is that constant), a loss of -inf; here it is
     * an IllegalArgumentException naming the options and which of the two it would be (a compiled
     * run, which cannot read the value, gets the non-finite loss and is redone eagerly, which throws).
     */
    Variable ratioDenominator(String loss, String total, Variable sum, RegionLoss.Smoothing s) {
        Variable den = safeDenominator(sum.add(s.denominator()).clampMin(s.eps()));
        if (s.denominator() == 0f && s.eps() == 0f && !Tracer.isTracing()) {
            float[] d = den.data().toArray();
            for (int g = 0; g < d.length; g++) {
                if (d[g] == 0f) {
                    throw new IllegalArgumentException(loss + " options smooth_denominator, eps: expected one of them > 0"
                        + " since the group of image " + (rows == 1 ? "all" : String.valueOf(g / classes)) + ", class "
                        + (g % classes) + " has " + total + " = 0 and its ratio would be "
                        + (s.numerator() == 0f ? "0/0" : s.numerator() + "/0 (infinite)") + ", got smooth_denominator = 0,"
                        + " eps = 0");
                }
            }
        }
        return den;
    }

    /**
     * Weighs the kept classes' terms of non-empty groups and reduces them: mean =
     * Σ w l / Σ w (0 with zero gradient when Σ w = 0), sum = Σ w l, none = the w l array.
     */
    Variable reduce(Variable terms, Reduction reduction) {
        Variable keptTerms = kept.length == classes ? terms : keptColumns(terms);
        Variable weighted = keptTerms.mul(weights);
        switch (reduction) {
            case NONE:
                return weighted.reshape(noneShape);
            case SUM:
                return weighted.sum();
            default:
                return weighted.sum().div(weightTotal);
        }
    }

    /**
     * The kept classes' columns of the (R, K) terms, as slices joined: the same values as
     * {@code indexSelect}, whose backward adds on the host and so could not be traced.
     */
    private Variable keptColumns(Variable terms) {
        Variable[] columns = new Variable[kept.length];
        for (int j = 0; j < kept.length; j++) {
            columns[j] = terms.slice(1, kept[j], kept[j] + 1, 1);
        }
        return Variable.concat(1, columns);
    }

    // ----------------------------------------------------------------------------------------
    // Building and checking

    /**
     * Checks the inputs for {@code loss}'s options and computes the host-side tensors of its
     * groups: {@code inputs} (passed through), {@code targets}, {@code counts}, {@code weights},
     * {@code weight_total}, and with an ignore_index {@code mask} and {@code non_empty}.
     */
    static Map<String, Tensor> prepare(RegionLoss loss, Tensor x, Tensor targets, boolean checkValues) {
        String name = loss.name();
        Checks.requireMinRank(name + " inputs", x, 1, "(at least one dimension)");
        Checks.requireNonEmpty(name + " inputs", x);
        boolean deferred = !checkValues && deferrable(loss);
        if (!deferred) {
            Checks.requireFinite(name + " inputs", x);
            if (!loss.fromLogits()) {
                Checks.requireRange(name + " inputs (probabilities, from_logits=false)", x, 0f, 1f);
            }
        }
        if (loss.mode() == RegionLoss.Mode.MULTICLASS) {
            return multiclass(loss, x, targets);
        }
        return binaryOrMultilabel(loss, x, targets, deferred);
    }

    /**
     * Whether the value checks can wait for {@link #guard}: with sigmoid targets and nothing
     * ignored (the targets are then used as given, and the checks are only ranges).
     */
    static boolean deferrable(RegionLoss loss) {
        return loss.mode() != RegionLoss.Mode.MULTICLASS && loss.ignoreIndex() == null;
    }

    /** The checks {@code prepare(..., false)} left out, on the backend (see {@link Loss#guard}). */
    static Variable guard(RegionLoss loss, Map<String, Variable> prepared) {
        Variable t = prepared.get(TARGETS);
        Variable x = prepared.get(INPUTS).reshape(t.shape().dims());
        // One sum for both inputs (it shares the forward pass's reads of x and t).
        Variable values = loss.fromLogits() ? Checks.nonFinite(x) : Checks.outsideUnitInterval(x);
        return Checks.guard(values.add(Checks.outsideUnitInterval(t)));
    }

    /** The groups of {@code loss} over the prepared tensors: probabilities laid out by shape alone. */
    static RegionGroups of(RegionLoss loss, Map<String, Variable> prepared) {
        Variable inputs = prepared.get(INPUTS);
        Shape x = inputs.shape();
        int n = x.dim(0);
        boolean perImage = loss.perImage();
        if (loss.mode() == RegionLoss.Mode.BINARY) {
            Variable probabilities = loss.fromLogits() ? inputs.sigmoid() : inputs;
            // One class; the elements are already in layout order (row-major, image first).
            int rows = perImage ? n : 1;
            int length = x.size() / rows;
            return new RegionGroups(rows, 1, probabilities.reshape(rows, 1, length), prepared, new int[] {0},
                perImage ? new int[] {n} : new int[0], new float[] {1f});
        }
        boolean multiclass = loss.mode() == RegionLoss.Mode.MULTICLASS;
        Variable probabilities = !loss.fromLogits() ? inputs : multiclass ? inputs.softmax(1) : inputs.sigmoid();
        int c = x.dim(1);
        int s = x.size() / (n * c);
        int[] kept = RegionLoss.keptClasses(loss.name(), loss.classes(), loss.includeBackground(), c);
        return new RegionGroups(perImage ? n : 1, c, layout(probabilities.reshape(n, c, s), perImage, n, c, s),
            prepared, kept, perImage ? new int[] {n, kept.length} : new int[] {kept.length}, classWeights(loss, c, x));
    }

    private static Map<String, Tensor> multiclass(RegionLoss loss, Tensor x, Tensor targets) {
        String name = loss.name();
        Checks.requireMinRank(name + " inputs", x, 2, "(N, C, *) for mode multiclass");
        int n = x.dim(0);
        int c = x.dim(1);
        int s = x.size() / (n * c);
        int[] labelDims = new int[x.rank() - 1];
        labelDims[0] = n;
        for (int d = 2; d < x.rank(); d++) {
            labelDims[d - 1] = x.dim(d);
        }
        Shape labelShape = Shape.of(labelDims);
        if (!targets.shape().equals(labelShape)) {
            throw new IllegalArgumentException(name + " targets: expected shape " + labelShape
                + " (labels (N, *) for inputs " + x.shape() + " in mode multiclass), got " + targets.shape());
        }
        Integer ignore = loss.ignoreIndex();
        float[] labels = Checks.values(targets.contiguous());
        boolean perImage = loss.perImage();
        int rows = perImage ? n : 1;
        int length = perImage ? s : n * s;
        float[] t = new float[rows * c * length];
        float[] m = ignore == null ? null : new float[t.length];
        for (int i = 0; i < labels.length; i++) {
            float v = labels[i];
            boolean counted = ignore == null || (double) v != (double) ignore;
            if (counted && !(v == Math.rint(v) && v >= 0 && v < c)) {
                throw new IllegalArgumentException(name + " targets: expected integer labels in [0, " + (c - 1) + "]"
                    + (ignore == null ? "" : " or ignore_index " + ignore) + ", got " + v + " at "
                    + Checks.position(labelShape, i));
            }
            int image = i / s;
            int within = i % s;
            for (int k = 0; k < c; k++) {
                int at = layout(perImage, n, c, s, image, k, within);
                if (counted) {
                    t[at] = v == k ? 1f : 0f;
                }
                if (m != null) {
                    m[at] = counted ? 1f : 0f;
                }
            }
        }
        int[] kept = RegionLoss.keptClasses(name, loss.classes(), loss.includeBackground(), c);
        return prepared(x, Tensor.of(t, rows, c, length), m, rows, c, length, kept, classWeights(loss, c, x.shape()));
    }

    /**
     * Whether two shapes agree once their dimensions of size 1 are left out. Without allocating:
     * a compiled loss prepares its inputs on every call.
     */
    static boolean sameWithoutOnes(Shape a, Shape b) {
        int i = 0;
        int j = 0;
        while (true) {
            while (i < a.rank() && a.dim(i) == 1) {
                i++;
            }
            while (j < b.rank() && b.dim(j) == 1) {
                j++;
            }
            if (i == a.rank() || j == b.rank()) {
                return i == a.rank() && j == b.rank();
            }
            if (a.dim(i++) != b.dim(j++)) {
                return false;
            }
        }
    }

    private static Map<String, Tensor> binaryOrMultilabel(RegionLoss loss, Tensor x, Tensor targets, boolean deferred) {
        String name = loss.name();
        boolean multilabel = loss.mode() == RegionLoss.Mode.MULTILABEL;
        if (multilabel) {
            Checks.requireMinRank(name + " inputs", x, 2, "(N, C, *) for mode multilabel");
        }
        // Binary mode flattens both, as the seed does (view(-1)); a mask of (N, H, W) for logits of
        // (N, 1, H, W), the usual pairing, is the same pixels in the same order. Beyond dimensions of
        // size 1 the shapes must agree: a transposed mask of the same size, which the seed would
        // silently pair with the wrong pixels, is refused.
        boolean fits = multilabel ? targets.shape().equals(x.shape()) : sameWithoutOnes(targets.shape(), x.shape());
        if (!fits) {
            throw new IllegalArgumentException(name + " targets: expected shape " + x.shape()
                + " (the shape of inputs in mode " + loss.mode().key()
                + (multilabel ? "" : ", up to dimensions of size 1") + "), got " + targets.shape());
        }
        Integer ignore = loss.ignoreIndex();
        Tensor given = targets.contiguous();
        float[] values = Checks.values(given);
        float[] m = ignore == null ? null : new float[values.length];
        // Without an ignore_index the targets are used as given (no copy of a large batch).
        float[] t = ignore == null ? null : new float[values.length];
        for (int i = 0; !deferred && i < values.length; i++) {
            float v = values[i];
            boolean counted = ignore == null || (double) v != (double) ignore;
            if (counted && !(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException(name + " targets: expected values in [0, 1]"
                    + (ignore == null ? "" : " or ignore_index " + ignore) + ", got " + v + " at "
                    + Checks.position(targets.shape(), i));
            }
            if (m != null) {
                t[i] = counted ? v : 0f;
                m[i] = counted ? 1f : 0f;
            }
        }
        boolean perImage = loss.perImage();
        int n = x.dim(0);
        if (!multilabel) {
            int rows = perImage ? n : 1;
            int length = x.size() / rows;
            Tensor laid = t == null ? given.reshape(rows, 1, length) : Tensor.of(t, rows, 1, length);
            return prepared(x, laid, m, rows, 1, length, new int[] {0}, new float[] {1f});
        }
        int c = x.dim(1);
        int s = x.size() / (n * c);
        int rows = perImage ? n : 1;
        int length = perImage ? s : n * s;
        Tensor laid = t == null && perImage ? given.reshape(rows, c, length)
            : Tensor.of(relayout(t == null ? values : t, perImage, n, c, s), rows, c, length);
        float[] laidM = m == null ? null : relayout(m, perImage, n, c, s);
        int[] kept = RegionLoss.keptClasses(name, loss.classes(), loss.includeBackground(), c);
        return prepared(x, laid, laidM, rows, c, length, kept, classWeights(loss, c, x.shape()));
    }

    /**
     * The prepared tensors: inputs and targets, and with a mask the per-group counts and flags it
     * gives and the weights of the kept classes (without a mask these follow from the shapes and
     * options, and {@link #of} makes them: fewer tensors to make for every batch).
     */
    private static Map<String, Tensor> prepared(Tensor x, Tensor targets, float[] maskValues, int rows, int classes,
                                                int length, int[] kept, float[] classWeights) {
        if (maskValues == null) {
            return Map.of(INPUTS, x, TARGETS, targets); // the common case, once per call: a small map
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(INPUTS, x);
        out.put(TARGETS, targets);
        out.putAll(counts(maskValues, rows, classes, length, kept, classWeights));
        return out;
    }

    /** Per-group counts and flags from the mask (all full without one), and the weights of the kept classes. */
    private static Map<String, Tensor> counts(float[] maskValues, int rows, int classes, int length, int[] kept,
                                              float[] classWeights) {
        float[] counts = new float[rows * classes];
        float[] flags = new float[rows * classes];
        for (int g = 0; g < counts.length; g++) {
            int n = length;
            if (maskValues != null) {
                n = 0;
                for (int i = g * length; i < (g + 1) * length; i++) {
                    n += maskValues[i] != 0f ? 1 : 0;
                }
            }
            flags[g] = n > 0 ? 1f : 0f;
            counts[g] = Math.max(n, 1);
        }
        float[] w = new float[rows * kept.length];
        double weightSum = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < kept.length; j++) {
                int k = kept[j];
                w[r * kept.length + j] = classWeights[k] * flags[r * classes + k];
                weightSum += w[r * kept.length + j];
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(COUNTS, Tensor.of(counts, rows, classes));
        out.put(WEIGHTS, Tensor.of(w, rows, kept.length));
        out.put(WEIGHT_TOTAL, Tensor.scalar(weightSum > 0 ? (float) weightSum : 1f));
        if (maskValues != null) {
            out.put(MASK, Tensor.of(maskValues, rows, classes, length));
            out.put(NON_EMPTY, Tensor.of(flags, rows, classes));
        }
        return out;
    }

    /** The class weights of {@code loss}, checked to be one per class; all 1 when not given. */
    private static float[] classWeights(RegionLoss loss, int c, Shape inputShape) {
        float[] w = loss.classWeights();
        if (w == null) {
            w = new float[c];
            java.util.Arrays.fill(w, 1f);
        } else if (w.length != c) {
            throw new IllegalArgumentException(loss.name() + " option class_weights: expected " + c
                + " weights (one per class of inputs " + inputShape + "), got " + w.length);
        } else if (loss.reduction() == Reduction.MEAN) {
            // The mean Σ w l / Σ w is the same for any common scale of the weights, but in float32
            // Σ w overflows for weights near 3.4e38 (inf / inf gave NaN, w l / inf gave 0). Scaling
            // by a power of two, so that the largest weight is in [1, 2), is exact: weights that
            // did not overflow give the same bits as before. sum and none are the weighted terms
            // themselves, unscaled (RegionLoss.build refuses their overflow).
            float max = 0f;
            for (float v : w) {
                max = Math.max(max, v);
            }
            if (max > 0f) {
                float scale = Math.scalb(1f, -Math.getExponent(max));
                for (int i = 0; i < w.length; i++) {
                    w[i] *= scale;
                }
            }
        }
        return w;
    }

    /** (N, C, S) to (N, C, S) per image, else to (1, C, N·S): class c's group spans every image. */
    private static Variable layout(Variable ncs, boolean perImage, int n, int c, int s) {
        return perImage ? ncs : ncs.permute(1, 0, 2).reshape(1, c, n * s);
    }

    /** The position of element (image, k, within) of an (N, C, S) array in the groups' layout. */
    private static int layout(boolean perImage, int n, int c, int s, int image, int k, int within) {
        return perImage ? (image * c + k) * s + within : (k * n + image) * s + within;
    }

    private static float[] relayout(float[] ncs, boolean perImage, int n, int c, int s) {
        if (perImage) {
            return ncs;
        }
        float[] out = new float[ncs.length];
        for (int image = 0; image < n; image++) {
            for (int k = 0; k < c; k++) {
                System.arraycopy(ncs, (image * c + k) * s, out, layout(false, n, c, s, image, k, 0), s);
            }
        }
        return out;
    }
}
