package org.tornagrad.losses.parity;

import org.tornagrad.tensor.Tensor;

/**
 * Seeded inputs for parity cases, all from {@link Tensor#randn} and {@link Tensor#uniform}, so a
 * case is the same on every run and every machine.
 */
public final class CaseData {
    private CaseData() {
    }

    /** Normal logits times {@code scale}. */
    public static Tensor logits(long seed, float scale, int... dims) {
        return Tensor.randn(seed, dims).mul(scale);
    }

    /** Uniform values in [low, high). */
    public static Tensor uniform(long seed, float low, float high, int... dims) {
        return Tensor.uniform(seed, low, high, dims);
    }

    /** A 0/1 mask with about {@code fraction} ones. */
    public static Tensor mask(long seed, float fraction, int... dims) {
        return Tensor.uniform(seed, 0f, 1f, dims).lt(Tensor.scalar(fraction));
    }

    /** Integral labels in [0, classes - 1], as floats. */
    public static Tensor labels(long seed, int classes, int... dims) {
        float[] u = Tensor.uniform(seed, 0f, 1f, dims).toArray();
        for (int i = 0; i < u.length; i++) {
            u[i] = Math.min(classes - 1, (float) Math.floor(u[i] * classes));
        }
        return Tensor.of(u, dims);
    }

    /** {@code t} with about {@code fraction} of its entries (chosen by {@code seed}) set to {@code value}. */
    public static Tensor replaceSome(Tensor t, long seed, float fraction, float value) {
        float[] d = t.toArray();
        float[] u = Tensor.uniform(seed, 0f, 1f, d.length).toArray();
        for (int i = 0; i < d.length; i++) {
            if (u[i] < fraction) {
                d[i] = value;
            }
        }
        return Tensor.of(d, t.shape().dims());
    }

    /** {@code values} repeated to fill {@code dims} in row-major order. */
    public static Tensor cycle(float[] values, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = values[i % values.length];
        }
        return Tensor.of(out, dims);
    }
}
