package org.tornagrad.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.tornagrad.autograd.Variable;
import org.tornagrad.losses.AnchorAssignment;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/**
 * What the demo optimizes for one loss: a parameter tensor (a logit map, or CCS's anchor
 * embeddings), how the loss's inputs are built from it, a learning rate, a score of the result
 * and the three pictures (target, prediction, gradient) as RGB pixels.
 */
abstract class DemoTask {
    static final int[] PALETTE = {0x1e1e1e, 0xe6550d, 0x3182bd, 0x31a354};

    final String lossName;
    final Loss loss;
    final DemoScene scene;
    /** Plain gradient descent: param -= lr * grad. */
    final float lr;
    /** The options the loss runs with, as {@code key=value} (or "defaults"), for the table. */
    final String optionText;

    DemoTask(String lossName, Map<String, String> options, DemoScene scene, float lr) {
        this.lossName = lossName;
        this.loss = Losses.create(lossName, options);
        this.scene = scene;
        this.lr = lr;
        this.optionText = options.isEmpty() ? "defaults" : String.join(" ", new TreeMap<>(options).entrySet()
            .stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    static DemoTask of(String loss, DemoScene scene, long seed, float lrScale) {
        // These losses are means over pixels (or over a class's pixels), so their gradients shrink
        // as 1/pixels: each learning rate is a rate per pixel times the pixel count, which keeps
        // every image size alike; --lr-scale multiplies them all.
        float pixels = scene.size * scene.size * lrScale;
        return switch (loss) {
            case "dice", "iou" -> new Segmentation(loss, Map.of("mode", "multiclass"), scene, seed, 3f * pixels);
            case "bce-dice" -> new Segmentation(loss, Map.of("mode", "multiclass"), scene, seed, 1.5f * pixels);
            case "focal" -> new Segmentation(loss, Map.of("mode", "multiclass"), scene, seed, 8f * pixels);
            case "active-contour" -> new Segmentation(loss, Map.of("weight", "1"), scene, seed, 0.5f * pixels);
            case "boundary" -> new Segmentation(loss, Map.of(), scene, seed, 0.5f * pixels);
            case "ccs" -> new Ccs(scene, seed, lrScale);
            default -> throw new IllegalStateException("demo: no task for loss '" + loss + "'");
        };
    }

    abstract Tensor initialParam();

    abstract Map<String, Variable> inputs(Variable param);

    /** The score of the current parameters: mean IoU with the target, or (CCS) accuracy. */
    abstract double score(Tensor param);

    abstract int[] targetPixels();

    abstract int[] predictionPixels(Tensor param);

    /** The descent direction -grad as a picture: red where it raises the shown value, blue where it lowers it. */
    abstract int[] gradientPixels(Tensor grad);

    /** What the gradient picture shows, for its caption. */
    abstract String gradientCaption();

    // ---------------------------------------------------------------------------------------

    /** A (1, C, H, W) logit map optimized directly: region losses, active contour, boundary. */
    static final class Segmentation extends DemoTask {
        private final long seed;

        Segmentation(String loss, Map<String, String> options, DemoScene scene, long seed, float lr) {
            super(loss, options, scene, lr);
            this.seed = seed;
        }

        @Override
        Tensor initialParam() {
            return Tensor.randn(seed, 1, DemoScene.CLASSES, scene.size, scene.size).mul(0.1f);
        }

        @Override
        Map<String, Variable> inputs(Variable z) {
            Map<String, Variable> in = new LinkedHashMap<>();
            switch (lossName) {
                case "active-contour" -> {
                    in.put("y_true", Variable.constant(scene.oneHot()));
                    in.put("y_pred", z.softmax(1));    // the loss takes probabilities
                }
                case "boundary" -> {
                    in.put("pred", z);
                    in.put("gt", Variable.constant(scene.labelTensor()));
                }
                default -> {
                    in.put("inputs", z);
                    in.put("targets", Variable.constant(scene.labelTensor()));
                }
            }
            return in;
        }

        private int[] argmax(Tensor z) {
            float[] v = z.toArray();
            int n = scene.size * scene.size;
            int[] pred = new int[n];
            for (int i = 0; i < n; i++) {
                for (int c = 1; c < DemoScene.CLASSES; c++) {
                    if (v[c * n + i] > v[pred[i] * n + i]) {
                        pred[i] = c;
                    }
                }
            }
            return pred;
        }

        @Override
        double score(Tensor z) {
            int[] pred = argmax(z);
            double sum = 0;
            int count = 0;
            for (int c = 1; c < DemoScene.CLASSES; c++) {
                int inter = 0;
                int union = 0;
                for (int i = 0; i < pred.length; i++) {
                    boolean p = pred[i] == c;
                    boolean t = scene.labels[i] == c;
                    inter += p && t ? 1 : 0;
                    union += p || t ? 1 : 0;
                }
                if (union > 0) {
                    sum += (double) inter / union;
                    count++;
                }
            }
            return count == 0 ? 1 : sum / count;
        }

        @Override
        int[] targetPixels() {
            return colors(scene.labels);
        }

        @Override
        int[] predictionPixels(Tensor z) {
            return colors(argmax(z));
        }

        @Override
        int[] gradientPixels(Tensor grad) {
            float[] g = grad.toArray();
            int n = scene.size * scene.size;
            float[] shown = new float[n];
            for (int i = 0; i < n; i++) {
                shown[i] = -g[scene.labels[i] * n + i];
            }
            return diverging(shown);
        }

        @Override
        String gradientCaption() {
            return "-dL/dlogit, true class";
        }
    }

    /** CCS: the embeddings of the anchors, pulled towards their object's classification vector. */
    static final class Ccs extends DemoTask {
        private static final int EMBEDDING = 8;
        private final long seed;
        private final Tensor anchors;
        private final Tensor annotations;
        private final Tensor weights;
        private final int[] selected;
        private final int[] selectedLabels;

        Ccs(DemoScene scene, long seed, float lrScale) {
            this(scene, seed, lrScale, AnchorAssignment.assign(scene.anchors().reshape(-1, 4),
                scene.annotations().reshape(-1, 5).slice(1, 0, 4, 1), 0.5));
        }

        private Ccs(DemoScene scene, long seed, float lrScale, AnchorAssignment assignment) {
            // Mean over the selected anchors: gradients shrink as 1/selected.
            super("ccs", Map.of(), scene, 2f * lrScale * Math.max(1, assignment.selectedAnchors().length));
            this.seed = seed;
            this.anchors = scene.anchors();
            this.annotations = scene.annotations();
            this.weights = Tensor.randn(seed + 1, EMBEDDING, DemoScene.CLASSES - 1);
            this.selected = assignment.selectedAnchors();
            int[] best = assignment.bestAnnotation();
            this.selectedLabels = new int[selected.length];
            for (int s = 0; s < selected.length; s++) {
                selectedLabels[s] = (int) scene.boxes.get(best[selected[s]])[4];
            }
        }

        @Override
        Tensor initialParam() {
            return Tensor.randn(seed, 1, anchors.dim(1), EMBEDDING);
        }

        @Override
        Map<String, Variable> inputs(Variable embeddings) {
            Map<String, Variable> in = new LinkedHashMap<>();
            in.put("anchors", Variable.constant(anchors));
            in.put("embeddings", embeddings);
            in.put("weights", Variable.constant(weights));
            in.put("annotations", Variable.constant(annotations));
            return in;
        }

        /** The class (1..3) each selected anchor's embedding is closest to, by cosine. */
        private int[] predicted(Tensor embeddings) {
            float[] e = embeddings.toArray();
            float[] w = weights.toArray();
            int k = DemoScene.CLASSES - 1;
            int[] out = new int[selected.length];
            for (int s = 0; s < selected.length; s++) {
                int base = selected[s] * EMBEDDING;
                double best = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    double dot = 0;
                    double norm = 0;
                    for (int j = 0; j < EMBEDDING; j++) {
                        dot += e[base + j] * w[j * k + c];
                        norm += w[j * k + c] * w[j * k + c];
                    }
                    double cos = dot / Math.sqrt(norm);    // |e| is the same for every class
                    if (cos > best) {
                        best = cos;
                        out[s] = c + 1;
                    }
                }
            }
            return out;
        }

        @Override
        double score(Tensor embeddings) {
            int[] p = predicted(embeddings);
            int right = 0;
            for (int s = 0; s < p.length; s++) {
                right += p[s] == selectedLabels[s] ? 1 : 0;
            }
            return p.length == 0 ? 1 : (double) right / p.length;
        }

        private int[] background() {
            int[] px = colors(scene.labels);
            for (int i = 0; i < px.length; i++) {
                px[i] = blend(px[i], PALETTE[0], 0.7f);
            }
            return px;
        }

        /** Marks the centre pixel of each selected anchor with the colour of {@code classes[s]}. */
        private int[] centres(int[] classes) {
            int[] px = background();
            float[] a = anchors.toArray();
            for (int s = 0; s < selected.length; s++) {
                setPixel(px, a, selected[s], PALETTE[classes[s]]);
            }
            return px;
        }

        private void setPixel(int[] px, float[] a, int anchor, int rgb) {
            int x = (int) ((a[anchor * 4] + a[anchor * 4 + 2]) / 2);
            int y = (int) ((a[anchor * 4 + 1] + a[anchor * 4 + 3]) / 2);
            if (x >= 0 && y >= 0 && x < scene.size && y < scene.size) {
                px[y * scene.size + x] = rgb;
            }
        }

        @Override
        int[] targetPixels() {
            int[] px = centres(selectedLabels);
            for (float[] b : scene.boxes) {
                for (int x = (int) b[0]; x < (int) b[2]; x++) {
                    px[(int) b[1] * scene.size + x] = PALETTE[(int) b[4]];
                    px[((int) b[3] - 1) * scene.size + x] = PALETTE[(int) b[4]];
                }
                for (int y = (int) b[1]; y < (int) b[3]; y++) {
                    px[y * scene.size + (int) b[0]] = PALETTE[(int) b[4]];
                    px[y * scene.size + (int) b[2] - 1] = PALETTE[(int) b[4]];
                }
            }
            return px;
        }

        @Override
        int[] predictionPixels(Tensor embeddings) {
            return centres(predicted(embeddings));
        }

        @Override
        int[] gradientPixels(Tensor grad) {
            float[] g = grad.toArray();
            float[] norm = new float[scene.size * scene.size];
            float[] a = anchors.toArray();
            for (int anchor : selected) {
                double s = 0;
                for (int j = 0; j < EMBEDDING; j++) {
                    s += g[anchor * EMBEDDING + j] * g[anchor * EMBEDDING + j];
                }
                int x = (int) ((a[anchor * 4] + a[anchor * 4 + 2]) / 2);
                int y = (int) ((a[anchor * 4 + 1] + a[anchor * 4 + 3]) / 2);
                if (x >= 0 && y >= 0 && x < scene.size && y < scene.size) {
                    int i = y * scene.size + x;
                    norm[i] = Math.max(norm[i], (float) Math.sqrt(s));
                }
            }
            return diverging(norm);
        }

        @Override
        String gradientCaption() {
            return "|dL/dembedding| per anchor";
        }
    }

    // ---------------------------------------------------------------------------------------
    // Colours

    static int[] colors(int[] classes) {
        int[] px = new int[classes.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = PALETTE[classes[i]];
        }
        return px;
    }

    /** White at 0, red for positive, blue for negative, scaled by the largest magnitude. */
    static int[] diverging(float[] v) {
        float max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        int[] px = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float t = max == 0 ? 0 : (float) Math.sqrt(Math.abs(v[i]) / max);   // sqrt: small values stay visible
            px[i] = blend(0xffffff, v[i] >= 0 ? 0xd7301f : 0x2c7fb8, t);
        }
        return px;
    }

    /** {@code a} moved towards {@code b} by {@code t} in [0, 1]. */
    static int blend(int a, int b, float t) {
        int r = Math.round(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int g = Math.round(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = Math.round((a & 255) * (1 - t) + (b & 255) * t);
        return (r << 16) | (g << 8) | bl;
    }
}
