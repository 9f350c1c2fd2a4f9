package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The multi-core backend with 1, 2, 3 and 8 threads gives bit-identical results to the sequential
 * reference for every Backend method, on sizes above ParallelBackend.CHUNK and Reduction.BLOCK.
 */
class BackendAgreementTest {
    static final int N = 200_003;
    static final ReferenceBackend REF = new ReferenceBackend();
    static final List<ParallelBackend> PARALLEL = List.of(
        new ParallelBackend(1), new ParallelBackend(2), new ParallelBackend(3), new ParallelBackend(8));

    /** The Backend methods this class compares; a new method must be added here (and tested) to pass. */
    static final Set<String> COVERED = Set.of("name", "description", "onHostRead", "syncToHost", "unary", "unaryBackward", "binary",
        "binaryGrad", "copy", "scatter", "gatherRows", "scatterAddRows", "sumRows", "maxRows", "maxRowsBackward",
        "maxPool2d", "maxPool2dBackward", "matmul");

    static float[] data(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(20)) {
                case 0: x[i] = Math.round(r.nextGaussian() * 2); break;  // ties and exact zeros
                case 1: x[i] = (float) Math.pow(10, r.nextInt(12) - 6) * (r.nextBoolean() ? 1 : -1); break;
                default: x[i] = (float) r.nextGaussian() * 3f;
            }
        }
        return x;
    }

    /** Values in (0, 1) with some exact 0 and 1, for ops with a restricted domain (bce, log). */
    static float[] probabilities(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(50);
            x[i] = k == 0 ? 0f : k == 1 ? 1f : r.nextFloat();
        }
        return x;
    }

    static void assertSameBits(float[] expected, float[] actual, String what) {
        if (!Arrays.equals(expected, actual)) {
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                    throw new AssertionError(what + ": first difference at " + i + ": expected " + expected[i]
                        + ", got " + actual[i]);
                }
            }
        }
    }

    static String who(ParallelBackend p) {
        return "parallel(" + p.threads() + ")";
    }

    @Test
    void everyAbstractBackendMethodIsCoveredHere() {
        List<String> missing = new ArrayList<>();
        for (Method m : Backend.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && !COVERED.contains(m.getName())) {
                missing.add(m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "Backend methods without an agreement test: " + missing);
    }

    @Test
    void unaryAgreesForEveryOp() {
        float[] x = data(1, N + 5);
        for (int op = 0; op < Unary.count(); op++) {
            float a = op == Unary.CLAMP ? -1.5f : op == Unary.POW_SCALAR ? 3f : 0.75f;
            float b = 2f;
            float[] want = new float[N];
            REF.unary(op, a, b, x, 5, want, N);
            for (ParallelBackend p : PARALLEL) {
                float[] got = new float[N];
                p.unary(op, a, b, x, 5, got, N);
                assertSameBits(want, got, Unary.name(op) + " on " + who(p));
            }
        }
    }

    @Test
    void binaryAgreesForEveryOpOnBroadcastStridedViews() {
        // out (13, 3, 5129): x is a (13, 1, 5129) broadcast along axis 1 at offset 7; y is a transposed
        // (5129, 3, 13) buffer read as (13, 3, 5129).
        int[] shape = {13, 3, 5129};
        int n = 13 * 3 * 5129;
        float[] x = probabilities(3, 7 + 13 * 5129);
        int[] xStrides = {5129, 0, 1};
        float[] y = probabilities(4, n);
        int[] yStrides = {1, 13, 39};
        for (int op = 0; op < Binary.count(); op++) {
            float[] want = new float[n];
            REF.binary(op, shape, x, 7, xStrides, y, 0, yStrides, want);
            for (ParallelBackend p : PARALLEL) {
                float[] got = new float[n];
                p.binary(op, shape, x, 7, xStrides, y, 0, yStrides, got);
                assertSameBits(want, got, Binary.name(op) + " on " + who(p));
            }
        }
    }

    @Test
    void copyAndScatterAgreeOnPermutedAndSteppedViews() {
        // A (7, 101, 283) buffer read permuted as (283, 7, 101), starting at offset 3.
        int[] shape = {283, 7, 101};
        int[] strides = {1, 101 * 283, 283};
        int n = 283 * 7 * 101;
        float[] src = data(6, 3 + n);
        float[] want = new float[n];
        REF.copy(shape, src, 3, strides, want);
        // Scatter the contiguous result into every second element of a larger buffer.
        int[] dstStrides = {2 * 7 * 101, 2 * 101, 2};
        float[] wantDst = data(7, 1 + 2 * n);
        REF.scatter(shape, want, wantDst, 1, dstStrides);
        for (ParallelBackend p : PARALLEL) {
            float[] got = new float[n];
            p.copy(shape, src, 3, strides, got);
            assertSameBits(want, got, "copy on " + who(p));
            float[] gotDst = data(7, 1 + 2 * n);
            p.scatter(shape, want, gotDst, 1, dstStrides);
            assertSameBits(wantDst, gotDst, "scatter on " + who(p));
        }
    }

    @Test
    void gatherRowsAndScatterAddRowsAgreeWithRepeatedIndices() {
        int rows = 3000;
        int rowLength = 97;
        int n = 5000;
        float[] src = data(8, rows * rowLength);
        float[] index = new float[n];
        Random r = new Random(9);
        for (int i = 0; i < n; i++) {
            index[i] = r.nextInt(10) == 0 ? 17 : r.nextInt(rows);  // row 17 repeats often
        }
        float[] want = new float[n * rowLength];
        REF.gatherRows(src, rowLength, index, n, want);
        float[] g = data(10, n * rowLength);
        float[] wantAdd = data(11, rows * rowLength);  // garbage the backward must overwrite
        REF.scatterAddRows(g, rowLength, index, n, wantAdd, rows);
        for (ParallelBackend p : PARALLEL) {
            float[] got = new float[n * rowLength];
            p.gatherRows(src, rowLength, index, n, got);
            assertSameBits(want, got, "gatherRows on " + who(p));
            float[] gotAdd = data(11, rows * rowLength);
            p.scatterAddRows(g, rowLength, index, n, gotAdd, rows);
            assertSameBits(wantAdd, gotAdd, "scatterAddRows on " + who(p));
        }
    }

    @Test
    void scatterAddRowsAgreesOnManyRowsFewGatheredAndRaggedWidthsTwice() {
        // CCS's shape: a gradient for every anchor row, a few thousand rows gathered, some
        // repeated (its padding repeats the last row); widths below, at and off a cache line.
        int rows = 20_000;
        int[][] cases = {{256, 4096}, {17, 3000}, {16, 5000}, {1, 70_000}, {300, 1}, {33, 0}};
        for (int[] c : cases) {
            int rowLength = c[0];
            int n = c[1];
            float[] index = new float[n];
            Random r = new Random(23 + n);
            for (int i = 0; i < n; i++) {
                index[i] = i >= n - n / 4 ? index[Math.max(0, n - n / 4 - 1)] : r.nextInt(rows);
            }
            float[] g = data(24, n * rowLength);
            float[] want = data(25, rows * rowLength);  // garbage the backward must overwrite
            REF.scatterAddRows(g, rowLength, index, n, want, rows);
            for (ParallelBackend p : PARALLEL) {
                for (int run = 0; run < 2; run++) {
                    float[] got = data(25 + run, rows * rowLength);
                    p.scatterAddRows(g, rowLength, index, n, got, rows);
                    assertSameBits(want, got, "scatterAddRows " + Arrays.toString(c) + " run " + run + " on " + who(p));
                }
            }
        }
    }

    @Test
    void sumRowsAgreesForFewLongRowsManyShortRowsAndOneHugeRow() {
        int[][] cases = {{2, N}, {5, 3 * Reduction.BLOCK + 1}, {100_000, 3}, {1, N}, {16, Reduction.BLOCK + 7}, {N, 1}};
        for (int[] c : cases) {
            int rows = c[0];
            int cols = c[1];
            float[] x = data(12 + rows, rows * cols);
            float[] want = new float[rows];
            REF.sumRows(x, rows, cols, want);
            for (ParallelBackend p : PARALLEL) {
                float[] got = new float[rows];
                p.sumRows(x, rows, cols, got);
                assertSameBits(want, got, "sumRows(" + rows + " x " + cols + ") on " + who(p));
            }
        }
    }

    @Test
    void maxRowsAndItsBackwardAgreeIncludingTiesAndNaN() {
        int[][] cases = {{3, N}, {70_001, 3}, {1, 1}};
        for (int[] c : cases) {
            int rows = c[0];
            int cols = c[1];
            float[] x = data(13 + rows, rows * cols);
            for (int i = 0; i < x.length; i += 1009) {
                x[i] = Float.NaN;
            }
            float[] want = new float[rows];
            int[] wantIdx = new int[rows];
            REF.maxRows(x, rows, cols, want, wantIdx);
            float[] g = data(14, rows);
            float[] wantBack = data(15, rows * cols);
            REF.maxRowsBackward(g, wantIdx, rows, cols, wantBack);
            for (ParallelBackend p : PARALLEL) {
                float[] got = new float[rows];
                int[] gotIdx = new int[rows];
                p.maxRows(x, rows, cols, got, gotIdx);
                assertSameBits(want, got, "maxRows on " + who(p));
                assertArrayEquals(wantIdx, gotIdx, "maxRows indices on " + who(p));
                float[] gotBack = data(15, rows * cols);
                p.maxRowsBackward(g, wantIdx, rows, cols, gotBack);
                assertSameBits(wantBack, gotBack, "maxRowsBackward on " + who(p));
            }
        }
    }

    @Test
    void maxPool2dAndItsBackwardAgree() {
        int[][] cases = {{64, 67, 59, 3, 2, 1}, {2, 300, 310, 2, 2, 0}, {40, 33, 33, 3, 1, 1}};
        for (int[] c : cases) {
            int planes = c[0];
            int h = c[1];
            int w = c[2];
            int k = c[3];
            int s = c[4];
            int pad = c[5];
            int outH = Pooling.outputSize(h, k, s, pad);
            int outW = Pooling.outputSize(w, k, s, pad);
            float[] x = data(16, planes * h * w);
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.round(x[i]);  // many ties
            }
            float[] want = new float[planes * outH * outW];
            int[] wantArg = new int[want.length];
            REF.maxPool2d(x, planes, h, w, k, s, pad, want, wantArg);
            float[] g = data(17, want.length);
            float[] wantBack = data(18, x.length);
            REF.maxPool2dBackward(g, wantArg, planes, h, w, outH, outW, wantBack);
            for (ParallelBackend p : PARALLEL) {
                float[] got = new float[want.length];
                int[] gotArg = new int[want.length];
                p.maxPool2d(x, planes, h, w, k, s, pad, got, gotArg);
                assertSameBits(want, got, "maxPool2d on " + who(p));
                assertArrayEquals(wantArg, gotArg, "maxPool2d argmax on " + who(p));
                float[] gotBack = data(18, x.length);
                p.maxPool2dBackward(g, wantArg, planes, h, w, outH, outW, gotBack);
                assertSameBits(wantBack, gotBack, "maxPool2dBackward on " + who(p));
            }
        }
    }

    @Test
    void matmulAgreesBatchedAndSingle() {
        int[][] cases = {{3, 67, 129, 65}, {1, 400, 50, 300}, {1000, 2, 3, 4}, {2, 1, 70_000, 1}, {1, 8192, 256, 80}};
        for (int[] c : cases) {
            int batch = c[0];
            int m = c[1];
            int k = c[2];
            int n = c[3];
            float[] a = data(19, batch * m * k);
            float[] b = data(20, batch * k * n);
            float[] want = data(21, batch * m * n);
            REF.matmul(a, b, want, batch, m, k, n);
            for (ParallelBackend p : PARALLEL) {
                float[] got = data(22, batch * m * n);
                p.matmul(a, b, got, batch, m, k, n);
                assertSameBits(want, got, "matmul " + Arrays.toString(c) + " on " + who(p));
            }
        }
    }

    @Test
    void namesAndHostReadHookNeverFail() {
        assertEquals("java", REF.name());
        for (ParallelBackend p : PARALLEL) {
            assertEquals("parallel", p.name());
            p.onHostRead(new float[3]);
            p.syncToHost(new float[3], true);
        }
        REF.onHostRead(new float[0]);
        REF.syncToHost(new int[1], false);
    }
}
