package org.tornagrad.losses.parity;

import java.util.ArrayList;
import java.util.List;
import org.tornagrad.tensor.Tensor;

/**
 * Parity cases of the boundary loss (LOSSES.md §6): the seed's central crop, labels clamped from
 * both sides, a (N, 1, H, W) gt, a batch of one, several channels, saturated logits, other
 * windows, every reduction, maps smaller than the window, tied logits, and inputs both PyTorch
 * and Java must reject.
 */
public final class BoundaryParityCases implements ParityCaseSource {

    @Override
    public List<ParityCase> cases() {
        List<ParityCase> out = new ArrayList<>();
        out.add(boundary("default", CaseData.logits(601, 2f, 2, 3, 8, 9), blobs(602, 0, 2, 2, 8, 9)));
        // (12 - 8) // 2 = 2 rows and (11 - 9) // 2 = 1 column cut from each end.
        out.add(boundary("crop", CaseData.logits(603, 2f, 2, 3, 8, 9), blobs(604, 0, 2, 2, 12, 11)));
        out.add(boundary("label-clamp", CaseData.logits(605, 2f, 2, 3, 7, 7), blobs(606, -2, 5, 2, 7, 7)));
        out.add(boundary("gt-n1hw", CaseData.logits(607, 2f, 2, 3, 6, 8), blobs(608, 0, 2, 2, 6, 8).unsqueeze(1)));
        out.add(boundary("batch1", CaseData.logits(609, 2f, 1, 2, 6, 7), blobs(610, 0, 1, 1, 6, 7)));
        out.add(boundary("batch1-n1hw-crop", CaseData.logits(611, 2f, 1, 4, 5, 6),
            blobs(612, 0, 3, 1, 9, 10).unsqueeze(1)));
        out.add(boundary("six-channels", CaseData.logits(613, 3f, 2, 6, 9, 8), blobs(614, 0, 5, 2, 9, 8)));
        Tensor saturated = CaseData.replaceSome(CaseData.replaceSome(CaseData.logits(615, 2f, 2, 3, 8, 8),
            616, 0.15f, 200f), 617, 0.15f, -50f);
        out.add(boundary("saturated", CaseData.replaceSome(saturated, 618, 0.05f, 30f), blobs(619, 0, 2, 2, 8, 8)));
        // theta0 = 1: every boundary map is 0, so each term is exactly 1 with zero gradient.
        out.add(boundary("theta-1-3", CaseData.logits(620, 2f, 2, 3, 7, 8), blobs(621, 0, 2, 2, 7, 8))
            .option("theta0", "1").option("theta", "3"));
        out.add(boundary("theta-3-1", CaseData.logits(639, 2f, 2, 3, 7, 8), blobs(640, 0, 2, 2, 7, 8))
            .option("theta0", "3").option("theta", "1"));
        out.add(boundary("theta-5-7", CaseData.logits(622, 2f, 2, 3, 9, 9), blobs(623, 0, 2, 2, 9, 9))
            .option("theta0", "5").option("theta", "7"));
        out.add(boundary("theta-7-3", CaseData.logits(641, 2f, 2, 4, 9, 10), blobs(642, 0, 3, 2, 9, 10))
            .option("theta0", "7").option("theta", "3"));
        out.add(boundary("reduction-sum", CaseData.logits(624, 2f, 3, 2, 6, 6), blobs(625, 0, 1, 3, 6, 6))
            .option("reduction", "sum"));
        out.add(boundary("reduction-none", CaseData.logits(626, 2f, 3, 3, 6, 7), blobs(627, -1, 3, 3, 6, 7))
            .option("reduction", "none"));
        out.add(boundary("map-smaller-than-window", CaseData.logits(628, 2f, 2, 2, 2, 3), blobs(629, 0, 1, 2, 2, 3))
            .option("theta0", "5").option("theta", "7"));
        // Equal logits over a 3x3 patch: exact ties in the pooling windows, broken by position.
        out.add(boundary("tied-logits", tiedPatch(CaseData.logits(630, 2f, 2, 3, 7, 7)), blobs(631, 0, 2, 2, 7, 7)));
        out.add(boundary("error-odd-crop", CaseData.logits(632, 2f, 2, 3, 8, 9), blobs(633, 0, 2, 2, 11, 12)));
        out.add(boundary("error-one-sided-crop", CaseData.logits(634, 2f, 2, 3, 8, 9), blobs(635, 0, 2, 2, 10, 9)));
        out.add(boundary("error-fractional-label", CaseData.logits(636, 2f, 1, 2, 4, 4),
            CaseData.replaceSome(blobs(637, 0, 1, 1, 4, 4), 638, 0.2f, 0.5f)));
        return out;
    }

    private static ParityCase boundary(String label, Tensor pred, Tensor gt) {
        return ParityCase.of("boundary", label).input("pred", pred).input("gt", gt);
    }

    /**
     * Labels in [lo, hi] as floats: diagonal bands, so that each map has long boundaries, with
     * about one pixel in six replaced by a random label.
     */
    static Tensor blobs(long seed, int lo, int hi, int n, int h, int w) {
        int classes = hi - lo + 1;
        float[] noise = CaseData.uniform(seed, 0f, 1f, n, h, w).toArray();
        float[] out = new float[noise.length];
        for (int img = 0; img < n; img++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (img * h + y) * w + x;
                    int band = (y / 2 + x / 3 + img) % classes;
                    out[i] = lo + (noise[i] < 1f / 6 ? (int) Math.min(classes - 1, noise[i] * 6 * classes) : band);
                }
            }
        }
        return Tensor.of(out, n, h, w);
    }

    /** {@code pred} with the same logits in every pixel of the top-left 3x3 patch of image 0. */
    private static Tensor tiedPatch(Tensor pred) {
        float[] d = pred.toArray();
        int c = pred.dim(1);
        int h = pred.dim(2);
        int w = pred.dim(3);
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    d[(k * h + y) * w + x] = 0.5f * k;
                }
            }
        }
        return Tensor.of(d, pred.shape().dims());
    }
}
