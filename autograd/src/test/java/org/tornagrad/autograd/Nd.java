package org.tornagrad.autograd;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.tornagrad.tensor.Tensor;

/**
 * A deliberately naive n-d array of doubles for the tests' reference computations: row-major
 * data, explicit index arithmetic, no views and no code shared with {@link Tensor}, so that a
 * reference written with it is independent of the code under test.
 */
final class Nd {
    final int[] dims;
    final double[] v;

    Nd(int[] dims, double[] v) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n != v.length) {
            throw new IllegalStateException("Nd: " + Arrays.toString(dims) + " needs " + n + " values, got " + v.length);
        }
        this.dims = dims.clone();
        this.v = v;
    }

    static Nd zeros(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return new Nd(dims, new double[n]);
    }

    static Nd of(Tensor t) {
        float[] f = t.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return new Nd(t.shape().dims(), d);
    }

    int rank() {
        return dims.length;
    }

    int size() {
        return v.length;
    }

    /** The row-major multi-index of flat position {@code flat}. */
    int[] unravel(int flat) {
        int[] idx = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
        return idx;
    }

    int ravel(int... idx) {
        int flat = 0;
        for (int d = 0; d < dims.length; d++) {
            if (idx[d] < 0 || idx[d] >= dims[d]) {
                throw new IllegalStateException("Nd: index " + Arrays.toString(idx) + " outside " + Arrays.toString(dims));
            }
            flat = flat * dims[d] + idx[d];
        }
        return flat;
    }

    double get(int... idx) {
        return v[ravel(idx)];
    }

    void set(double value, int... idx) {
        v[ravel(idx)] = value;
    }

    Nd map(DoubleUnaryOperator f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = f.applyAsDouble(v[i]);
        }
        return new Nd(dims, out);
    }

    static int[] broadcastDims(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalStateException("Nd: " + Arrays.toString(a) + " vs " + Arrays.toString(b));
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** The flat position in this array of the element that broadcasting reads at output index {@code outIdx}. */
    int broadcastSource(int[] outIdx) {
        int off = outIdx.length - dims.length;
        int[] idx = new int[dims.length];
        for (int d = 0; d < dims.length; d++) {
            idx[d] = dims[d] == 1 ? 0 : outIdx[d + off];
        }
        return ravel(idx);
    }

    /** Elementwise {@code f(a, b)} with NumPy broadcasting. */
    static Nd zip(Nd a, Nd b, DoubleBinaryOperator f) {
        Nd out = zeros(broadcastDims(a.dims, b.dims));
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            out.v[o] = f.applyAsDouble(a.v[a.broadcastSource(idx)], b.v[b.broadcastSource(idx)]);
        }
        return out;
    }

    /** Sum over {@code axes} (negative allowed). */
    Nd sum(int[] axes, boolean keepDims) {
        boolean[] red = new boolean[rank()];
        for (int a : axes) {
            red[a < 0 ? a + rank() : a] = true;
        }
        int[] keptDims = dims.clone();
        for (int d = 0; d < rank(); d++) {
            if (red[d]) {
                keptDims[d] = 1;
            }
        }
        Nd out = zeros(keptDims);
        for (int i = 0; i < size(); i++) {
            int[] idx = unravel(i);
            for (int d = 0; d < rank(); d++) {
                if (red[d]) {
                    idx[d] = 0;
                }
            }
            out.v[out.ravel(idx)] += v[i];
        }
        return keepDims ? out : out.dropAxes(red);
    }

    Nd dropAxes(boolean[] drop) {
        int n = 0;
        for (boolean b : drop) {
            n += b ? 0 : 1;
        }
        int[] d = new int[n];
        for (int i = 0, j = 0; i < rank(); i++) {
            if (!drop[i]) {
                d[j++] = dims[i];
            }
        }
        return new Nd(d, v.clone());
    }

    Nd reshape(int... newDims) {
        return new Nd(newDims, v.clone());
    }
}
