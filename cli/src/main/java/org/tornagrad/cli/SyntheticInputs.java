package org.tornagrad.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.tornagrad.losses.Loss;
import org.tornagrad.tensor.Tensor;

/**
 * Plausible random inputs of chosen shapes, for drawing a loss's graph without data files. The
 * first input listed per loss is the primary one (a bare {@code --shape DIMS} sets it); the
 * others take their shapes from it unless given.
 */
final class SyntheticInputs {
    private static final long SEED = 7;

    private SyntheticInputs() {
    }

    /** The input whose shape a bare {@code --shape DIMS} sets. */
    static String primary(String loss) {
        return switch (loss) {
            case "active-contour" -> "y_pred";
            case "boundary" -> "pred";
            case "ccs" -> "embeddings";
            default -> "inputs";
        };
    }

    /**
     * Parses {@code --shape} values, {@code NAME=DIMS} or {@code DIMS} (for the primary input),
     * where DIMS is like {@code 1x3x16x16} or {@code 1,3,16,16}.
     */
    static Map<String, int[]> parseShapes(Loss loss, List<String> specs) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = eq < 0 ? primary(loss.name()) : spec.substring(0, eq);
            if (!loss.inputNames().contains(name)) {
                throw new IllegalArgumentException("--shape input name: expected one of " + loss.inputNames() + " for "
                    + loss.name() + ", got '" + name + "'");
            }
            shapes.put(name, dims(spec.substring(eq + 1), spec));
        }
        return shapes;
    }

    private static int[] dims(String text, String spec) {
        String[] parts = text.trim().split("[x,]", -1);
        int[] dims = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                dims[i] = Integer.parseInt(parts[i].trim());
                if (dims[i] < 1 || dims[i] > 4096) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shape: expected [NAME=]DIMS with dimensions in [1, 4096] like 1x3x16x16,"
                + " got '" + spec + "'");
        }
        return dims;
    }

    /** {@code given} plus a made-up tensor for each missing input, of the shape asked for or derived. */
    static Map<String, Tensor> complete(Loss loss, Map<String, String> options, Map<String, Tensor> given,
                                        Map<String, int[]> shapes) {
        Map<String, int[]> want = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : given.entrySet()) {
            want.put(e.getKey(), e.getValue().shape().dims());
        }
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            want.putIfAbsent(e.getKey(), e.getValue());
        }
        String mode = options.getOrDefault("mode", "binary").trim().toLowerCase(Locale.ROOT);
        Random r = new Random(SEED);
        Map<String, Tensor> out = new LinkedHashMap<>();
        switch (loss.name()) {
            case "active-contour" -> {
                int[] s = want.getOrDefault("y_pred", want.getOrDefault("y_true", new int[] {1, 1, 8, 8}));
                out.put("y_true", made(given, "y_true", () -> binary(r, want.getOrDefault("y_true", s))));
                out.put("y_pred", made(given, "y_pred", () -> uniform(r, 0.05f, 0.95f, want.getOrDefault("y_pred", s))));
            }
            case "boundary" -> {
                // gt (N, H, W) or (N, 1, H, W) without pred: pred (N, C, H, W), C covering its labels.
                int[] g = want.get("gt");
                int[] p = want.getOrDefault("pred", g == null ? new int[] {1, 3, 8, 8}
                    : withAxis1(g.length == 4 && g[1] == 1 ? dropAxis1(g) : g, classesFor(given.get("gt"))));
                int classes = p.length > 1 ? p[1] : 1;
                out.put("pred", made(given, "pred", () -> normal(r, p)));
                out.put("gt", made(given, "gt", () -> labels(r, classes, want.getOrDefault("gt", dropAxis1(p)))));
            }
            case "ccs" -> ccs(r, given, want, out);
            default -> {
                // targets without inputs: inputs of the targets' shape (binary, multilabel), or for
                // labels (N, *) inputs (N, C, *) with C covering the labels (multiclass).
                int[] t = want.get("targets");
                int[] x = want.getOrDefault("inputs", t == null ? new int[] {1, mode.equals("multiclass") ? 3 : 1, 8, 8}
                    : mode.equals("multiclass") ? withAxis1(t, classesFor(given.get("targets"))) : t);
                out.put("inputs", made(given, "inputs", () -> normal(r, x)));
                if (mode.equals("multiclass")) {
                    int classes = x.length > 1 ? x[1] : 1;
                    out.put("targets", made(given, "targets", () -> labels(r, classes, want.getOrDefault("targets", dropAxis1(x)))));
                } else {
                    out.put("targets", made(given, "targets", () -> binary(r, want.getOrDefault("targets", x))));
                }
            }
        }
        return out;
    }

    /** CCS: anchors on a 32x32 image; the first annotations copy the first anchors, so some are selected. */
    private static void ccs(Random r, Map<String, Tensor> given, Map<String, int[]> want, Map<String, Tensor> out) {
        // Without embeddings: B from anchors or annotations, A from anchors, E from weights, if given.
        int[] anchorsGiven = want.get("anchors");
        int[] annotationsGiven = want.get("annotations");
        int[] weightsGiven = want.get("weights");
        int[] emb = want.getOrDefault("embeddings", new int[] {
            anchorsGiven != null ? anchorsGiven[0] : annotationsGiven != null ? annotationsGiven[0] : 1,
            anchorsGiven != null && anchorsGiven.length > 1 ? anchorsGiven[1] : 6,
            weightsGiven != null ? weightsGiven[0] : 4});
        int batch = emb[0];
        int anchors = emb.length > 1 ? emb[1] : 1;
        int e = emb.length > 2 ? emb[2] : 1;
        int[] w = want.getOrDefault("weights", new int[] {e, 3});
        // At least one, so that made-up labels exist even for weights with K = 0, which the loss then refuses.
        int classes = w.length > 1 ? Math.max(1, w[1]) : 1;
        int[] anc = want.getOrDefault("anchors", new int[] {batch, anchors, 4});
        int[] ann = want.getOrDefault("annotations", new int[] {batch, 2, 5});
        Tensor anchorT = made(given, "anchors", () -> boxes(r, anc));
        out.put("anchors", anchorT);
        out.put("embeddings", made(given, "embeddings", () -> normal(r, emb)));
        out.put("weights", made(given, "weights", () -> normal(r, w)));
        out.put("annotations", made(given, "annotations", () -> {
            float[] a = anchorT.toArray();
            float[] v = new float[size(ann)];
            if (ann.length == 3 && anc.length == 3 && ann[2] == 5 && anc[2] == 4) {
                for (int b = 0; b < Math.min(ann[0], anc[0]); b++) {
                    for (int m = 0; m < ann[1]; m++) {
                        int at = (b * ann[1] + m) * 5;
                        if (m < anc[1]) {
                            System.arraycopy(a, (b * anc[1] + m) * 4, v, at, 4);
                            v[at + 4] = m % classes;
                        } else {
                            v[at + 4] = -1;    // padding
                        }
                    }
                }
            }
            return Tensor.of(v, ann);
        }));
    }

    private interface Maker {
        Tensor make();
    }

    private static Tensor made(Map<String, Tensor> given, String name, Maker maker) {
        Tensor t = given.get(name);
        return t != null ? t : maker.make();
    }

    /**
     * The classes made-up logits get for given labels: 3, or more where a label is larger (at most
     * 4096, as --shape's dimensions; larger or non-integral labels are the loss's error to report).
     */
    private static int classesFor(Tensor labels) {
        int classes = 3;
        if (labels != null) {
            for (float v : labels.toArray()) {
                if (v >= classes && v < 4096) {
                    classes = (int) v + 1;
                }
            }
        }
        return classes;
    }

    /** {@code s} with a dimension of {@code size} inserted at axis 1. */
    private static int[] withAxis1(int[] s, int size) {
        int[] d = new int[s.length + 1];
        d[0] = s.length > 0 ? s[0] : 1;
        d[1] = size;
        if (s.length > 1) {
            System.arraycopy(s, 1, d, 2, s.length - 1);
        }
        return d;
    }

    private static int[] dropAxis1(int[] s) {
        if (s.length < 2) {
            return s.clone();
        }
        int[] d = new int[s.length - 1];
        d[0] = s[0];
        System.arraycopy(s, 2, d, 1, s.length - 2);
        return d;
    }

    private static int size(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    private static Tensor normal(Random r, int[] dims) {
        float[] v = new float[size(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, dims);
    }

    private static Tensor uniform(Random r, float lo, float hi, int[] dims) {
        float[] v = new float[size(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextFloat();
        }
        return Tensor.of(v, dims);
    }

    private static Tensor binary(Random r, int[] dims) {
        float[] v = new float[size(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextBoolean() ? 1f : 0f;
        }
        return Tensor.of(v, dims);
    }

    private static Tensor labels(Random r, int classes, int[] dims) {
        float[] v = new float[size(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(Math.max(classes, 1));
        }
        return Tensor.of(v, dims);
    }

    /** Boxes x1, y1, x2, y2 inside a 32x32 image, in the last axis of {@code dims} (4 when well formed). */
    private static Tensor boxes(Random r, int[] dims) {
        float[] v = new float[size(dims)];
        int last = dims[dims.length - 1];
        for (int i = 0; i + 3 < v.length && last == 4; i += 4) {
            float x = r.nextInt(24);
            float y = r.nextInt(24);
            v[i] = x;
            v[i + 1] = y;
            v[i + 2] = x + 4 + r.nextInt(8);
            v[i + 3] = y + 4 + r.nextInt(8);
        }
        return Tensor.of(v, dims);
    }
}
