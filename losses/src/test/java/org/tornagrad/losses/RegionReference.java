package org.tornagrad.losses;

import java.util.Arrays;

/**
 * An independent reference for the region losses: docs/loss-options.md written as plain double
 * loops over (n, c, s), with no autograd and no shared code, so the Java losses' values can be
 * checked where PyTorch is not installed. Gradients are checked separately with GradCheck.
 */
final class RegionReference {
    String loss = "dice";
    String mode = "binary";
    boolean fromLogits = true;
    Integer ignoreIndex;
    boolean includeBackground = true;
    int[] classes;
    double[] classWeights;
    boolean perImage;
    String reduction = "mean";
    double smoothNumerator = 1;
    double smoothDenominator = 1;
    double eps = 0;
    String variant = "seed";
    double alpha = 0.8;
    double gamma = 2;

    static double bce(double p, double t) {
        return -(t * Math.max(Math.log(p), -100) + (1 - t) * Math.max(Math.log(1 - p), -100));
    }

    /** The loss values: one for mean and sum, the w_k l_k array (row-major) for none. */
    double[] compute(float[] x, int[] dims, float[] targets) {
        int n = dims[0];
        boolean binary = mode.equals("binary");
        int c = binary ? 1 : dims[1];
        int s = x.length / (n * (binary ? 1 : c));
        // Per (image, class): sums over the counted elements.
        double[][] sumP = new double[n][c];
        double[][] sumT = new double[n][c];
        double[][] sumPT = new double[n][c];
        double[][] sumBce = new double[n][c];
        double[][] sumFocal = new double[n][c];
        double[][] count = new double[n][c];
        for (int img = 0; img < n; img++) {
            for (int j = 0; j < s; j++) {
                for (int k = 0; k < c; k++) {
                    int at = (img * c + k) * s + j;
                    double p;
                    double t;
                    boolean counted;
                    if (mode.equals("multiclass")) {
                        float label = targets[img * s + j];
                        counted = ignoreIndex == null || label != ignoreIndex;
                        t = label == k ? 1 : 0;
                        if (fromLogits) {
                            double max = Double.NEGATIVE_INFINITY;
                            for (int q = 0; q < c; q++) {
                                max = Math.max(max, x[(img * c + q) * s + j]);
                            }
                            double total = 0;
                            for (int q = 0; q < c; q++) {
                                total += Math.exp(x[(img * c + q) * s + j] - max);
                            }
                            p = Math.exp(x[at] - max) / total;
                        } else {
                            p = x[at];
                        }
                    } else {
                        counted = ignoreIndex == null || targets[at] != ignoreIndex;
                        t = targets[at];
                        p = fromLogits ? 1 / (1 + Math.exp(-(double) x[at])) : x[at];
                    }
                    if (!counted) {
                        continue;
                    }
                    double pt = p * t + (1 - p) * (1 - t);
                    double at2 = alpha * t + (1 - alpha) * (1 - t);
                    sumP[img][k] += p;
                    sumT[img][k] += t;
                    sumPT[img][k] += p * t;
                    sumBce[img][k] += bce(p, t);
                    sumFocal[img][k] += at2 * Math.pow(1 - pt, gamma) * bce(p, t);
                    count[img][k]++;
                }
            }
        }
        int rows = perImage ? n : 1;
        double[][] terms = new double[rows][c];
        boolean[][] nonEmpty = new boolean[rows][c];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < c; k++) {
                double p = 0, t = 0, pt = 0, b = 0, f = 0, m = 0;
                for (int img = perImage ? r : 0; img < (perImage ? r + 1 : n); img++) {
                    p += sumP[img][k];
                    t += sumT[img][k];
                    pt += sumPT[img][k];
                    b += sumBce[img][k];
                    f += sumFocal[img][k];
                    m += count[img][k];
                }
                nonEmpty[r][k] = m > 0;
                terms[r][k] = term(p, t, pt, m > 0 ? b / m : 0, m > 0 ? f / m : 0);
            }
        }
        int[] kept = kept(c);
        double[] weighted = new double[rows * kept.length];
        double total = 0;
        double weightSum = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < kept.length; j++) {
                int k = kept[j];
                double w = nonEmpty[r][k] ? (classWeights == null ? 1 : classWeights[k]) : 0;
                weighted[r * kept.length + j] = w * terms[r][k];
                total += w * terms[r][k];
                weightSum += w;
            }
        }
        switch (reduction) {
            case "none":
                return weighted;
            case "sum":
                return new double[] {total};
            default:
                return new double[] {weightSum > 0 ? total / weightSum : 0};
        }
    }

    private double term(double sumP, double sumT, double sumPT, double meanBce, double meanFocal) {
        switch (loss) {
            case "dice":
                return dice(sumP, sumT, sumPT);
            case "iou":
                return 1 - (sumPT + smoothNumerator) / Math.max(sumP + sumT - sumPT + smoothDenominator, eps);
            case "bce-dice":
                return meanBce + dice(sumP, sumT, sumPT);
            default:
                if (variant.equals("seed")) {
                    return alpha * Math.pow(1 - Math.exp(-meanBce), gamma) * meanBce;
                }
                return meanFocal;
        }
    }

    private double dice(double sumP, double sumT, double sumPT) {
        return 1 - (2 * sumPT + smoothNumerator) / Math.max(sumP + sumT + smoothDenominator, eps);
    }

    private int[] kept(int c) {
        if (mode.equals("binary")) {
            return new int[] {0};
        }
        int[] candidates = classes != null ? classes : java.util.stream.IntStream.range(0, c).toArray();
        return Arrays.stream(candidates).distinct().filter(k -> includeBackground || k != 0).sorted().toArray();
    }
}
