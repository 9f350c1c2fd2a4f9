package org.tornagrad.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;

/**
 * The benchmark inputs of each loss, made from a fixed seed so that every run (and the PyTorch
 * comparison, which reads them as .npy) times the same data:
 * <ul>
 *   <li>dice, bce-dice, iou, focal: logits N(0, 1) and 0/1 targets, (8, 1, 512, 512);</li>
 *   <li>active-contour: probabilities U(0, 1) and a 0/1 mask, (8, 1, 512, 512);</li>
 *   <li>boundary: logits (4, 4, 256, 256) and labels (4, 256, 256) in 4 classes, as regions (the
 *       nearest of 12 random seed points) so that there are boundaries to find;</li>
 *   <li>ccs: 8 images of 20000 anchors (boxes of 32 to 256 pixels, aspect 1/2 to 2, in a 512 x 512
 *       image), 256-d embeddings N(0, 1), 80 classes, and 1 to 20 objects per image made by
 *       jittering anchors (so that some anchors have IoU > 0.5), padded to 20 rows with -1.</li>
 * </ul>
 * {@code main(DIR)} writes them as DIR/LOSS/INPUT.npy.
 */
public final class BenchInputs {
    /** The seed of every input. */
    public static final long SEED = 20240531L;

    private BenchInputs() {
    }

    /** The shapes {@link #of} makes for {@code loss}, as text for reports; null for an unknown loss. */
    public static String shapes(String loss) {
        switch (loss) {
            case "dice":
            case "bce-dice":
            case "iou":
            case "focal":
            case "active-contour":
                return "(8, 1, 512, 512)";
            case "boundary":
                return "(4, 4, 256, 256), 4 classes";
            case "ccs":
                return "8 x 20000 anchors, 256-d, 80 classes";
            default:
                return null;
        }
    }

    /** The inputs of {@code loss} (a CLI name), by input name. */
    public static Map<String, Tensor> of(String loss) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        switch (loss) {
            case "dice":
            case "bce-dice":
            case "iou":
            case "focal":
                m.put("inputs", Tensor.randn(SEED, 8, 1, 512, 512));
                m.put("targets", bernoulli(SEED + 1, 8, 1, 512, 512));
                return m;
            case "active-contour":
                m.put("y_true", bernoulli(SEED + 1, 8, 1, 512, 512));
                m.put("y_pred", Tensor.uniform(SEED, 0f, 1f, 8, 1, 512, 512));
                return m;
            case "boundary":
                m.put("pred", Tensor.randn(SEED, 4, 4, 256, 256));
                m.put("gt", regions(SEED + 1, 4, 256, 256, 4, 12));
                return m;
            case "ccs":
                return ccs(SEED, 8, 20000, 256, 80, 20);
            default:
                throw new IllegalArgumentException("loss: expected one of " + Losses.names() + ", got '" + loss + "'");
        }
    }

    private static Tensor bernoulli(long seed, int... dims) {
        Random r = new Random(seed);
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextBoolean() ? 1f : 0f;
        }
        return Tensor.of(v, dims);
    }

    /** Labels in [0, classes): each pixel takes the label of the nearest of {@code seeds} random points. */
    private static Tensor regions(long seed, int n, int h, int w, int classes, int seeds) {
        Random r = new Random(seed);
        float[] v = new float[n * h * w];
        for (int b = 0; b < n; b++) {
            int[] sy = new int[seeds];
            int[] sx = new int[seeds];
            for (int k = 0; k < seeds; k++) {
                sy[k] = r.nextInt(h);
                sx[k] = r.nextInt(w);
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int best = 0;
                    long bestD = Long.MAX_VALUE;
                    for (int k = 0; k < seeds; k++) {
                        long d = (long) (y - sy[k]) * (y - sy[k]) + (long) (x - sx[k]) * (x - sx[k]);
                        if (d < bestD) {
                            bestD = d;
                            best = k;
                        }
                    }
                    v[(b * h + y) * w + x] = best % classes;
                }
            }
        }
        return Tensor.of(v, n, h, w);
    }

    private static Map<String, Tensor> ccs(long seed, int batch, int anchors, int embedding, int classes, int objects) {
        Random r = new Random(seed);
        float[] boxes = new float[batch * anchors * 4];
        int[] sizes = {32, 64, 128, 256};
        float[] aspects = {0.5f, 1f, 2f};
        for (int i = 0; i < batch * anchors; i++) {
            float size = sizes[r.nextInt(sizes.length)];
            float aspect = aspects[r.nextInt(aspects.length)];
            float bw = size * (float) Math.sqrt(aspect);
            float bh = size / (float) Math.sqrt(aspect);
            float cx = 512f * r.nextFloat();
            float cy = 512f * r.nextFloat();
            boxes[4 * i] = cx - bw / 2;
            boxes[4 * i + 1] = cy - bh / 2;
            boxes[4 * i + 2] = cx + bw / 2;
            boxes[4 * i + 3] = cy + bh / 2;
        }
        float[] ann = new float[batch * objects * 5];
        for (int b = 0; b < batch; b++) {
            int count = 1 + r.nextInt(objects);
            for (int j = 0; j < objects; j++) {
                int at = (b * objects + j) * 5;
                if (j >= count) {
                    java.util.Arrays.fill(ann, at, at + 5, -1f);
                    continue;
                }
                int a = (b * anchors + r.nextInt(anchors)) * 4;
                for (int k = 0; k < 4; k++) {
                    ann[at + k] = boxes[a + k] + 4f * (float) r.nextGaussian();
                }
                ann[at + 4] = r.nextInt(classes);
            }
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("anchors", Tensor.of(boxes, batch, anchors, 4));
        m.put("embeddings", Tensor.randn(seed + 1, batch, anchors, embedding));
        m.put("weights", Tensor.randn(seed + 2, embedding, classes));
        m.put("annotations", Tensor.of(ann, batch, objects, 5));
        return m;
    }

    /** Writes every loss's inputs as {@code DIR/LOSS/INPUT.npy}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: BenchInputs DIR");
            System.exit(2);
        }
        for (String loss : Losses.names()) {
            Path dir = Path.of(args[0], loss);
            Files.createDirectories(dir);
            for (Map.Entry<String, Tensor> e : of(loss).entrySet()) {
                Npy.write(dir.resolve(e.getKey() + ".npy"), e.getValue());
            }
        }
    }
}
