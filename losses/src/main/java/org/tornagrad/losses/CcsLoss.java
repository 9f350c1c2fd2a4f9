package org.tornagrad.losses;

import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * Classification vector-centred cosine similarity loss (Guo and Zhang 2017, "One-shot Face
 * Recognition by Promoting Underrepresented Classes", as torchsight implements it; seed 001):
 * pulls the embedding of every anchor assigned to an object towards the classification vector of
 * the object's class.
 *
 * <p>Inputs: {@code anchors} (B, A, 4) as x1, y1, x2, y2; {@code embeddings} (B, A, E),
 * differentiated; {@code weights} (E, K), the classification vectors, detached (no gradient
 * flows into them); {@code annotations} (B, M, 5) as x1, y1, x2, y2, label, where rows labelled
 * -1 are padding. For each image b, with the padding rows dropped and the anchors assigned to
 * their best annotation by {@link AnchorAssignment} (selected: IoU {@code > iouObject}):
 * <pre>
 *   l_s    = -(e_s · w_{label(s)}) / |e_s| / |w_{label(s)}|     for each selected anchor s
 *   l_s   *= iou_s                                               (with soft)
 *   loss_b = mean_s (l_s + 1) / 2,   or 0 without annotation or without selected anchor
 *   loss   = reduce_b(loss_b)
 * </pre>
 * Defaults are torchsight's: {@code soft = false}, {@code iouObject = 0.5},
 * {@code iouBackground = 0.4} (accepted for parity with torchsight's thresholds; it selects no
 * loss term), {@code reduction = mean} over the B images, zero-loss images included ({@code sum},
 * or {@code none} giving shape (B)).
 *
 * <p>Where this departs from the seed, and why:
 * <ul>
 *   <li>Errors instead of NaN: PyTorch gives NaN when a selected anchor's embedding has norm 0,
 *       or when the classification vector of a class in use has norm 0 (0/0 in the cosine).
 *       Here each is an IllegalArgumentException naming the image and the anchor (and the
 *       class); so are NaN or infinite inputs, labels that are not integers in [-1, K-1], and
 *       shapes that do not agree.</li>
 *   <li>An image without a loss term contributes a zero that stays connected to its embeddings,
 *       so {@code backward()} always works and gives them zero gradient; in PyTorch a batch with
 *       no term at all gives a loss without {@code grad_fn}.</li>
 *   <li>With {@code soft}, each anchor's term is multiplied by its own IoU with its assigned
 *       annotation (the seed's {@code loss *= iou} with torchsight's IoU of the selected
 *       anchors).</li>
 * </ul>
 * The selection is data-dependent and computed on the host without gradient; the selected rows
 * of the embeddings are gathered with {@code indexSelect}, so gradients reach only them.
 *
 * <pre>{@code
 * Loss loss = CcsLoss.builder().soft(true).iouObject(0.6).build();
 * Variable emb = Variable.param(embeddings);                       // (B, A, E)
 * Variable value = loss.compute(Map.of("anchors", Variable.constant(anchors), "embeddings", emb,
 *     "weights", Variable.constant(weights), "annotations", Variable.constant(annotations)));
 * value.backward();                                                // emb.grad()
 * }</pre>
 */
public final class CcsLoss implements Loss {
    public static final String NAME = "ccs";
    private static final List<String> INPUTS = List.of("anchors", "embeddings", "weights", "annotations");
    /** The annotation label that marks a padding row. */
    static final float PADDING = -1f;

    private final boolean soft;
    private final double iouObject;
    private final double iouBackground;
    private final Reduction reduction;

    private CcsLoss(Builder b) {
        this.soft = b.soft;
        this.iouObject = b.iouObject;
        this.iouBackground = b.iouBackground;
        this.reduction = b.reduction;
    }

    /** A builder with torchsight's defaults: soft false, iouObject 0.5, iouBackground 0.4, reduction mean. */
    public static Builder builder() {
        return new Builder();
    }

    /** The loss with torchsight's defaults. */
    public static CcsLoss create() {
        return builder().build();
    }

    /** The loss configured from snake_case options {@code soft}, {@code iou_object}, {@code iou_background}, {@code reduction}. */
    public static CcsLoss fromOptions(Options options) {
        Builder b = builder();
        b.soft(options.bool("soft", b.soft));
        double object = options.number("iou_object", b.iouObject, 0.0, 1.0);
        b.iouObject(object);
        if (options.has("iou_background")) {
            b.iouBackground(options.number("iou_background", b.iouBackground, 0.0, object));
        } else {
            // Read for the list of known keys only; the default is not checked against iou_object.
            options.number("iou_background", b.iouBackground, 0.0, 1.0);
        }
        b.reduction(Reduction.from(options));
        return b.build();
    }

    /** The settings of a {@link CcsLoss}; each setter checks its value at once. */
    public static final class Builder {
        private boolean soft;
        private double iouObject = 0.5;
        private double iouBackground = 0.4;
        private boolean backgroundGiven;
        private Reduction reduction = Reduction.MEAN;

        private Builder() {
        }

        /** Weight each anchor's cosine term by its IoU (default false). */
        public Builder soft(boolean value) {
            this.soft = value;
            return this;
        }

        /** Anchors with best IoU strictly above this are objects: a number in [0, 1] (default 0.5). */
        public Builder iouObject(double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(NAME + " option iouObject: expected a number in [0, 1], got " + value);
            }
            this.iouObject = value;
            return this;
        }

        /**
         * torchsight's background threshold, in [0, iouObject] when given (default 0.4). It
         * selects no loss term; it is kept so that torchsight's thresholds carry over.
         */
        public Builder iouBackground(double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(NAME + " option iouBackground: expected a number in [0, 1], got "
                    + value);
            }
            this.iouBackground = value;
            this.backgroundGiven = true;
            return this;
        }

        /** Reduction of the B per-image losses (default mean). */
        public Builder reduction(Reduction value) {
            if (value == null) {
                throw new IllegalArgumentException("reduction: expected mean, sum or none, got null");
            }
            this.reduction = value;
            return this;
        }

        public CcsLoss build() {
            if (backgroundGiven && iouBackground > iouObject) {
                throw new IllegalArgumentException(NAME + " option iouBackground: expected a number in [0, iouObject = "
                    + iouObject + "], got " + iouBackground);
            }
            return new CcsLoss(this);
        }
    }

    public boolean soft() {
        return soft;
    }

    public double iouObject() {
        return iouObject;
    }

    public double iouBackground() {
        return iouBackground;
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
        return List.of("embeddings");
    }

    @Override
    public Variable compute(Map<String, Variable> inputs) {
        Checks.requireInputs(NAME, INPUTS, inputs);
        Tensor anchors = inputs.get("anchors").data();
        Variable embeddings = inputs.get("embeddings");
        Tensor weights = inputs.get("weights").data();
        Tensor annotations = inputs.get("annotations").data();
        int[] dims = checkShapes(anchors, embeddings.data(), weights, annotations);
        int batch = dims[0];
        int anchorCount = dims[1];
        int embeddingSize = dims[2];
        int classes = dims[3];
        Checks.requireFinite("anchors", anchors);
        Checks.requireFinite("embeddings", embeddings.data());
        Checks.requireFinite("weights", weights);
        Checks.requireFinite("annotations", annotations);
        checkLabels(annotations, classes);

        float[] w = weights.toArray();
        Variable[] perImage = new Variable[batch];
        for (int b = 0; b < batch; b++) {
            Variable imageEmbeddings = embeddings.slice(0, b, b + 1, 1).reshape(anchorCount, embeddingSize);
            perImage[b] = imageLoss(b, anchors.slice(0, b, b + 1, 1).reshape(anchorCount, 4), imageEmbeddings,
                w, embeddingSize, classes, annotations.slice(0, b, b + 1, 1).reshape(annotations.dim(1), 5));
        }
        return reduction.apply(Variable.stack(0, perImage));
    }

    /** The loss of image {@code b}: the mean of its selected anchors' terms, or a connected 0. */
    private Variable imageLoss(int b, Tensor anchors, Variable embeddings, float[] weights, int embeddingSize,
                               int classes, Tensor annotations) {
        float[] rows = annotations.toArray();
        int m = annotations.dim(0);
        int kept = 0;
        for (int j = 0; j < m; j++) {
            if (rows[5 * j + 4] != PADDING) {
                kept++;
            }
        }
        float[] boxes = new float[4 * kept];
        int[] labels = new int[kept];
        for (int j = 0, k = 0; j < m; j++) {
            if (rows[5 * j + 4] != PADDING) {
                System.arraycopy(rows, 5 * j, boxes, 4 * k, 4);
                labels[k++] = (int) rows[5 * j + 4];
            }
        }
        if (kept == 0) {
            return zeroConnectedTo(embeddings);
        }
        AnchorAssignment assignment = AnchorAssignment.assign("anchors[" + b + "]", anchors,
            "annotations[" + b + "]", Tensor.of(boxes, kept, 4), iouObject);
        int[] selected = assignment.selectedAnchors();
        if (selected.length == 0) {
            return zeroConnectedTo(embeddings);
        }
        int[] best = assignment.bestAnnotation();
        float[] bestIou = assignment.bestIou();

        // The classification vector of each selected anchor's class, one row per anchor.
        int s = selected.length;
        float[] vectors = new float[s * embeddingSize];
        float[] iou = new float[s];
        for (int i = 0; i < s; i++) {
            int label = labels[best[selected[i]]];
            for (int e = 0; e < embeddingSize; e++) {
                vectors[i * embeddingSize + e] = weights[e * classes + label];
            }
            iou[i] = bestIou[selected[i]];
        }
        Variable vector = Variable.constant(Tensor.of(vectors, s, embeddingSize));
        Variable chosen = embeddings.indexSelect(0, selected);
        Variable embeddingNorm = chosen.norm(1, false);
        Tensor vectorNorm = vector.norm(1, false).data();
        requireNonZeroNorms(b, selected, best, labels, embeddingNorm.data(), vectorNorm);

        // The seed's order: -1 * dot, then / |e|, then / |w|, then * iou, then (l + 1) / 2.
        Variable term = chosen.mul(vector).sum(1, false).neg()
            .div(embeddingNorm)
            .div(Variable.constant(vectorNorm));
        if (soft) {
            term = term.mul(Variable.constant(Tensor.of(iou, s)));
        }
        Variable loss = term.add(1f).div(2f).mean();
        if (!Float.isFinite(loss.data().item())) {
            // Finite inputs get here only when squares or products overflow float32.
            throw new IllegalArgumentException("embeddings[" + b + "], weights: expected values whose squares and dot"
                + " products fit in float32, got a loss of " + loss.data().item() + " for image " + b);
        }
        return loss;
    }

    /** 0, computed from the image's embeddings so that their (zero) gradient is defined. */
    private static Variable zeroConnectedTo(Variable embeddings) {
        // Each product with 0 is exactly +-0 for finite values, so the sum is 0.
        return embeddings.mul(0f).sum();
    }

    private static void requireNonZeroNorms(int b, int[] selected, int[] best, int[] labels, Tensor embeddingNorm,
                                            Tensor vectorNorm) {
        float[] en = embeddingNorm.toArray();
        float[] vn = vectorNorm.toArray();
        for (int i = 0; i < selected.length; i++) {
            if (en[i] == 0f) {
                throw new IllegalArgumentException("embeddings[" + b + ", " + selected[i] + "]: expected a non-zero"
                    + " embedding for a selected anchor (its cosine would be NaN, as in PyTorch), got norm 0");
            }
            if (vn[i] == 0f) {
                int label = labels[best[selected[i]]];
                throw new IllegalArgumentException("weights[:, " + label + "]: expected a non-zero classification"
                    + " vector for class " + label + ", used by image " + b + " anchor " + selected[i]
                    + " (its cosine would be NaN, as in PyTorch), got norm 0");
            }
        }
    }

    /** Checks ranks and agreeing sizes; returns {B, A, E, K}. */
    private static int[] checkShapes(Tensor anchors, Tensor embeddings, Tensor weights, Tensor annotations) {
        Checks.requireRank("anchors", anchors, 3, "(B, A, 4)");
        if (anchors.dim(2) != 4) {
            throw new IllegalArgumentException("anchors: expected shape (B, A, 4) of boxes x1, y1, x2, y2, got "
                + anchors.shape());
        }
        int batch = anchors.dim(0);
        int anchorCount = anchors.dim(1);
        if (batch == 0) {
            throw new IllegalArgumentException("anchors: expected at least one image (B >= 1), got shape "
                + anchors.shape());
        }
        Checks.requireRank("embeddings", embeddings, 3, "(B, A, E)");
        if (embeddings.dim(0) != batch || embeddings.dim(1) != anchorCount || embeddings.dim(2) == 0) {
            throw new IllegalArgumentException("embeddings: expected shape (B, A, E) = (" + batch + ", " + anchorCount
                + ", E >= 1) as anchors " + anchors.shape() + ", got " + embeddings.shape());
        }
        int embeddingSize = embeddings.dim(2);
        Checks.requireRank("weights", weights, 2, "(E, K)");
        if (weights.dim(0) != embeddingSize) {
            throw new IllegalArgumentException("weights: expected shape (E, K) with E = " + embeddingSize
                + " as embeddings " + embeddings.shape() + ", got " + weights.shape());
        }
        Checks.requireRank("annotations", annotations, 3, "(B, M, 5)");
        if (annotations.dim(0) != batch || annotations.dim(2) != 5) {
            throw new IllegalArgumentException("annotations: expected shape (B, M, 5) = (" + batch
                + ", M, 5) of x1, y1, x2, y2, label, got " + annotations.shape());
        }
        return new int[] {batch, anchorCount, embeddingSize, weights.dim(1)};
    }

    /** Every label integral and in [-1, K-1]; -1 marks padding. */
    private static void checkLabels(Tensor annotations, int classes) {
        float[] d = annotations.toArray();
        int m = annotations.dim(1);
        for (int i = 4; i < d.length; i += 5) {
            float label = d[i];
            if (label != Math.rint(label) || label < PADDING || label > classes - 1) {
                int row = i / 5;
                throw new IllegalArgumentException("annotations[" + row / m + ", " + row % m + ", 4]: expected an"
                    + " integer label in [0, " + (classes - 1) + "] or -1 for padding, got " + label);
            }
        }
    }
}
