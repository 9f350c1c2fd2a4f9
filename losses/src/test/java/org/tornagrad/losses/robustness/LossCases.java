package org.tornagrad.losses.robustness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/**
 * One seeded input set per loss (the seven, plus the multiclass and per-element variants that
 * take other code paths), at two sizes: {@link Size#SMALL} for many fast steps, and
 * {@link Size#LARGE}, where every pixelwise tensor holds more than two chunks of the multi-core
 * backend (32,768 elements), so that its elementwise loops, sums and pools really split.
 */
final class LossCases {
    enum Size { SMALL, LARGE }

    /** A loss by CLI name with options and inputs. */
    record Case(String label, String loss, Map<String, String> options, Map<String, Tensor> inputs) {
        Loss create() {
            return Losses.create(loss, options);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The loss value and the gradient of every differentiated input, as raw float bits. */
    record Result(int[] loss, Map<String, int[]> grads) {
        boolean sameBits(Result o) {
            if (!Arrays.equals(loss, o.loss) || !grads.keySet().equals(o.grads.keySet())) {
                return false;
            }
            for (Map.Entry<String, int[]> e : grads.entrySet()) {
                if (!Arrays.equals(e.getValue(), o.grads.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        /** Where {@code o} first differs from this, for failure messages. */
        String firstDifference(Result o) {
            if (!Arrays.equals(loss, o.loss)) {
                return "loss " + Arrays.toString(floats(loss)) + " vs " + Arrays.toString(floats(o.loss));
            }
            for (Map.Entry<String, int[]> e : grads.entrySet()) {
                int[] a = e.getValue();
                int[] b = o.grads.get(e.getKey());
                for (int i = 0; i < a.length; i++) {
                    if (b == null || a[i] != b[i]) {
                        return "gradient of " + e.getKey() + " element " + i + ": " + Float.intBitsToFloat(a[i]) + " vs "
                            + (b == null ? "missing" : Float.intBitsToFloat(b[i]));
                    }
                }
            }
            return "none";
        }

        private static float[] floats(int[] bits) {
            float[] f = new float[bits.length];
            for (int i = 0; i < bits.length; i++) {
                f[i] = Float.intBitsToFloat(bits[i]);
            }
            return f;
        }
    }

    private LossCases() {
    }

    static List<Case> all(Size size) {
        boolean large = size == Size.LARGE;
        int n = 2;
        int hw = large ? 128 : 8;
        List<Case> cases = new ArrayList<>();
        for (String region : List.of("dice", "bce-dice", "iou", "focal")) {
            int c = large ? 3 : 1;
            cases.add(new Case(region, region, Map.of(), Map.of(
                "inputs", Tensor.randn(11, n, c, hw, hw).mul(3f),
                "targets", Tensor.uniform(12, 0f, 1f, n, c, hw, hw).lt(Tensor.scalar(0.4f)))));
        }
        cases.add(new Case("dice multiclass", "dice", Map.of("mode", "multiclass", "ignore_index", "255"), Map.of(
            "inputs", Tensor.randn(13, n, 3, hw, hw).mul(2f),
            "targets", withIgnored(labels(14, 3, n, hw, hw), 255f))));
        cases.add(new Case("focal per-element", "focal", Map.of("variant", "per-element", "per_image", "true"), Map.of(
            "inputs", Tensor.randn(15, n, 1, hw, 2 * hw).mul(4f),
            "targets", Tensor.uniform(16, 0f, 1f, n, 1, hw, 2 * hw))));
        cases.add(new Case("active-contour", "active-contour", Map.of(), Map.of(
            "y_true", Tensor.uniform(17, 0f, 1f, n, 2, hw, hw).lt(Tensor.scalar(0.5f)),
            "y_pred", Tensor.uniform(18, 0.02f, 0.98f, n, 2, hw, hw))));
        int bhw = large ? 96 : 8;
        cases.add(new Case("boundary", "boundary", Map.of(), Map.of(
            "pred", Tensor.randn(19, n, 3, bhw, bhw).mul(2f),
            "gt", labels(20, 3, n, bhw, bhw))));
        cases.add(ccs(large));
        return cases;
    }

    /** Integral labels in [0, classes - 1] as floats. */
    static Tensor labels(long seed, int classes, int... dims) {
        float[] u = Tensor.uniform(seed, 0f, 1f, dims).toArray();
        for (int i = 0; i < u.length; i++) {
            u[i] = Math.min(classes - 1, (float) Math.floor(u[i] * classes));
        }
        return Tensor.of(u, dims);
    }

    /** {@code t} with every 16th element set to {@code value} (pixels an ignore_index removes). */
    static Tensor withIgnored(Tensor t, float value) {
        float[] d = t.toArray();
        for (int i = 0; i < d.length; i += 16) {
            d[i] = value;
        }
        return Tensor.of(d, t.shape().dims());
    }

    /**
     * CCS on B = 2 images of A anchors: image 0 has M annotations and image 1 one fewer plus a
     * padding row; every other anchor is a jittered copy of an annotation (most are selected, IoU
     * above 0.5), the rest lie at random.
     */
    private static Case ccs(boolean large) {
        int b = 2;
        int a = large ? 4096 : 12;
        int e = large ? 16 : 4;
        int k = 4;
        int m = 3;
        float[] u = Tensor.uniform(21, 0f, 1f, b * (m * 5 + a * 5)).toArray();
        int next = 0;
        float[] ann = new float[b * m * 5];
        Arrays.fill(ann, -1f);
        float[] anchors = new float[b * a * 4];
        for (int img = 0; img < b; img++) {
            int real = m - img;
            for (int j = 0; j < real; j++) {
                int at = (img * m + j) * 5;
                box(u, next, ann, at);
                ann[at + 4] = (float) Math.min(k - 1, Math.floor(u[next + 4] * k));
                next += 5;
            }
            for (int i = 0; i < a; i++) {
                int at = (img * a + i) * 4;
                if (i % 2 == 0) {
                    int src = (img * m + i / 2 % real) * 5;
                    for (int c = 0; c < 4; c++) {
                        anchors[at + c] = ann[src + c] + 1.2f * (u[next + c] - 0.5f);
                    }
                } else {
                    box(u, next, anchors, at);
                }
                next += 5;
            }
        }
        return new Case("ccs", "ccs", Map.of(), Map.of(
            "anchors", Tensor.of(anchors, b, a, 4),
            "embeddings", Tensor.randn(22, b, a, e),
            "weights", Tensor.randn(23, e, k),
            "annotations", Tensor.of(ann, b, m, 5)));
    }

    /** A box x1, y1, x2, y2 on a 64 x 64 image, 8 to 24 pixels wide and high. */
    private static void box(float[] u, int from, float[] out, int at) {
        float x = 40 * u[from];
        float y = 40 * u[from + 1];
        out[at] = x;
        out[at + 1] = y;
        out[at + 2] = x + 8 + 16 * u[from + 2];
        out[at + 3] = y + 8 + 16 * u[from + 3];
    }

    /**
     * Forward and backward of {@code loss} on the current thread's backend: the loss and the
     * gradient of its sum with respect to each differentiated input, each on a graph of its own.
     */
    static Result run(Loss loss, Map<String, Tensor> inputs) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            vars.put(e.getKey(), loss.differentiated().contains(e.getKey()) ? Variable.param(e.getValue())
                : Variable.constant(e.getValue()));
        }
        Variable value = loss.compute(vars);
        if (value.requiresGrad()) {
            value.sum().backward();
        }
        Map<String, int[]> grads = new LinkedHashMap<>();
        for (String name : loss.differentiated()) {
            Tensor g = vars.get(name).grad();
            grads.put(name, bits(g != null ? g : Tensor.zeros(inputs.get(name).shape().dims())));
        }
        return new Result(bits(value.data()), grads);
    }

    static int[] bits(Tensor t) {
        float[] f = t.toArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }
}
