package org.tornagrad.losses;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Tracer;
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
    /** A thread's arrays for {@link #prepare}: the loss stays immutable and may serve all threads. */
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

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

    /**
     * Checks the inputs and assigns anchors to annotations on the host (the selection depends on
     * the boxes' values). The selected anchors of all images become fixed-size index tensors, so
     * that {@link #build} has static shapes: {@code rows} (row b·A + a of the (B·A, E)
     * embeddings, for each selected anchor, images in order), {@code labels} (its annotation's
     * class), {@code members} ((B, S): 1 where row s belongs to image b), {@code inv_counts}
     * (1 / selected anchors of each image), and with {@code soft} each anchor's {@code iou}. S is
     * rounded up to a power of two, the extra rows repeating the last real one with no member
     * image, so that batches with similar counts share one compiled program. The tensors are new
     * at each call (an eager graph keeps them).
     */
    @Override
    public Map<String, Tensor> prepare(Map<String, Tensor> inputs) {
        return prepare(inputs, false);
    }

    /**
     * {@link #prepare} without its check that the embeddings are finite (the compiled program
     * does it: {@link #guard}), into tensors this loss keeps per thread and refills at
     * the same thread's next call (per batch size B and padded size S, the last four sizes kept),
     * so that after warm-up a call allocates nothing: the returned tensors other than the inputs
     * are valid until this thread calls {@code prepareUnchecked} of this loss again, which is how
     * {@link CompiledLoss} uses them (it runs its program on them at once). A thread keeps its
     * arrays (B·S floats and a few per anchor) while it lives or until the loss is collected, and
     * refers to its last call's embeddings and weights until its next call (as a compiled program
     * does to its last inputs).
     */
    @Override
    public Map<String, Tensor> prepareUnchecked(Map<String, Tensor> inputs) {
        return prepare(inputs, true);
    }

    private Map<String, Tensor> prepare(Map<String, Tensor> inputs, boolean reuse) {
        Checks.requireInputs(NAME, INPUTS, inputs);
        Tensor anchors = inputs.get("anchors");
        Tensor embeddings = inputs.get("embeddings");
        Tensor weights = inputs.get("weights");
        Tensor annotations = inputs.get("annotations");
        checkShapes(anchors, embeddings, weights, annotations);
        int batch = anchors.dim(0);
        int anchorCount = anchors.dim(1);
        int embeddingSize = embeddings.dim(2);
        int classes = weights.dim(1);
        // Each tensor's values read once (a contiguous tensor's own array): asking a tensor
        // whether it is contiguous allocates, and the compiled path calls this for every batch.
        float[] anchorValues = Checks.values(anchors);
        float[] e = Checks.values(embeddings);
        float[] w = Checks.values(weights);
        float[] ann = Checks.values(annotations);
        requireFinite("anchors", anchors, anchorValues);
        if (!reuse) {
            // The compiled path checks the embeddings in its program (see guard).
            requireFinite("embeddings", embeddings, e);
        }
        requireFinite("weights", weights, w);
        requireFinite("annotations", annotations, ann);
        checkLabels(ann, annotations.dim(1), classes);

        Workspace workspace = workspaces.get();
        CcsSelection selection = workspace.selection;
        selection.clear(batch);
        float threshold = (float) iouObject;
        double[] classSquares = workspace.classSquares(w, embeddingSize, classes);
        for (int b = 0; b < batch; b++) {
            selection.addImage(b, anchorValues, anchorCount, ann, annotations.dim(1), threshold);
            for (int s = selection.start(b); s < selection.end(b); s++) {
                int anchor = selection.anchor(s);
                requireNonZeroNorms(b, anchor, selection.label(s), e, (b * anchorCount + anchor) * embeddingSize,
                    embeddingSize, classSquares);
            }
        }
        int total = selection.total();
        if (total == 0) {
            // No term anywhere: build gives connected zeros.
            Map<String, Tensor> out = reuse ? workspace.withoutTerms : new LinkedHashMap<>();
            out.put("embeddings", embeddings);
            out.put("weights", weights);
            return reuse ? workspace.withoutTermsView : out;
        }
        int padded = CcsPreparedTensors.paddedRows(total);
        CcsPreparedTensors tensors = reuse ? workspace.tensors(batch, padded, soft)
            : new CcsPreparedTensors(batch, padded, soft);
        return tensors.fill(selection, anchorCount, embeddings, weights);
    }

    /** One thread's arrays: the selection, the class vectors' squares, the prepared tensors of the last few sizes. */
    private static final class Workspace {
        final CcsSelection selection = new CcsSelection();
        // S follows the data, so a training run may alternate between two or three sizes.
        private final CcsPreparedTensors[] recent = new CcsPreparedTensors[4];
        private int next;
        // The prepared inputs when no anchor is selected: the differentiated inputs alone.
        final Map<String, Tensor> withoutTerms = new LinkedHashMap<>();
        final Map<String, Tensor> withoutTermsView = Collections.unmodifiableMap(withoutTerms);

        private double[] classSquares = new double[0];

        /**
         * Each class k's sum of squares of its vector {@code weights[:, k]} (float squares added
         * in double, in order, as {@link Variable#norm}), computed once per call instead of once
         * per selected anchor: a column is read with a stride of K floats.
         */
        double[] classSquares(float[] weights, int embeddingSize, int classes) {
            if (classSquares.length < classes) {
                classSquares = new double[classes];
            }
            java.util.Arrays.fill(classSquares, 0, classes, 0.0);
            for (int i = 0; i < embeddingSize; i++) {
                for (int k = 0; k < classes; k++) {
                    float u = weights[i * classes + k];
                    classSquares[k] += u * u;
                }
            }
            return classSquares;
        }

        CcsPreparedTensors tensors(int batch, int padded, boolean soft) {
            for (CcsPreparedTensors t : recent) {
                if (t != null && t.fits(batch, padded)) {
                    return t;
                }
            }
            CcsPreparedTensors t = new CcsPreparedTensors(batch, padded, soft);
            recent[next] = t;
            next = (next + 1) % recent.length;
            return t;
        }
    }

    /**
     * The embeddings finite, checked in the compiled program rather than by {@link
     * #prepareUnchecked} on the host: a pass over all of them (B·A·E floats, most of the host
     * time otherwise), on the worker team.
     */
    @Override
    public Variable guard(Map<String, Variable> prepared) {
        return Checks.finiteGuard(prepared.get("embeddings"));
    }

    @Override
    public Variable build(Map<String, Variable> prepared) {
        Variable embeddings = prepared.get("embeddings");
        int batch = embeddings.shape().dim(0);
        int anchorCount = embeddings.shape().dim(1);
        int embeddingSize = embeddings.shape().dim(2);
        if (!prepared.containsKey("rows")) {
            // 0 for every image, computed from the embeddings so that their (zero) gradient is
            // defined: each product with 0 is exactly +-0 for finite values.
            return reduction.apply(embeddings.mul(0f).sum(new int[] {1, 2}, false));
        }
        Variable rows = prepared.get("rows");
        // The classification vector of each selected anchor's class, one row per anchor.
        // Detached, as the seed does: no gradient flows into the classification vectors.
        Variable vector = prepared.get("weights").detach().transpose(0, 1).gatherRows(prepared.get("labels"));
        Variable chosen = embeddings.reshape(batch * anchorCount, embeddingSize).gatherRows(rows);
        // The seed's order: -1 * dot, then / |e|, then / |w|, then * iou, then (l + 1) / 2.
        Variable term = chosen.mul(vector).sum(1, false).neg()
            .div(chosen.norm(1, false))
            .div(vector.norm(1, false));
        if (soft) {
            term = term.mul(prepared.get("iou"));
        }
        Variable halved = term.add(1f).div(2f);
        // Each image's mean: the sum over its own rows (the others add exact zeros), times 1/n.
        Variable perImage = halved.reshape(1, -1).mul(prepared.get("members")).sum(1, false)
            .mul(prepared.get("inv_counts"));
        if (!Tracer.isTracing()) {
            float[] values = perImage.data().toArray();
            for (int b = 0; b < batch; b++) {
                if (!Float.isFinite(values[b])) {
                    // Finite inputs get here only when squares or products overflow float32.
                    throw new IllegalArgumentException("embeddings[" + b + "], weights: expected values whose squares"
                        + " and dot products fit in float32, got a loss of " + values[b] + " for image " + b);
                }
            }
        }
        return reduction.apply(perImage);
    }

    /** {@link Checks#requireFinite} on {@code values}, the row-major elements of {@code t}. */
    private static void requireFinite(String name, Tensor t, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + ": expected finite values, got " + values[i] + " at "
                    + Checks.position(t.shape(), i));
            }
        }
    }

    /**
     * Norms as {@link Variable#norm} computes them (float squares summed in double, as
     * {@link org.tornagrad.kernels.Reduction} for one block): 0 makes the cosine 0/0, NaN in
     * PyTorch, an error here.
     */
    private static void requireNonZeroNorms(int b, int anchor, int label, float[] e, int row, int embeddingSize,
                                            double[] classSquares) {
        double se = 0;
        for (int i = 0; i < embeddingSize; i++) {
            float v = e[row + i];
            se += v * v;
        }
        if ((float) se == 0f) {
            throw new IllegalArgumentException("embeddings[" + b + ", " + anchor + "]: expected a non-zero"
                + " embedding for a selected anchor (its cosine would be NaN, as in PyTorch), got norm 0");
        }
        if ((float) classSquares[label] == 0f) {
            throw new IllegalArgumentException("weights[:, " + label + "]: expected a non-zero classification"
                + " vector for class " + label + ", used by image " + b + " anchor " + anchor
                + " (its cosine would be NaN, as in PyTorch), got norm 0");
        }
    }

    /** Checks ranks and agreeing sizes. */
    private static void checkShapes(Tensor anchors, Tensor embeddings, Tensor weights, Tensor annotations) {
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
        if (weights.dim(1) == 0) {
            // No class could label an annotation: refused here, as a shape, rather than as every
            // label being outside the empty range [0, -1] (anchors A = 0 and annotations M = 0 stay
            // legal: the reference then selects no anchor and its loss is 0).
            throw new IllegalArgumentException("weights: expected shape (E, K) with K >= 1, got "
                + weights.shape());
        }
        Checks.requireRank("annotations", annotations, 3, "(B, M, 5)");
        if (annotations.dim(0) != batch || annotations.dim(2) != 5) {
            throw new IllegalArgumentException("annotations: expected shape (B, M, 5) = (" + batch
                + ", M, 5) of x1, y1, x2, y2, label, got " + annotations.shape());
        }
    }

    /** Every label of the (B, M, 5) {@code annotations} values integral and in [-1, K-1]; -1 marks padding. */
    private static void checkLabels(float[] d, int m, int classes) {
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
