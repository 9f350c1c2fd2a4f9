package org.tornagrad.autograd;

/**
 * Plain double-precision loops for every op of {@link Variable}, written from the op's definition
 * (NumPy / PyTorch semantics) without looking at how the library computes it.
 */
final class Reference {
    private Reference() {
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** PyTorch's element of binary_cross_entropy: each log clamped at -100. */
    static double bce(double p, double t) {
        return -(t * Math.max(Math.log(p), -100) + (1 - t) * Math.max(Math.log(1 - p), -100));
    }

    /** The offsets of each 1-d fibre along {@code axis}: calls body(start, stride, length) per fibre. */
    interface Fibre {
        void run(int start, int stride, int length);
    }

    static void fibres(int[] dims, int axis, Fibre body) {
        int stride = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            stride *= dims[d];
        }
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= dims[d];
        }
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < stride; i++) {
                body.run(o * dims[axis] * stride + i, stride, dims[axis]);
            }
        }
    }

    static int axis(int axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    static Nd softmax(Nd x, int axis) {
        Nd out = Nd.zeros(x.dims);
        fibres(x.dims, axis(axis, x.rank()), (start, stride, n) -> {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                m = Math.max(m, x.v[start + i * stride]);
            }
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += Math.exp(x.v[start + i * stride] - m);
            }
            for (int i = 0; i < n; i++) {
                out.v[start + i * stride] = Math.exp(x.v[start + i * stride] - m) / s;
            }
        });
        return out;
    }

    static Nd logSoftmax(Nd x, int axis) {
        return softmax(x, axis).map(Math::log);
    }

    /** The maximum along {@code axis}. */
    static Nd max(Nd x, int axis, boolean keepDims) {
        int a = axis(axis, x.rank());
        int[] kept = x.dims.clone();
        kept[a] = 1;
        Nd out = Nd.zeros(kept);
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < x.dims[a]; i++) {
                idx[a] = i;
                m = Math.max(m, x.get(idx));
            }
            out.v[o] = m;
        }
        if (keepDims) {
            return out;
        }
        boolean[] drop = new boolean[x.rank()];
        drop[a] = true;
        return out.dropAxes(drop);
    }

    /** Axis i of the result is axis order[i] of x. */
    static Nd permute(Nd x, int... order) {
        int[] dims = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            dims[i] = x.dims[axis(order[i], x.rank())];
        }
        Nd out = Nd.zeros(dims);
        int[] src = new int[x.rank()];
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            for (int i = 0; i < order.length; i++) {
                src[axis(order[i], x.rank())] = idx[i];
            }
            out.v[o] = x.get(src);
        }
        return out;
    }

    /** Python's {@code x[..., start:stop:step, ...]} with positive step. */
    static Nd slice(Nd x, int axis, int start, int stop, int step) {
        int a = axis(axis, x.rank());
        int n = x.dims[a];
        int from = Math.max(0, Math.min(n, start < 0 ? start + n : start));
        int to = Math.max(0, Math.min(n, stop < 0 ? stop + n : stop));
        int count = 0;
        for (int i = from; i < to; i += step) {
            count++;
        }
        int[] dims = x.dims.clone();
        dims[a] = count;
        Nd out = Nd.zeros(dims);
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            idx[a] = from + idx[a] * step;
            out.v[o] = x.get(idx);
        }
        return out;
    }

    static Nd expand(Nd x, int... target) {
        Nd out = Nd.zeros(target);
        for (int o = 0; o < out.size(); o++) {
            out.v[o] = x.v[x.broadcastSource(out.unravel(o))];
        }
        return out;
    }

    static Nd pad(Nd x, int axis, int before, int after, double value) {
        int a = axis(axis, x.rank());
        int[] dims = x.dims.clone();
        dims[a] += before + after;
        Nd out = Nd.zeros(dims);
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            int i = idx[a] - before;
            if (i < 0 || i >= x.dims[a]) {
                out.v[o] = value;
            } else {
                idx[a] = i;
                out.v[o] = x.get(idx);
            }
        }
        return out;
    }

    static Nd concat(int axis, Nd... parts) {
        int a = axis(axis, parts[0].rank());
        int[] dims = parts[0].dims.clone();
        dims[a] = 0;
        for (Nd p : parts) {
            dims[a] += p.dims[a];
        }
        Nd out = Nd.zeros(dims);
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            int i = idx[a];
            int part = 0;
            while (i >= parts[part].dims[a]) {
                i -= parts[part].dims[a];
                part++;
            }
            idx[a] = i;
            out.v[o] = parts[part].get(idx);
        }
        return out;
    }

    /** Inserts a size-1 axis at {@code axis} (in [-(rank+1), rank]). */
    static Nd unsqueeze(Nd x, int axis) {
        int a = axis < 0 ? axis + x.rank() + 1 : axis;
        int[] dims = new int[x.rank() + 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            dims[i] = i == a ? 1 : x.dims[j++];
        }
        return x.reshape(dims);
    }

    static Nd stack(int axis, Nd... parts) {
        Nd[] u = new Nd[parts.length];
        for (int i = 0; i < parts.length; i++) {
            u[i] = unsqueeze(parts[i], axis);
        }
        return concat(axis < 0 ? axis + parts[0].rank() + 1 : axis, u);
    }

    static Nd indexSelect(Nd x, int axis, int... indices) {
        int a = axis(axis, x.rank());
        int[] dims = x.dims.clone();
        dims[a] = indices.length;
        Nd out = Nd.zeros(dims);
        for (int o = 0; o < out.size(); o++) {
            int[] idx = out.unravel(o);
            idx[a] = indices[idx[a]];
            out.v[o] = x.get(idx);
        }
        return out;
    }

    /** F.max_pool2d over the last two axes; padding is -infinity. */
    static Nd maxPool2d(Nd x, int k, int s, int p) {
        int h = x.dims[x.rank() - 2];
        int w = x.dims[x.rank() - 1];
        int oh = Math.floorDiv(h + 2 * p - k, s) + 1;
        int ow = Math.floorDiv(w + 2 * p - k, s) + 1;
        int[] dims = x.dims.clone();
        dims[x.rank() - 2] = oh;
        dims[x.rank() - 1] = ow;
        Nd out = Nd.zeros(dims);
        int planes = x.size() / (h * w);
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int y = oy * s - p; y < oy * s - p + k; y++) {
                        for (int xx = ox * s - p; xx < ox * s - p + k; xx++) {
                            double v = (y < 0 || y >= h || xx < 0 || xx >= w) ? Double.NEGATIVE_INFINITY
                                : x.v[pl * h * w + y * w + xx];
                            m = Math.max(m, v);
                        }
                    }
                    out.v[pl * oh * ow + oy * ow + ox] = m;
                }
            }
        }
        return out;
    }

    /** (m, k) @ (k, n), or batched, a 2-d operand broadcast over the other's batch. */
    static Nd matmul(Nd a, Nd b) {
        int m = a.dims[a.rank() - 2];
        int k = a.dims[a.rank() - 1];
        int n = b.dims[b.rank() - 1];
        boolean batched = a.rank() == 3 || b.rank() == 3;
        int batch = a.rank() == 3 ? a.dims[0] : b.rank() == 3 ? b.dims[0] : 1;
        Nd out = batched ? Nd.zeros(batch, m, n) : Nd.zeros(m, n);
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        double av = a.rank() == 3 ? a.get(bi, i, q) : a.get(i, q);
                        double bv = b.rank() == 3 ? b.get(bi, q, j) : b.get(q, j);
                        s += av * bv;
                    }
                    out.v[(bi * m + i) * n + j] = s;
                }
            }
        }
        return out;
    }

    static Nd norm(Nd x, int axis, boolean keepDims) {
        return x.map(v -> v * v).sum(new int[] {axis}, keepDims).map(Math::sqrt);
    }
}
