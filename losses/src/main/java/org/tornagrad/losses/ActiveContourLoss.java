package org.tornagrad.losses;

import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * Active contour loss (Chen et al., "Learning Active Contour Models for Medical Image
 * Segmentation", CVPR 2019; seed 000 §5): a length term on the prediction's finite differences
 * plus the two region terms of the Chan-Vese energy with fixed region constants 1 (inside) and 0
 * (outside).
 * <pre>
 *   y_pred, y_true: (B, C, H, W) or (B, C, H, W, ...), H, W &gt;= 3, y_pred probabilities
 *   dr = (y_pred[:, :, 1:, :] - y_pred[:, :, :-1, :])[:, :, 1:, :-2]²      (B, C, H-2, W-2)
 *   dc = (y_pred[:, :, :, 1:] - y_pred[:, :, :, :-1])[:, :, :-2, 1:]²      (B, C, H-2, W-2)
 *   length     = mean(sqrt(|dr + dc| + 1e-8))
 *   region_in  = mean(y_pred·(y_true - 1)²)
 *   region_out = mean((1 - y_pred)·y_true²)
 *   loss = weight·length + (region_in + region_out)
 * </pre>
 * Default {@code weight = 10}, the seed's. The gradient flows to {@code y_pred} only.
 *
 * <p>The seed's docstring says (B, C, H, W), but its slices index dims 2 and 3 only, so it also
 * runs on (B, C, H, W, ...): differences along H and W, the trailing dimensions riding along
 * (each trailing index is one more (H, W) image, in every mean). This takes the same inputs; a
 * rank-3 input is an error in both (the seed: too many indices).
 *
 * <p>Departures from the seed, and why:
 * <ul>
 *   <li>The seed writes {@code C_in} and {@code C_out} where it defined {@code c_in} and
 *       {@code c_out} (a NameError in Python); this computes what it evidently meant,
 *       {@code c_in = 1}, {@code c_out = 0}.</li>
 *   <li>The seed runs on any H, W but its cropped differences are empty below 3, and the mean of
 *       an empty tensor is NaN; here H or W below 3 is an IllegalArgumentException.</li>
 *   <li>{@code y_pred} and {@code y_true} must be finite and lie in [0, 1] (probabilities and a
 *       mask, as the paper defines them); the seed would take logits silently.</li>
 * </ul>
 *
 * <pre>{@code
 * ActiveContourLoss loss = ActiveContourLoss.builder().weight(10).build();
 * Variable pred = Variable.param(probabilities);             // (B, C, H, W)
 * Variable value = loss.compute(Variable.constant(mask), pred);
 * value.backward();                                          // pred.grad()
 * }</pre>
 */
public final class ActiveContourLoss implements Loss {
    public static final String NAME = "active-contour";
    public static final double DEFAULT_WEIGHT = 10.0;
    private static final List<String> INPUTS = List.of("y_true", "y_pred");
    private static final List<String> DIFFERENTIATED = List.of("y_pred");
    /** The seed's epsilon under the square root: keeps sqrt's gradient finite where dr + dc = 0. */
    private static final float EPSILON = 1e-8f;

    private final float weight;

    private ActiveContourLoss(double weight) {
        this.weight = RegionLoss.nonNegative("weight", weight);
    }

    /** The seed's loss, weight 10. */
    public ActiveContourLoss() {
        this(DEFAULT_WEIGHT);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The loss configured by snake_case options: {@code weight} (float >= 0, default 10). */
    public static ActiveContourLoss fromOptions(Options options) {
        return new ActiveContourLoss(options.number("weight", DEFAULT_WEIGHT, 0.0, Float.MAX_VALUE));
    }

    public float weight() {
        return weight;
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
        return DIFFERENTIATED;
    }

    /** The loss of {@code yPred} (a param to get its gradient) against the mask {@code yTrue}. */
    public Variable compute(Variable yTrue, Variable yPred) {
        if (yTrue == null || yPred == null) {
            throw new IllegalArgumentException(NAME + " inputs: expected " + INPUTS + ", got "
                + (yTrue == null ? "y_true" : "y_pred") + " = null");
        }
        return compute(Map.of("y_true", yTrue, "y_pred", yPred));
    }

    /** Checks shapes and values; the inputs pass through unchanged (nothing here depends on their values). */
    @Override
    public Map<String, Tensor> prepare(Map<String, Tensor> inputs) {
        Map<String, Tensor> out = prepareUnchecked(inputs);
        Tensor pred = inputs.get("y_pred");
        Tensor mask = inputs.get("y_true");
        Checks.requireFinite(NAME + " y_pred", pred);
        Checks.requireFinite(NAME + " y_true", mask);
        Checks.requireRange(NAME + " y_pred (probabilities)", pred, 0f, 1f);
        Checks.requireRange(NAME + " y_true", mask, 0f, 1f);
        return out;
    }

    /** The shape checks; the value checks (finite, in [0, 1]) are left to {@link #guard}. */
    @Override
    public Map<String, Tensor> prepareUnchecked(Map<String, Tensor> inputs) {
        Checks.requireInputs(NAME, INPUTS, inputs);
        Tensor pred = inputs.get("y_pred");
        Tensor mask = inputs.get("y_true");
        Checks.requireMinRank(NAME + " y_pred", pred, 4, "(B, C, H, W) or (B, C, H, W, ...)");
        Checks.requireShape(NAME + " y_true", mask, pred.shape());
        int h = pred.dim(2);
        int w = pred.dim(3);
        if (h < 3 || w < 3) {
            throw new IllegalArgumentException(NAME + " y_pred: expected H >= 3 and W >= 3 (the length term"
                + " crops two rows and two columns), got shape " + pred.shape());
        }
        Checks.requireNonEmpty(NAME + " y_pred", pred);
        return Map.of("y_true", mask, "y_pred", pred);
    }

    /** Both inputs in [0, 1] (which rules out NaN and infinities too). */
    @Override
    public Variable guard(Map<String, Variable> prepared) {
        return Checks.guard(Checks.outsideUnitInterval(prepared.get("y_pred")).add(Checks.outsideUnitInterval(prepared.get("y_true"))));
    }

    /**
     * The seed's formula over the (H-2, W-2) window, written with four slices of the image rows
     * flattened (b, c, H*W), not eight slices of 2-d views: the value at window position (i, j)
     * is k = i*W + j of the flat rows, so
     * <pre>
     *   dr = y[k + 2W] - y[k + W]    (the seed's delta_r[:, :, 1:, :-2])
     *   dc = y[k + 2]  - y[k + 1]    (the seed's delta_c[:, :, :-2, 1:])
     * </pre>
     * for k in [0, (H-2)W), with the two columns past the window (j >= W-2) masked to 0. With
     * trailing dimensions (B, C, H, W, ...) of R elements in all, the flat index is
     * k = (i*W + j)*R + r and every offset above is R times larger (R = 1 for rank 4). Each
     * window value is the same float arithmetic as the seed's; the mean adds the same terms (and
     * exact zeros) in double. Half the slices halve the gradient's zero-fill-and-scatter passes
     * (each slice's backward writes a zeroed full-size tensor).
     */
    @Override
    public Variable build(Map<String, Variable> prepared) {
        Variable yPred = prepared.get("y_pred");
        Tensor mask = prepared.get("y_true").data();
        int b = yPred.shape().dim(0);
        int c = yPred.shape().dim(1);
        int h = yPred.shape().dim(2);
        int w = yPred.shape().dim(3);
        int r = 1;
        for (int d = 4; d < yPred.shape().rank(); d++) {
            r *= yPred.shape().dim(d);
        }
        int row = w * r;
        int span = (h - 2) * row;
        Variable flat = yPred.reshape(b, c, h * row);
        Variable dr = flat.slice(2, 2 * row, 2 * row + span, 1).sub(flat.slice(2, row, row + span, 1)).square();
        Variable dc = flat.slice(2, 2 * r, 2 * r + span, 1).sub(flat.slice(2, r, r + span, 1)).square();
        float[] columns = new float[span];
        for (int k = 0; k < span; k++) {
            columns[k] = (k / r) % w < w - 2 ? 1f : 0f;
        }
        Variable inWindow = Variable.constant(Tensor.of(columns, 1, 1, span));
        Variable length = dr.add(dc).abs().add(EPSILON).sqrt().mul(inWindow).sum()
            .mul(1f / ((long) b * c * (h - 2) * (w - 2) * r));

        Variable regionIn = yPred.mul(Variable.constant(mask.sub(Tensor.scalar(1f)).square())).mean();
        Variable regionOut = yPred.rsub(1f).mul(Variable.constant(mask.square())).mean();
        return length.mul(weight).add(regionIn.add(regionOut));
    }

    /** Options of {@link ActiveContourLoss}, with the seed's default. */
    public static final class Builder {
        private double weight = DEFAULT_WEIGHT;

        private Builder() {
        }

        /** Weight of the length term, >= 0 (default 10). */
        public Builder weight(double value) {
            RegionLoss.nonNegative("weight", value);
            weight = value;
            return this;
        }

        public ActiveContourLoss build() {
            return new ActiveContourLoss(weight);
        }
    }
}
