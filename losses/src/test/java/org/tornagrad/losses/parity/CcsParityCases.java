package org.tornagrad.losses.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tornagrad.tensor.Tensor;

/**
 * Parity cases of the CCS loss (LOSSES.md §7): padding rows, images without annotation, images
 * where no anchor passes the threshold, soft mode, other thresholds, arg-max ties, a batch of
 * one, every reduction, and labels both PyTorch and Java must reject.
 */
public final class CcsParityCases implements ParityCaseSource {

    /** Inputs of one case, as arrays to edit before they become tensors. */
    private static final class Scene {
        final int b;
        final int a;
        final int m;
        final float[] anchors;
        final float[] annotations;
        final Tensor embeddings;
        final Tensor weights;

        /**
         * B images of A anchors; image i has max(M - i, 0) real annotations (the rest padding
         * rows of -1), with boxes from the seeded uniform stream; every other anchor is a jittered
         * copy of one of them (many overlap it by more than 0.5, some by less), the others lie at
         * random.
         */
        Scene(long seed, int b, int a, int e, int k, int m) {
            this.b = b;
            this.a = a;
            this.m = m;
            float[] u = CaseData.uniform(seed, 0f, 1f, b * (m * 5 + a * 6)).toArray();
            int next = 0;
            annotations = new float[b * m * 5];
            Arrays.fill(annotations, -1f);
            anchors = new float[b * a * 4];
            for (int img = 0; img < b; img++) {
                int real = Math.max(m - img, 0);
                for (int j = 0; j < real; j++) {
                    int at = (img * m + j) * 5;
                    box(u, next, annotations, at);
                    annotations[at + 4] = (float) Math.min(k - 1, Math.floor(u[next + 4] * k));
                    next += 5;
                }
                for (int i = 0; i < a; i++) {
                    int at = (img * a + i) * 4;
                    if (i % 2 == 0 && real > 0) {
                        int src = (img * m + (int) Math.min(real - 1, Math.floor(u[next] * real))) * 5;
                        for (int c = 0; c < 4; c++) {
                            anchors[at + c] = annotations[src + c] + 1.6f * (u[next + 1 + c] - 0.5f);
                        }
                    } else {
                        box(u, next, anchors, at);
                    }
                    next += 6;
                }
            }
            embeddings = CaseData.logits(seed + 1, 1f, b, a, e);
            weights = CaseData.logits(seed + 2, 1f, e, k);
        }

        private static void box(float[] u, int from, float[] into, int at) {
            float x = 20 * u[from];
            float y = 20 * u[from + 1];
            into[at] = x;
            into[at + 1] = y;
            into[at + 2] = x + 3 + 6 * u[from + 2];
            into[at + 3] = y + 3 + 6 * u[from + 3];
        }

        /** Turns every annotation of image {@code img} into padding. */
        Scene withoutAnnotations(int img) {
            for (int j = 0; j < m; j++) {
                annotations[(img * m + j) * 5 + 4] = -1f;
            }
            return this;
        }

        /** Moves every annotation box of image {@code img} far from all anchors. */
        Scene outOfReach(int img) {
            for (int j = 0; j < m; j++) {
                for (int c = 0; c < 4; c++) {
                    annotations[(img * m + j) * 5 + c] += 100f;
                }
            }
            return this;
        }

        ParityCase toCase(String label) {
            return ParityCase.of("ccs", label)
                .input("anchors", Tensor.of(anchors, b, a, 4))
                .input("embeddings", embeddings)
                .input("weights", weights)
                .input("annotations", Tensor.of(annotations, b, m, 5));
        }
    }

    @Override
    public List<ParityCase> cases() {
        List<ParityCase> out = new ArrayList<>();
        // Image i has M - i real rows: images 1 and 2 have padding rows.
        out.add(new Scene(701, 3, 40, 6, 4, 3).toCase("padding-rows"));
        out.add(new Scene(702, 3, 40, 6, 4, 3).toCase("soft").option("soft", "true"));
        out.add(new Scene(703, 3, 30, 5, 3, 2).withoutAnnotations(1).toCase("image-without-annotations"));
        out.add(new Scene(704, 3, 30, 5, 3, 2).outOfReach(0).toCase("image-without-selected-anchor"));
        out.add(new Scene(705, 2, 50, 4, 3, 3).toCase("thresholds-0.3-0.2")
            .option("iou_object", "0.3").option("iou_background", "0.2"));
        out.add(new Scene(706, 2, 50, 4, 3, 3).toCase("soft-threshold-0.7")
            .option("soft", "true").option("iou_object", "0.7"));

        Scene tie = new Scene(707, 2, 40, 5, 4, 3);
        System.arraycopy(tie.annotations, 0, tie.annotations, 5, 4);     // row 1: row 0's box ...
        tie.annotations[4] = 0f;
        tie.annotations[9] = 3f;                                          // ... with another label
        out.add(tie.toCase("argmax-tie"));

        out.add(new Scene(708, 1, 60, 8, 5, 4).toCase("batch1"));
        out.add(new Scene(709, 1, 60, 8, 5, 4).toCase("batch1-soft-sum").option("soft", "true")
            .option("reduction", "sum"));
        out.add(new Scene(710, 4, 30, 6, 3, 3).toCase("reduction-none").option("reduction", "none"));
        out.add(new Scene(711, 2, 20, 4, 3, 2).withoutAnnotations(0).withoutAnnotations(1).toCase("no-term-at-all"));
        out.add(new Scene(712, 2, 20, 4, 3, 0).toCase("no-annotation-rows"));
        out.add(new Scene(713, 2, 400, 16, 10, 8).toCase("larger").option("soft", "true"));

        Scene tooLarge = new Scene(714, 2, 20, 4, 3, 2);
        tooLarge.annotations[4] = 3f;                                     // K = 3: labels end at 2
        out.add(tooLarge.toCase("error-label-out-of-range"));
        Scene fractional = new Scene(715, 2, 20, 4, 3, 2);
        fractional.annotations[4] = 1.5f;
        out.add(fractional.toCase("error-fractional-label"));
        return out;
    }
}
