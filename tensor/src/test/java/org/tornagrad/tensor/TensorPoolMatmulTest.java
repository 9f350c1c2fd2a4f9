package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tornagrad.tensor.Ref.assertBits;
import static org.tornagrad.tensor.Ref.assertIae;
import static org.tornagrad.tensor.Ref.assertNear;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** max_pool2d forward and backward, and matmul, against loops written here. */
class TensorPoolMatmulTest {

    /** F.max_pool2d on the last two axes: padding never wins, first of ties in row-major order, last NaN wins. */
    static float[][] poolReference(float[] x, int planes, int h, int w, int k, int s, int p) {
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        float[] out = new float[planes * oh * ow];
        float[] arg = new float[out.length];
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = -1;
                    float bv = 0;
                    for (int y = oy * s - p; y < oy * s - p + k; y++) {
                        for (int xx = ox * s - p; xx < ox * s - p + k; xx++) {
                            if (y < 0 || y >= h || xx < 0 || xx >= w) {
                                continue;
                            }
                            float v = x[pl * h * w + y * w + xx];
                            if (best < 0 || v > bv || Float.isNaN(v)) {
                                best = y * w + xx;
                                bv = v;
                            }
                        }
                    }
                    out[(pl * oh + oy) * ow + ox] = bv;
                    arg[(pl * oh + oy) * ow + ox] = best;
                }
            }
        }
        return new float[][] {out, arg};
    }

    static float[] poolBackwardReference(float[] arg, float[] g, int planes, int h, int w) {
        float[] gi = new float[planes * h * w];
        int per = arg.length / planes;
        for (int o = 0; o < arg.length; o++) {
            gi[(o / per) * h * w + (int) arg[o]] += g[o];
        }
        return gi;
    }

    @Test
    void maxPoolForwardAndBackwardMatchTheReferenceOnManyConfigurations() {
        int[][] cases = {
            // dims..., kernel, stride, padding
            {1, 1, 4, 4, 2, 2, 0}, {2, 3, 5, 5, 3, 2, 1}, {1, 1, 5, 7, 3, 1, 1}, {1, 2, 7, 6, 2, 3, 1},
            {1, 1, 6, 6, 5, 1, 2}, {2, 1, 3, 3, 1, 1, 0}, {1, 1, 8, 9, 4, 3, 2},
        };
        for (int[] c : cases) {
            int[] dims = Arrays.copyOf(c, 4);
            int k = c[4];
            int s = c[5];
            int p = c[6];
            float[] x = Ref.ints(Arrays.hashCode(c), Ref.size(dims));  // small integers: many ties
            int planes = dims[0] * dims[1];
            float[][] ref = poolReference(x, planes, dims[2], dims[3], k, s, p);
            Tensor t = Tensor.of(x, dims);
            Tensor.PoolResult r = t.maxPool2d(k, s, p);
            int oh = (dims[2] + 2 * p - k) / s + 1;
            int ow = (dims[3] + 2 * p - k) / s + 1;
            String what = Arrays.toString(c);
            assertBits(ref[0], new int[] {dims[0], dims[1], oh, ow}, r.output(), what);
            float[] g = Ref.ints(7, ref[0].length);
            Tensor gt = Tensor.of(g, dims[0], dims[1], oh, ow);
            assertBits(poolBackwardReference(ref[1], g, planes, dims[2], dims[3]), dims, r.backward(gt, t.shape()), what + " backward");
        }
    }

    @Test
    void paddingNeverWinsEvenWhenEveryValueIsNegative() {
        Tensor t = Tensor.full(-5f, 1, 1, 3, 3);
        Tensor out = t.maxPool2d(3, 1, 1).output();
        assertBits(new float[] {-5, -5, -5, -5, -5, -5, -5, -5, -5}, new int[] {1, 1, 3, 3}, out, "all -5");
        Tensor inf = Tensor.full(Float.NEGATIVE_INFINITY, 2, 2);
        float ninf = Float.NEGATIVE_INFINITY;
        assertBits(new float[] {ninf, ninf, ninf, ninf}, new int[] {2, 2}, inf.maxPool2d(2, 2, 1).output(), "-inf input, -inf pad");
    }

    @Test
    void tiesGoToTheFirstElementInRowMajorOrder() {
        Tensor t = Tensor.of(new float[] {
            1, 4, 4, 0,
            4, 4, 0, 0}, 2, 4);
        Tensor.PoolResult r = t.maxPool2d(2, 2, 0);
        assertBits(new float[] {4, 4}, new int[] {1, 2}, r.output(), "values");
        Tensor back = r.backward(Tensor.of(new float[] {10, 20}, 1, 2), t.shape());
        assertBits(new float[] {0, 10, 20, 0, 0, 0, 0, 0}, new int[] {2, 4}, back, "gradient to (0,1) and (0,2) only");
    }

    @Test
    void nanWinsItsWindowAndTheLastNaNGetsTheGradientAsInPyTorch() {
        Tensor t = Tensor.of(new float[] {Float.NaN, 1, Float.NaN, 0}, 1, 1, 2, 2);
        Tensor.PoolResult r = t.maxPool2d(2, 2, 0);
        assertEquals(Float.NaN, r.output().item());
        assertBits(new float[] {0, 0, 1, 0}, new int[] {1, 1, 2, 2}, r.backward(Tensor.ones(1, 1, 1, 1), t.shape()),
            "torch.nn.functional.max_pool2d returns index 2");
    }

    @Test
    void windowsSharingAWinnerAccumulateItsGradient() {
        Tensor t = Tensor.of(new float[] {
            1, 2, 3,
            4, 9, 5,
            6, 7, 8}, 1, 3, 3);
        Tensor.PoolResult r = t.maxPool2d(2, 1, 0);
        assertBits(new float[] {9, 9, 9, 9}, new int[] {1, 2, 2}, r.output(), "the centre wins every window");
        Tensor back = r.backward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2), t.shape());
        assertBits(new float[] {0, 0, 0, 0, 10, 0, 0, 0, 0}, new int[] {1, 3, 3}, back, "1 + 2 + 3 + 4 at the centre");
    }

    @Test
    void strideLargerThanTheKernelSkipsElements() {
        Tensor t = Tensor.of(new float[] {
            9, 0, 0, 8, 0,
            0, 0, 0, 0, 0,
            0, 0, 0, 0, 0,
            7, 0, 0, 6, 5}, 4, 5);
        assertBits(new float[] {9, 8, 7, 6}, new int[] {2, 2}, t.maxPool2d(1, 3, 0).output(), "kernel 1 stride 3");
    }

    @Test
    void poolArgumentsAreChecked() {
        Tensor t = Tensor.zeros(1, 1, 2, 2);
        assertIae(() -> t.maxPool2d(3, 2, 0), "input", "height and width >= 3", "(1, 1, 2, 2)");
        assertIae(() -> t.maxPool2d(2, 1, 2), "kernel, stride, padding", "padding <= kernel/2", "2, 1, 2");
        assertIae(() -> t.maxPool2d(0, 1, 0), "kernel, stride, padding", "kernel >= 1");
        assertIae(() -> t.maxPool2d(2, 0, 0), "stride >= 1");
        assertIae(() -> Tensor.zeros(4).maxPool2d(2, 2, 0), "input", "rank >= 2", "(4,)");
        Tensor.PoolResult r = Tensor.zeros(2, 4, 4).maxPool2d(2, 2, 0);
        assertIae(() -> r.backward(Tensor.zeros(2, 2, 2), Shape.of(2, 3, 3)), "inputShape", "(2, 4, 4)", "(2, 3, 3)");
        assertIae(() -> r.backward(Tensor.zeros(2, 2, 3), Shape.of(2, 4, 4)), "gradOutput", "(2, 2, 2)", "(2, 2, 3)");
        assertIae(() -> r.backward(null, Shape.of(2, 4, 4)), "gradOutput", "null");
        assertEquals(Shape.of(0, 3, 2, 2), Tensor.zeros(0, 3, 4, 4).maxPool2d(2, 2, 0).output().shape());
    }

    // ----------------------------------------------------------------------------------------
    // matmul

    static float[] matmulReference(float[] a, float[] b, int batch, boolean aBatched, boolean bBatched, int m, int k, int n) {
        float[] out = new float[batch * m * n];
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int l = 0; l < k; l++) {
                        acc += (double) a[(aBatched ? q * m * k : 0) + i * k + l] * b[(bBatched ? q * k * n : 0) + l * n + j];
                    }
                    out[(q * m + i) * n + j] = (float) acc;
                }
            }
        }
        return out;
    }

    @Test
    void matmulOf2dMatrices() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertBits(new float[] {58, 64, 139, 154}, new int[] {2, 2}, a.matmul(b), "(2,3)@(3,2)");
        float[] x = Ref.ints(1, 5 * 7);
        float[] y = Ref.ints(2, 7 * 4);
        assertBits(matmulReference(x, y, 1, false, false, 5, 7, 4), new int[] {5, 4},
            Tensor.of(x, 5, 7).matmul(Tensor.of(y, 7, 4)), "(5,7)@(7,4)");
    }

    @Test
    void matmulBatchedAndBroadcastOverTheBatch() {
        float[] a3 = Ref.ints(3, 2 * 3 * 4);
        float[] b3 = Ref.ints(4, 2 * 4 * 5);
        float[] a2 = Ref.ints(5, 3 * 4);
        float[] b2 = Ref.ints(6, 4 * 5);
        assertBits(matmulReference(a3, b3, 2, true, true, 3, 4, 5), new int[] {2, 3, 5},
            Tensor.of(a3, 2, 3, 4).matmul(Tensor.of(b3, 2, 4, 5)), "batched");
        assertBits(matmulReference(a2, b3, 2, false, true, 3, 4, 5), new int[] {2, 3, 5},
            Tensor.of(a2, 3, 4).matmul(Tensor.of(b3, 2, 4, 5)), "(3,4)@(2,4,5)");
        assertBits(matmulReference(a3, b2, 2, true, false, 3, 4, 5), new int[] {2, 3, 5},
            Tensor.of(a3, 2, 3, 4).matmul(Tensor.of(b2, 4, 5)), "(2,3,4)@(4,5)");
    }

    @Test
    void matmulOfViewsAndRandomValues() {
        float[] a = Ref.random(7, 6 * 9);
        float[] b = Ref.random(8, 9 * 5);
        // a is read through a transpose of its (9, 6) storage.
        Tensor at = Tensor.of(a, 9, 6).transpose(0, 1);
        double[] want = new double[6 * 5];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 5; j++) {
                for (int l = 0; l < 9; l++) {
                    want[i * 5 + j] += (double) a[l * 6 + i] * b[l * 5 + j];
                }
            }
        }
        assertNear(want, at.matmul(Tensor.of(b, 9, 5)), 1e-5, "transposed operand");
    }

    @Test
    void matmulWithEmptyDimensions() {
        assertBits(new float[6], new int[] {2, 3}, Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3)), "k = 0 gives zeros");
        assertEquals(Shape.of(0, 3), Tensor.zeros(0, 2).matmul(Tensor.zeros(2, 3)).shape());
        assertEquals(Shape.of(0, 2, 3), Tensor.zeros(0, 2, 4).matmul(Tensor.zeros(4, 3)).shape());
    }

    @Test
    void matmulArgumentsAreChecked() {
        assertIae(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 2)), "other", "3 rows", "(4, 2)");
        assertIae(() -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 2)), "other", "batch 2", "(3, 3, 2)");
        assertIae(() -> Tensor.zeros(3).matmul(Tensor.zeros(3, 2)), "matmul", "rank 2 or 3", "(3,)");
        assertIae(() -> Tensor.zeros(1, 1, 1, 1).matmul(Tensor.zeros(1, 1)), "rank 2 or 3", "(1, 1, 1, 1)");
        assertIae(() -> Tensor.zeros(2, 2).matmul(null), "other", "null");
        assertIae(() -> Tensor.zeros(50_000, 1).matmul(Tensor.zeros(1, 50_000)), "shape", "elements");
    }

    @Test
    void poolIndicesAreInPlaneFlatPositions() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 1, 4, 4);
        float[][] ref = poolReference(t.toArray(), 1, 4, 4, 2, 2, 0);
        assertArrayEquals(new float[] {5, 7, 13, 15}, ref[1]);
        assertBits(new float[] {5, 7, 13, 15}, new int[] {1, 2, 2}, t.maxPool2d(2, 2, 0).output(), "corner maxima");
    }
}
