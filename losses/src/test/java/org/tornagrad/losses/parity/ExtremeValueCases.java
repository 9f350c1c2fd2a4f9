package org.tornagrad.losses.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tornagrad.tensor.Tensor;

/**
 * Inputs at the extremes, for every loss: logits on a grid from -1e4 to 1e4 (through the points
 * where float32 sigmoid saturates, 16.64 and 88.7, and the BCE clamp bites, 100), targets at 0, 1
 * and in between, probabilities at 0, 1 and a float32 step away from them, and CCS embeddings and
 * classification vectors scaled over the same range (down to 1e-30, where squares are subnormal or underflow, and
 * exactly 0, where PyTorch's cosine is NaN). Each value appears both as a whole tensor of it (the
 * sums and denominators at saturation) and within a grid tensor of every (logit, target) pair.
 */
final class ExtremeValueCases {
    static final float[] LOGITS = {-1e4f, -1e3f, -100f, -88.7f, -50f, -30f, -17f, -16.64f, -10f, -1f, -1e-3f, 0f,
        1e-3f, 1f, 10f, 16.64f, 17f, 30f, 50f, 88.7f, 100f, 1e3f, 1e4f};
    static final float[] TARGETS = {0f, 0.3f, 0.5f, 1f};
    /** Probabilities: 0 and 1, and the float32 neighbours and near-neighbours of each. */
    static final float[] PROBABILITIES = {0f, 1e-30f, 1e-12f, 1e-7f, 0.5f, 0.9999999f, 0.99999994f, 1f};
    /** Scales of CCS embeddings and classification vectors. */
    static final float[] SCALES = {-1e4f, -1e2f, -1f, -1e-3f, 1e-3f, 1f, 1e2f, 1e4f, 1e-20f, 1e-22f, 1e-30f, 0f};

    private ExtremeValueCases() {
    }

    static List<ParityCase> all() {
        List<ParityCase> cases = new ArrayList<>();
        region(cases);
        activeContour(cases);
        boundary(cases);
        ccs(cases);
        return cases;
    }

    private static final List<Map<String, String>> BINARY_CONFIGS = List.of(
        Map.of(), Map.of("variant", "per-element"), Map.of("per_image", "true", "reduction", "none"));

    private static void region(List<ParityCase> cases) {
        for (String loss : List.of("dice", "iou", "bce-dice", "focal")) {
            for (Map<String, String> options : BINARY_CONFIGS) {
                if (options.containsKey("variant") && !loss.equals("focal")) {
                    continue;
                }
                String tag = loss + (options.isEmpty() ? "" : " " + options);
                // Every (logit, target) pair in one tensor.
                cases.add(with(ParityCase.of(loss, tag + " grid"), options)
                    .input("inputs", grid(LOGITS, TARGETS.length, true))
                    .input("targets", grid(TARGETS, LOGITS.length, false)));
                // The whole tensor at one logit and one target.
                for (float x : LOGITS) {
                    for (float t : TARGETS) {
                        cases.add(with(ParityCase.of(loss, tag + " all x=" + x + " t=" + t), options)
                            .input("inputs", Tensor.full(x, 2, 1, 2, 3))
                            .input("targets", Tensor.full(t, 2, 1, 2, 3)));
                    }
                }
            }
            // Probabilities given directly, at and next to 0 and 1.
            ParityCase probs = ParityCase.of(loss, loss + " from_logits=false grid").option("from_logits", "false")
                .input("inputs", grid(PROBABILITIES, TARGETS.length, true))
                .input("targets", grid(TARGETS, PROBABILITIES.length, false));
            cases.add(probs);
            for (float p : PROBABILITIES) {
                for (float t : new float[] {0f, 1f}) {
                    cases.add(ParityCase.of(loss, loss + " from_logits=false all p=" + p + " t=" + t)
                        .option("from_logits", "false")
                        .input("inputs", Tensor.full(p, 1, 1, 2, 2)).input("targets", Tensor.full(t, 1, 1, 2, 2)));
                }
            }
            // Softmax over classes: class 0 at x, class 1 at -x, class 2 at 0; every label.
            for (float x : LOGITS) {
                float[] logits = new float[3 * 3];
                for (int i = 0; i < 3; i++) {
                    logits[i] = x;
                    logits[3 + i] = -x;
                }
                cases.add(ParityCase.of(loss, loss + " multiclass x=" + x).option("mode", "multiclass")
                    .input("inputs", Tensor.of(logits, 1, 3, 1, 3))
                    .input("targets", Tensor.of(new float[] {0f, 1f, 2f}, 1, 1, 3)));
                cases.add(ParityCase.of(loss, loss + " multilabel x=" + x).option("mode", "multilabel")
                    .input("inputs", Tensor.of(logits, 1, 3, 1, 3))
                    .input("targets", Tensor.of(new float[] {1f, 0f, 0.5f, 0f, 1f, 0.5f, 0f, 0f, 1f}, 1, 3, 1, 3)));
            }
        }
    }

    private static void activeContour(List<ParityCase> cases) {
        for (float p : PROBABILITIES) {
            for (float t : new float[] {0f, 0.5f, 1f}) {
                cases.add(ParityCase.of("active-contour", "all p=" + p + " t=" + t)
                    .input("y_true", Tensor.full(t, 1, 1, 4, 4)).input("y_pred", Tensor.full(p, 1, 1, 4, 4)));
            }
            // A checkerboard of p and 1 - p: the largest differences between neighbours.
            float[] board = new float[25];
            float[] truth = new float[25];
            for (int i = 0; i < 25; i++) {
                board[i] = (i / 5 + i % 5) % 2 == 0 ? p : 1f - p;
                truth[i] = (i / 5 + i % 5) % 2;
            }
            cases.add(ParityCase.of("active-contour", "checkerboard p=" + p)
                .input("y_true", Tensor.of(truth, 1, 1, 5, 5)).input("y_pred", Tensor.of(board, 1, 1, 5, 5)));
        }
        cases.add(ParityCase.of("active-contour", "random extremes")
            .input("y_true", pick(31, new float[] {0f, 0.5f, 1f}, 2, 2, 6, 7))
            .input("y_pred", pick(32, PROBABILITIES, 2, 2, 6, 7)));
        cases.add(ParityCase.of("active-contour", "random extremes weight=0").option("weight", "0")
            .input("y_true", pick(33, new float[] {0f, 1f}, 1, 1, 5, 5))
            .input("y_pred", pick(34, PROBABILITIES, 1, 1, 5, 5)));
    }

    private static void boundary(List<ParityCase> cases) {
        Tensor stripes = Tensor.of(new float[] {0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 0, 0, 1, 1, 2},
            1, 5, 5);
        for (float x : LOGITS) {
            float[] pred = new float[3 * 25];
            Arrays.fill(pred, 0, 25, x);
            Arrays.fill(pred, 25, 50, -x);
            cases.add(ParityCase.of("boundary", "x=" + x + " stripes")
                .input("pred", Tensor.of(pred, 1, 3, 5, 5)).input("gt", stripes));
            cases.add(ParityCase.of("boundary", "x=" + x + " all class 0")
                .input("pred", Tensor.of(pred, 1, 3, 5, 5)).input("gt", Tensor.zeros(1, 5, 5)));
        }
        cases.add(ParityCase.of("boundary", "random extremes")
            .input("pred", pick(41, LOGITS, 2, 3, 7, 6)).input("gt", CaseData.labels(42, 3, 2, 7, 6)));
        // Windows far larger than the image (any odd int is a valid theta; 1,598,215,777 once hung
        // Java, which stepped through kernel^2 window positions; PyTorch's time grows with the
        // kernel, 100 s at that size, so these stay at a million).
        cases.add(ParityCase.of("boundary", "theta0=100001 theta=1000001").option("theta0", "100001")
            .option("theta", "1000001")
            .input("pred", CaseData.logits(45, 3f, 1, 3, 6, 5)).input("gt", CaseData.labels(46, 3, 1, 6, 5)));
        cases.add(ParityCase.of("boundary", "theta=1000001").option("theta", "1000001")
            .input("pred", pick(47, LOGITS, 1, 2, 5, 5)).input("gt", CaseData.labels(48, 2, 1, 5, 5)));
        cases.add(ParityCase.of("boundary", "random extremes theta0=1 reduction=none")
            .option("theta0", "1").option("reduction", "none")
            .input("pred", pick(43, LOGITS, 1, 2, 6, 6)).input("gt", CaseData.labels(44, 2, 1, 6, 6)));
    }

    /**
     * CCS on 2 images of 8 anchors (E = 4, K = 3): image 0 has two annotations, image 1 one and a
     * padding row; even anchors copy an annotation box (selected), odd ones lie elsewhere.
     */
    private static void ccs(List<ParityCase> cases) {
        float[] annotations = {
            2, 2, 12, 12, 0,   20, 20, 34, 30, 2,
            5, 5, 25, 15, 1,   -1, -1, -1, -1, -1};
        float[] anchors = new float[2 * 8 * 4];
        for (int b = 0; b < 2; b++) {
            for (int a = 0; a < 8; a++) {
                int at = (b * 8 + a) * 4;
                if (a % 2 == 0) {
                    int src = (b * 2 + (b == 0 ? a / 2 % 2 : 0)) * 5;
                    for (int c = 0; c < 4; c++) {
                        anchors[at + c] = annotations[src + c] + (c < 2 ? 0.5f : -0.5f) * (a % 4);
                    }
                } else {
                    anchors[at] = 40 + a;
                    anchors[at + 1] = 40;
                    anchors[at + 2] = 50 + a;
                    anchors[at + 3] = 48;
                }
            }
        }
        Tensor anchorT = Tensor.of(anchors, 2, 8, 4);
        Tensor annT = Tensor.of(annotations, 2, 2, 5);
        Tensor weights = CaseData.logits(51, 1f, 4, 3);
        Tensor signs = CaseData.cycle(new float[] {1f, -1f, 1f, 1f, -1f}, 2, 8, 4);
        Tensor normal = CaseData.logits(52, 1f, 2, 8, 4);
        for (float s : SCALES) {
            cases.add(ccsCase("embeddings all " + s, anchorT, Tensor.full(s, 2, 8, 4), weights, annT));
            cases.add(ccsCase("embeddings signs*" + s, anchorT, signs.mul(s), weights, annT));
            cases.add(ccsCase("embeddings normal*" + s + " soft", anchorT, normal.mul(s), weights, annT)
                .option("soft", "true"));
            cases.add(ccsCase("weights normal*" + s, anchorT, normal, weights.mul(s), annT));
        }
        // One selected anchor's embedding exactly zero, the others normal.
        float[] e = normal.toArray();
        Arrays.fill(e, (1 * 8 + 2) * 4, (1 * 8 + 2) * 4 + 4, 0f);
        cases.add(ccsCase("one zero embedding (image 1, anchor 2)", anchorT, Tensor.of(e, 2, 8, 4), weights, annT));
        // The classification vector of class 2 (used by image 0) exactly zero.
        float[] w = weights.toArray();
        for (int i = 0; i < 4; i++) {
            w[i * 3 + 2] = 0f;
        }
        cases.add(ccsCase("zero classification vector of class 2", anchorT, normal, Tensor.of(w, 4, 3), annT));
    }

    private static ParityCase ccsCase(String label, Tensor anchors, Tensor embeddings, Tensor weights, Tensor ann) {
        return ParityCase.of("ccs", label).input("anchors", anchors).input("embeddings", embeddings)
            .input("weights", weights).input("annotations", ann);
    }

    private static ParityCase with(ParityCase c, Map<String, String> options) {
        for (Map.Entry<String, String> o : options.entrySet()) {
            c = c.option(o.getKey(), o.getValue());
        }
        return c;
    }

    /**
     * A (1, 1, rows, cols) tensor: {@code values} down the rows, repeated along {@code repeat}
     * columns ({@code byRow}), or along the columns, repeated down as many rows.
     */
    private static Tensor grid(float[] values, int repeat, boolean byRow) {
        int rows = byRow ? values.length : repeat;
        int cols = byRow ? repeat : values.length;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = values[byRow ? r : c];
            }
        }
        return Tensor.of(out, 1, 1, rows, cols);
    }

    /** Values picked at random (seeded) from {@code values}. */
    private static Tensor pick(long seed, float[] values, int... dims) {
        float[] u = Tensor.uniform(seed, 0f, 1f, dims).toArray();
        for (int i = 0; i < u.length; i++) {
            u[i] = values[Math.min(values.length - 1, (int) (u[i] * values.length))];
        }
        return Tensor.of(u, dims);
    }
}
