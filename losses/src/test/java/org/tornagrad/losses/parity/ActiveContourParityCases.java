package org.tornagrad.losses.parity;

import static org.tornagrad.losses.parity.CaseData.mask;
import static org.tornagrad.losses.parity.CaseData.uniform;

import java.util.ArrayList;
import java.util.List;
import org.tornagrad.tensor.Tensor;

/** Parity cases of the active contour loss: the 3x3 minimum, flat predictions, the weight option. */
final class ActiveContourParityCases implements ParityCaseSource {
    private static final String LOSS = "active-contour";

    private static ParityCase contour(String label, Tensor yTrue, Tensor yPred) {
        return ParityCase.of(LOSS, label).input("y_true", yTrue).input("y_pred", yPred);
    }

    @Override
    public List<ParityCase> cases() {
        long s = 5000;
        List<ParityCase> out = new ArrayList<>();
        out.add(contour("seed-defaults", mask(s + 1, 0.5f, 2, 3, 8, 9), uniform(s + 2, 0f, 1f, 2, 3, 8, 9)));
        out.add(contour("minimum-3x3", mask(s + 3, 0.5f, 1, 1, 3, 3), uniform(s + 4, 0f, 1f, 1, 1, 3, 3)));
        out.add(contour("3x17", mask(s + 5, 0.5f, 2, 1, 3, 17), uniform(s + 6, 0f, 1f, 2, 1, 3, 17)));
        out.add(contour("17x3-batch1-2-channels", mask(s + 7, 0.5f, 1, 2, 17, 3), uniform(s + 8, 0f, 1f, 1, 2, 17, 3)));
        // Flat predictions: every difference is 0, so the length term is sqrt(1e-8) and abs' (0) = 0
        // stops its gradient; only the region terms pull.
        out.add(contour("flat-0.5", mask(s + 9, 0.5f, 2, 1, 5, 6), Tensor.full(0.5f, 2, 1, 5, 6)));
        out.add(contour("flat-0", mask(s + 10, 0.5f, 1, 2, 4, 4), Tensor.zeros(1, 2, 4, 4)));
        out.add(contour("flat-1-all-one-mask", Tensor.ones(1, 1, 4, 5), Tensor.ones(1, 1, 4, 5)));
        out.add(contour("binary-prediction-equals-mask", mask(s + 11, 0.5f, 2, 1, 6, 6), mask(s + 11, 0.5f, 2, 1, 6, 6)));
        out.add(contour("soft-mask", uniform(s + 12, 0f, 1f, 2, 2, 5, 7), uniform(s + 13, 0f, 1f, 2, 2, 5, 7)));
        out.add(contour("all-zero-mask", Tensor.zeros(1, 1, 6, 5), uniform(s + 14, 0f, 1f, 1, 1, 6, 5)));
        out.add(contour("weight-0", mask(s + 15, 0.5f, 2, 1, 5, 5), uniform(s + 16, 0f, 1f, 2, 1, 5, 5))
            .option("weight", "0"));
        out.add(contour("weight-2.5", mask(s + 17, 0.5f, 2, 1, 5, 5), uniform(s + 18, 0f, 1f, 2, 1, 5, 5))
            .option("weight", "2.5"));
        out.add(contour("weight-1000-larger-32x31", mask(s + 19, 0.5f, 2, 1, 32, 31), uniform(s + 20, 0f, 1f, 2, 1, 32, 31))
            .option("weight", "1000"));
        // The seed slices dims 2 and 3 only, so it runs on (B, C, H, W, ...) too: trailing
        // dimensions ride along (with H, W >= 3), a rank-3 input is an error there as here.
        out.add(contour("rank5-trailing-3", mask(s + 33, 0.5f, 2, 1, 4, 5, 3), uniform(s + 34, 0f, 1f, 2, 1, 4, 5, 3)));
        out.add(contour("rank6-3x3-soft-weight-2", uniform(s + 35, 0f, 1f, 1, 2, 3, 3, 2, 2),
            uniform(s + 36, 0f, 1f, 1, 2, 3, 3, 2, 2)).option("weight", "2"));
        out.add(contour("rank5-17x3-trailing-1", mask(s + 37, 0.5f, 1, 1, 17, 3, 1), uniform(s + 38, 0f, 1f, 1, 1, 17, 3, 1)));
        out.add(contour("error-rank5-width-2", mask(s + 39, 0.5f, 1, 1, 4, 2, 3), uniform(s + 40, 0f, 1f, 1, 1, 4, 2, 3)));
        out.add(contour("error-height-2", mask(s + 21, 0.5f, 1, 1, 2, 5), uniform(s + 22, 0f, 1f, 1, 1, 2, 5)));
        out.add(contour("error-width-2", mask(s + 23, 0.5f, 1, 1, 5, 2), uniform(s + 24, 0f, 1f, 1, 1, 5, 2)));
        out.add(contour("error-rank-3", mask(s + 25, 0.5f, 1, 5, 5), uniform(s + 26, 0f, 1f, 1, 5, 5)));
        out.add(contour("error-shape-mismatch", mask(s + 27, 0.5f, 1, 1, 5, 5), uniform(s + 28, 0f, 1f, 1, 1, 5, 6)));
        out.add(contour("error-negative-weight", mask(s + 29, 0.5f, 1, 1, 4, 4), uniform(s + 30, 0f, 1f, 1, 1, 4, 4))
            .option("weight", "-1"));
        float[] p = uniform(s + 31, 0f, 1f, 1, 1, 4, 4).toArray();
        p[5] = 1.5f;
        out.add(contour("error-prediction-above-1", mask(s + 32, 0.5f, 1, 1, 4, 4), Tensor.of(p, 1, 1, 4, 4)));
        return out;
    }
}
