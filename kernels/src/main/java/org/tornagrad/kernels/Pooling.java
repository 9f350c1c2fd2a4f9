package org.tornagrad.kernels;

/**
 * The body of 2-d max pooling for one output pixel, with PyTorch's semantics: the padding acts
 * as -infinity (it never wins), ties go to the first element of the window in row-major order,
 * and a NaN wins over everything (the last NaN of the window, as in PyTorch's CPU kernel). Returns the flat index of the winner inside its plane, which the backward pass uses to
 * route the gradient.
 */
public final class Pooling {
    private Pooling() {
    }

    /** Output size along one axis for {@code F.max_pool2d} with dilation 1 and floor mode. */
    public static int outputSize(int in, int kernel, int stride, int padding) {
        int span = in + 2 * padding - kernel;
        // Floor division, as PyTorch: a window that does not fit gives 0 outputs, not 1.
        return span < 0 ? 0 : span / stride + 1;
    }

    public static int windowArgMax(float[] x, int planeOffset, int h, int w, int oy, int ox,
                                   int kernel, int stride, int padding) {
        int y0 = oy * stride - padding;
        int x0 = ox * stride - padding;
        // Only the part of the window inside the plane, in the same row-major order: a window far
        // larger than the plane (a boundary theta of 1,598,215,777, from a fuzzed CLI option)
        // costs at most h * w steps, not kernel^2, which never finished.
        int kyFrom = Math.max(0, -y0);
        int kyTo = Math.min(kernel, h - y0);
        int kxFrom = Math.max(0, -x0);
        int kxTo = Math.min(kernel, w - x0);
        int best = -1;
        float bestValue = 0f;
        for (int ky = kyFrom; ky < kyTo; ky++) {
            int yy = y0 + ky;
            for (int kx = kxFrom; kx < kxTo; kx++) {
                int xx = x0 + kx;
                int idx = yy * w + xx;
                float v = x[planeOffset + idx];
                // As PyTorch's CPU kernel: a NaN always takes over, so the last NaN wins.
                if (best < 0 || v > bestValue || v != v) {
                    best = idx;
                    bestValue = v;
                }
            }
        }
        return best;
    }

    /**
     * The gradient that max-pooling's backward routes to input pixel {@code (y, x)} of a plane:
     * the output gradients whose window's winner is that pixel, added from 0 in output row-major
     * order, the order of the scatter in {@code Backend.maxPool2dBackward}, so the bits are the
     * same. Only the windows that contain the pixel can pick it, so this visits
     * {@code ceil(kernel / stride)^2} outputs at most; a device computes each pixel in a work-item
     * of its own, without float atomics. {@code outOffset} is the plane's first output.
     */
    public static float gatheredGradient(float[] g, int[] argmax, int outOffset, int w, int outH, int outW,
                                         int kernel, int stride, int padding, int y, int x) {
        int winner = y * w + x;
        int oyTo = Math.min(outH - 1, (y + padding) / stride);
        int oxTo = Math.min(outW - 1, (x + padding) / stride);
        float sum = 0f;
        for (int oy = firstWindow(y, kernel, stride, padding); oy <= oyTo; oy++) {
            for (int ox = firstWindow(x, kernel, stride, padding); ox <= oxTo; ox++) {
                int o = outOffset + oy * outW + ox;
                if (argmax[o] == winner) {
                    sum += g[o];
                }
            }
        }
        return sum;
    }

    /** The first window along one axis that reaches input position {@code y}: start + kernel - 1 >= y. */
    private static int firstWindow(int y, int kernel, int stride, int padding) {
        int reach = y + padding - (kernel - 1);
        return reach <= 0 ? 0 : (reach + stride - 1) / stride;
    }
}
