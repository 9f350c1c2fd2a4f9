package org.tornagrad.losses;

import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * Boundary loss (Bokhovkin et al. 2019, "Boundary Loss for Remote Sensing Imagery Semantic
 * Segmentation"; seed 000 §6): one minus the boundary F1 score of the softmax prediction against
 * the one-hot labels, per image and class.
 *
 * <p>Inputs: {@code pred}, logits (N, C, H, W), differentiated; {@code gt}, integer labels
 * (N, H, W) or (N, 1, H, W) given as integral floats. With {@code pool_k(x)} =
 * {@code max_pool2d(x, k, stride 1, padding (k-1)/2)} (padding never wins) and sums over the
 * H·W pixels of each (n, c):
 * <pre>
 *   y      = one_hot(clamp(gt, 0, C-1)),   p = softmax(pred, dim 1)
 *   gt_b   = pool_theta0(1 - y) - (1 - y),  pred_b = pool_theta0(1 - p) - (1 - p)
 *   gt_ext = pool_theta(gt_b),              pred_ext = pool_theta(pred_b)
 *   P      = Σ pred_b·gt_ext / (Σ pred_b + 1e-7)
 *   R      = Σ pred_ext·gt_b / (Σ gt_b + 1e-7)
 *   BF1    = 2·P·R / (P + R + 1e-7),        loss = reduce(1 - BF1)
 * </pre>
 * Defaults are the seed's: {@code theta0 = 3}, {@code theta = 5}, {@code reduction = mean} (over
 * the N·C terms; {@code sum}, or {@code none} giving shape (N, C)). Gradients follow PyTorch's:
 * each pooling window's gradient goes to its first arg-max. With {@code theta0 = 1} the pooling
 * is the identity, every boundary map is 0 and each term is exactly 1 (zero gradient), as in the
 * seed.
 *
 * <p>Where this departs from the seed, and why:
 * <ul>
 *   <li>The seed's {@code torch.squeeze(gt)} drops every size-1 dimension, so a batch of one
 *       image fails (and a (N, 1, H, W) gt with H = 1 would lose its height). Only the channel
 *       dimension of a (N, 1, H, W) gt is squeezed here, which is what the seed meant.</li>
 *   <li>The seed crops a larger gt centrally by {@code (Ht-H)//2} rows and {@code (Wt-W)//2}
 *       columns from each end, and only when both are positive. The same crop is applied here;
 *       a gt that does not then have shape (N, H, W) (an odd size difference, a difference on one
 *       axis only, a smaller gt) makes the seed fail with a size mismatch deep inside, and is an
 *       IllegalArgumentException here naming both shapes.</li>
 *   <li>Labels are clamped to [0, C-1] as the seed does (7 with C = 3 counts as class 2, -1 as
 *       class 0); labels that are not integers, NaN or infinite are errors.</li>
 *   <li>{@code theta0} and {@code theta} must be odd: with an even kernel, padding (k-1)/2 makes
 *       the pooled map one pixel smaller than its input and the seed fails on the products.</li>
 * </ul>
 *
 * <pre>{@code
 * Loss loss = BoundaryLoss.builder().theta0(3).theta(5).build();
 * Variable pred = Variable.param(logits);                       // (N, C, H, W)
 * Variable value = loss.compute(Map.of("pred", pred, "gt", Variable.constant(labels)));
 * value.backward();                                            // pred.grad()
 * }</pre>
 */
public final class BoundaryLoss implements Loss {
    public static final String NAME = "boundary";
    private static final List<String> INPUTS = List.of("pred", "gt");
    private static final float EPS = 1e-7f;

    private final int theta0;
    private final int theta;
    private final Reduction reduction;

    private BoundaryLoss(Builder b) {
        this.theta0 = b.theta0;
        this.theta = b.theta;
        this.reduction = b.reduction;
    }

    /** A builder with the seed's defaults: theta0 3, theta 5, reduction mean. */
    public static Builder builder() {
        return new Builder();
    }

    /** The loss with the seed's defaults. */
    public static BoundaryLoss create() {
        return builder().build();
    }

    /** The loss configured from snake_case options {@code theta0}, {@code theta}, {@code reduction}. */
    public static BoundaryLoss fromOptions(Options options) {
        Builder b = builder();
        b.theta0(options.integer("theta0", b.theta0, 1, Integer.MAX_VALUE));
        b.theta(options.integer("theta", b.theta, 1, Integer.MAX_VALUE));
        b.reduction(Reduction.from(options));
        return b.build();
    }

    /** The settings of a {@link BoundaryLoss}; each setter checks its value at once. */
    public static final class Builder {
        private int theta0 = 3;
        private int theta = 5;
        private Reduction reduction = Reduction.MEAN;

        private Builder() {
        }

        /** Window of the boundary map: an odd integer >= 1 (default 3). */
        public Builder theta0(int value) {
            this.theta0 = requireOddKernel("theta0", value);
            return this;
        }

        /** Window of the extended boundary map: an odd integer >= 1 (default 5). */
        public Builder theta(int value) {
            this.theta = requireOddKernel("theta", value);
            return this;
        }

        /** Reduction of the (N, C) terms 1 - BF1 (default mean). */
        public Builder reduction(Reduction value) {
            if (value == null) {
                throw new IllegalArgumentException("reduction: expected mean, sum or none, got null");
            }
            this.reduction = value;
            return this;
        }

        public BoundaryLoss build() {
            return new BoundaryLoss(this);
        }
    }

    private static int requireOddKernel(String name, int value) {
        if (value < 1 || value % 2 == 0) {
            throw new IllegalArgumentException(NAME + " option " + name + ": expected an odd integer >= 1 (an even"
                + " window with padding (k-1)/2 shrinks the map by one pixel), got '" + value + "'");
        }
        return value;
    }

    public int theta0() {
        return theta0;
    }

    public int theta() {
        return theta;
    }

    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public List<String> differentiated() {
        return List.of("pred");
    }

    /** Checks pred and gt; they pass through unchanged (the one-hot is built on the backend, in {@link #build}). */
    @Override
    public Map<String, Tensor> prepare(Map<String, Tensor> inputs) {
        Checks.requireInputs(NAME, INPUTS, inputs);
        Tensor logits = inputs.get("pred");
        Checks.requireRank("pred", logits, 4, "(N, C, H, W)");
        Checks.requireNonEmpty("pred", logits);
        Checks.requireFinite("pred", logits);
        Tensor gt = inputs.get("gt");
        checkLabels(gt, logits.dim(0), logits.dim(2), logits.dim(3));
        return Map.of("pred", logits, "gt", gt);
    }

    @Override
    public Variable build(Map<String, Variable> prepared) {
        Variable pred = prepared.get("pred");
        Tensor logits = pred.data();
        int n = logits.dim(0);
        int c = logits.dim(1);
        int h = logits.dim(2);
        int w = logits.dim(3);

        // One-hot as labels == class index, broadcast over (N, C, H, W): computed on the backend
        // (the labels are data; a host loop would bake one batch's labels into a traced program).
        Tensor labels = labels(prepared.get("gt").data(), h, w, c).reshape(n, 1, h, w);
        float[] classIndex = new float[c];
        for (int k = 0; k < c; k++) {
            classIndex[k] = k;
        }
        Variable oneHot = Variable.constant(labels.eq(Tensor.of(classIndex, 1, c, 1, 1)));

        Variable p = pred.softmax(1);
        Variable gtBoundary = boundary(oneHot.rsub(1f));
        Variable predBoundary = boundary(p.rsub(1f));
        Variable gtExtended = pool(gtBoundary, theta);
        Variable predExtended = pool(predBoundary, theta);

        Variable gtB = gtBoundary.reshape(n, c, -1);
        Variable predB = predBoundary.reshape(n, c, -1);
        Variable gtExt = gtExtended.reshape(n, c, -1);
        Variable predExt = predExtended.reshape(n, c, -1);

        Variable precision = predB.mul(gtExt).sum(2, false).div(predB.sum(2, false).add(EPS));
        Variable recall = predExt.mul(gtB).sum(2, false).div(gtB.sum(2, false).add(EPS));
        // 2 * P * R evaluates as (2 * P) * R in the seed.
        Variable bf1 = precision.mul(2f).mul(recall).div(precision.add(recall).add(EPS));
        return reduction.apply(bf1.rsub(1f));
    }

    /** {@code pool_theta0(x) - x}: positive on the pixels whose window holds a larger value. */
    private Variable boundary(Variable complement) {
        return pool(complement, theta0).sub(complement);
    }

    private static Variable pool(Variable x, int kernel) {
        return x.maxPool2d(kernel, 1, (kernel - 1) / 2);
    }

    /** The gt checks: finite integral labels, of shape (N, H, W) or (N, 1, H, W), or larger and croppable. */
    private static void checkLabels(Tensor gt, int n, int h, int w) {
        // The whole input is checked, also what the crop drops, so that positions are the input's.
        Checks.requireFinite("gt", gt);
        Checks.requireIntegral("gt", gt);
        String expected = "(N, H, W) = (" + n + ", " + h + ", " + w + ") or (N, 1, H, W)";
        if (!(gt.rank() == 4 && gt.dim(1) == 1) && gt.rank() != 3) {
            throw new IllegalArgumentException("gt: expected shape " + expected + ", got " + gt.shape());
        }
        Tensor maps = gt.rank() == 4 ? gt.squeeze(1) : gt;
        if (maps.dim(0) != n) {
            throw new IllegalArgumentException("gt: expected " + n + " images as in pred, got shape " + gt.shape());
        }
        Tensor cropped = crop(maps, h, w);
        if (cropped.dim(1) != h || cropped.dim(2) != w) {
            throw new IllegalArgumentException("gt: expected shape " + expected + ", or larger by a positive even"
                + " amount in both H and W (cropped centrally), got " + gt.shape()
                + (cropped == maps ? "" : ", which crops to " + cropped.shape()));
        }
    }

    /** The seed's central crop: Python's floor division, offsets applied only when both are positive. */
    private static Tensor crop(Tensor maps, int h, int w) {
        int ht = maps.dim(1);
        int wt = maps.dim(2);
        int offsetH = Math.floorDiv(ht - h, 2);
        int offsetW = Math.floorDiv(wt - w, 2);
        if (offsetH > 0 && offsetW > 0) {
            return maps.slice(1, offsetH, ht - offsetH, 1).slice(2, offsetW, wt - offsetW, 1);
        }
        return maps;
    }

    /**
     * The checked gt labels as an (N, H, W) tensor clamped to [0, C-1]: the channel of
     * (N, 1, H, W) squeezed, a larger map cropped centrally as the seed does.
     */
    private static Tensor labels(Tensor gt, int h, int w, int c) {
        Tensor maps = gt.rank() == 4 ? gt.squeeze(1) : gt;
        return crop(maps, h, w).contiguous().clamp(0f, c - 1);
    }
}
