package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tornagrad.tornado.TornadoTests.assertBits;
import static org.tornagrad.tornado.TornadoTests.assertSame;
import static org.tornagrad.tornado.TornadoTests.assertUlps;
import static org.tornagrad.tornado.TornadoTests.gaussian;
import static org.tornagrad.tornado.TornadoTests.uniform;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Pooling;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.kernels.Unary;

/**
 * Every device kernel of the eager backend against the Java reference, on the device TornadoVM
 * runs (PoCL's OpenCL CPU device here). Kernels without transcendental functions must give the
 * reference's bits; those that call exp, log, pow, tanh or sqrt may differ by 1 ulp, because the
 * device's double-precision libm is not Java's.
 */
class DeviceKernelsTest {
    static final Backend JAVA = new ReferenceBackend();
    static Backend tornado;

    @BeforeAll
    static void device() {
        TornadoTests.assumeTornado();
        tornado = new TornadoBackend();
    }

    static boolean transcendental(int unaryOp) {
        return unaryOp == Unary.EXP || unaryOp == Unary.LOG || unaryOp == Unary.SQRT || unaryOp == Unary.SIGMOID
            || unaryOp == Unary.POW_SCALAR || unaryOp == Unary.TANH;
    }

    /** Finite values, with zeros of both signs and values where clamp, relu and sign switch. */
    static float[] values(long seed, int n) {
        float[] x = gaussian(seed, n, 3f);
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 1f;
        x[3] = -1f;
        x[4] = 0.5f;
        return x;
    }

    @Test
    void everyUnaryOpMatchesTheReference() {
        int n = 10_007;
        float[] x = values(1, n + 3);
        float[] positive = uniform(2, n + 3, 0.01f, 5f);
        for (int op = 0; op < Unary.count(); op++) {
            // log, sqrt and pow of a negative are NaN on both sides; keep the comparison on numbers.
            float[] in = op == Unary.LOG || op == Unary.SQRT || op == Unary.POW_SCALAR ? positive : x;
            float a = op == Unary.CLAMP ? -0.5f : op == Unary.POW_SCALAR ? 2.5f : 1.75f;
            float b = 0.5f;
            float[] want = new float[n];
            float[] got = new float[n];
            JAVA.unary(op, a, b, in, 3, want, n);
            tornado.unary(op, a, b, in, 3, got, n);
            long ulps = transcendental(op) ? 1 : 0;
            assertUlps("unary " + Unary.name(op), want, got, ulps);
        }
    }

    @Test
    void everyBinaryOpMatchesTheReferenceWithBroadcasting() {
        // out (3, 4, 5) = x (3, 1, 5) op y (4, 1) broadcast, y read through an offset view.
        int[] shape = {3, 4, 5};
        float[] x = values(4, 15);
        float[] y = values(5, 6);
        x[7] = y[3];
        int[] xStrides = {5, 0, 1};
        int[] yStrides = {0, 1, 0};
        float[] positiveX = uniform(6, 15, 0.1f, 3f);
        for (int op = 0; op < Binary.count(); op++) {
            float[] xi = op == Binary.POW || op == Binary.BCE ? positiveX : x;
            float[] yi = op == Binary.BCE ? uniform(7, 6, 0f, 1f) : y;
            if (op == Binary.BCE) {
                for (int i = 0; i < xi.length; i++) {
                    xi[i] = Math.min(xi[i] / 3f, 0.999f);
                }
            }
            float[] want = new float[60];
            float[] got = new float[60];
            JAVA.binary(op, shape, xi, 0, xStrides, yi, 2, yStrides, want);
            tornado.binary(op, shape, xi, 0, xStrides, yi, 2, yStrides, got);
            long ulps = op == Binary.POW || op == Binary.BCE ? 1 : 0;
            assertUlps("binary " + Binary.name(op), want, got, ulps);
        }
    }

    @Test
    void copyOfAPermutedSlicedViewAndScatterBackIntoIt() {
        float[] src = values(9, 4 * 6 * 5);
        // The view (5, 3, 4): axes permuted, every second row of the middle axis, offset 1.
        int[] shape = {5, 3, 4};
        int[] strides = {1, 10, 30};
        float[] want = new float[60];
        float[] got = new float[60];
        JAVA.copy(shape, src, 1, strides, want);
        tornado.copy(shape, src, 1, strides, got);
        assertUlps("copy", want, got, 0);

        float[] dstWant = gaussian(10, 120, 1f);
        float[] dstGot = dstWant.clone();
        float[] part = gaussian(11, 60, 1f);
        JAVA.scatter(shape, part, dstWant, 1, strides);
        tornado.scatter(shape, part, dstGot, 1, strides);
        assertUlps("scatter keeps the rest of dst and writes the view", dstWant, dstGot, 0);
    }

    @Test
    void rankZeroViews() {
        float[] want = new float[1];
        float[] got = new float[1];
        float[] x = {2f, 3f};
        float[] y = {5f};
        JAVA.binary(Binary.MUL, new int[0], x, 1, new int[0], y, 0, new int[0], want);
        tornado.binary(Binary.MUL, new int[0], x, 1, new int[0], y, 0, new int[0], got);
        assertUlps("rank-0 binary", want, got, 0);
        assertEquals(15f, got[0]);
    }

    @Test
    void gatherRowsAndScatterAddRowsWithRepeatedRows() {
        int rowLength = 7;
        int rows = 9;
        float[] src = gaussian(12, rows * rowLength, 1f);
        float[] index = {3, 0, 8, 3, 3, 5};
        float[] want = new float[index.length * rowLength];
        float[] got = new float[want.length];
        JAVA.gatherRows(src, rowLength, index, index.length, want);
        tornado.gatherRows(src, rowLength, index, index.length, got);
        assertUlps("gatherRows", want, got, 0);

        float[] g = gaussian(13, want.length, 1f);
        float[] sWant = new float[rows * rowLength];
        float[] sGot = new float[rows * rowLength];
        Arrays.fill(sGot, 99f);
        JAVA.scatterAddRows(g, rowLength, index, index.length, sWant, rows);
        tornado.scatterAddRows(g, rowLength, index, index.length, sGot, rows);
        assertUlps("scatterAddRows (repeats add in index order, untouched rows are 0)", sWant, sGot, 0);
    }

    /**
     * CCS's gradient shape, scaled down: many output rows, a few thousand gathered rows, and a long
     * run of one repeated row at the end (CCS pads its selection by repeating the last anchor).
     * The kernel that had each output element scan every gathered row needed 80,000 x 256 x 8,192
     * (1.7 x 10^11) steps here (at half the rows it took 53 s on PoCL's 2-core CPU device); the
     * chained one needs 8,192^2 integer compares (under 1 s, compiling included, there), so the
     * timeout tells them apart with room for a loaded machine.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void scatterAddRowsOfThousandsOfRowsIntoTensOfThousandsWithRepeatsGivesJavasBits() {
        int rowLength = 256;
        int rows = 80_000;
        int n = 8_192;
        Random r = new Random(21);
        float[] index = new float[n];
        for (int i = 0; i < n; i++) {
            // Most rows distinct, some hit two or three times, the last 1,000 all on one row.
            index[i] = i >= n - 1_000 ? rows - 1 : (i % 7 == 0 ? 5 * (i % 3) : 20 + r.nextInt(rows - 30));
        }
        index[1] = rows - 2; // the only row sent there
        float[] g = gaussian(22, n * rowLength, 1f);
        g[rowLength] = -0f; // reached once by -0: 0 + -0 = +0, as in the reference's zeroed output
        float[] want = new float[rows * rowLength];
        float[] got = new float[want.length];
        Arrays.fill(got, Float.NaN);
        JAVA.scatterAddRows(g, rowLength, index, n, want, rows);
        tornado.scatterAddRows(g, rowLength, index, n, got, rows);
        assertBits("scatterAddRows, " + n + " rows into " + rows + " with repeats", want, got);
    }

    @Test
    void scatterAddRowsOfNoRowsZeroesTheOutput() {
        float[] got = {1f, 2f, 3f, 4f};
        tornado.scatterAddRows(new float[0], 2, new float[0], 0, got, 2);
        assertBits("scatterAddRows of no rows", new float[4], got);
    }

    @Test
    void sumRowsOfManyShortRowsAndOfRowsLongerThanABlock() {
        for (int[] rc : new int[][] {{1000, 3}, {5, 40_000}, {3, 1}, {2, 16384}, {1, 16385}}) {
            int rows = rc[0];
            int cols = rc[1];
            float[] x = gaussian(14 + cols, rows * cols, 2f);
            float[] want = new float[rows];
            float[] got = new float[rows];
            JAVA.sumRows(x, rows, cols, want);
            tornado.sumRows(x, rows, cols, got);
            assertUlps("sumRows " + rows + "x" + cols, want, got, 0);
        }
    }

    /** Rows of one block (a softmax's max over a few channels) take one launch, not two: same answers. */
    @Test
    void maxRowsOfOneBlockWithTiesNaNAndSignedZeros() {
        int rows = 1000;
        int cols = 4;
        float[] x = gaussian(16, rows * cols, 1f);
        x[1] = 5f;             // row 0: the first of two equal maxima wins
        x[3] = 5f;
        x[4 * 7 + 2] = Float.NaN; // row 7: a NaN is the max
        x[4 * 9] = -0f;        // row 9: -0 before +0, both above the rest
        x[4 * 9 + 1] = 0f;
        x[4 * 9 + 2] = -1f;
        x[4 * 9 + 3] = -2f;
        maxRowsAsJava(x, rows, cols);
    }

    /** The device's max over rows of {@code x} gives Java's values and indices; returns the indices. */
    private static int[] maxRowsAsJava(float[] x, int rows, int cols) {
        float[] wantMax = new float[rows];
        float[] gotMax = new float[rows];
        int[] wantIndex = new int[rows];
        int[] gotIndex = new int[rows];
        JAVA.maxRows(x, rows, cols, wantMax, wantIndex);
        tornado.maxRows(x, rows, cols, gotMax, gotIndex);
        assertSame("maxRows index", wantIndex, gotIndex);
        assertUlps("maxRows value", wantMax, gotMax, 0);
        return gotIndex;
    }

    @Test
    void maxRowsWithTiesAcrossBlocksAndItsBackward() {
        int rows = 3;
        int cols = 40_000;
        float[] x = gaussian(15, rows * cols, 1f);
        x[5] = 9f;           // row 0: the first of two equal maxima in different blocks wins
        x[20_000] = 9f;
        x[cols + 39_999] = 7f; // row 1: the winner in the last, partial block
        x[2 * cols + 100] = -0f;
        int[] gotIndex = maxRowsAsJava(x, rows, cols);
        assertEquals(5, gotIndex[0]);

        float[] g = {1.5f, -2f, 0.25f};
        float[] bWant = new float[rows * cols];
        float[] bGot = new float[rows * cols];
        JAVA.maxRowsBackward(g, gotIndex, rows, cols, bWant);
        tornado.maxRowsBackward(g, gotIndex, rows, cols, bGot);
        assertUlps("maxRowsBackward", bWant, bGot, 0);
    }

    @Test
    void maxPool2dForwardAndBackwardWithOverlappingWindowsTiesAndPadding() {
        int planes = 6;
        int h = 13;
        int w = 11;
        float[] x = new float[planes * h * w];
        float[] r = gaussian(16, x.length, 2f);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(r[i]); // many ties, so the first-in-window rule matters
        }
        for (int[] ksp : new int[][] {{3, 1, 1}, {5, 1, 2}, {2, 2, 0}, {3, 2, 1}}) {
            int k = ksp[0];
            int s = ksp[1];
            int p = ksp[2];
            int outH = Pooling.outputSize(h, k, s, p);
            int outW = Pooling.outputSize(w, k, s, p);
            float[] want = new float[planes * outH * outW];
            float[] got = new float[want.length];
            int[] wantArg = new int[want.length];
            int[] gotArg = new int[want.length];
            JAVA.maxPool2d(x, planes, h, w, k, s, p, want, wantArg);
            tornado.maxPool2d(x, planes, h, w, k, s, p, got, gotArg);
            String what = "maxPool2d k=" + k + " s=" + s + " p=" + p;
            assertSame(what + " argmax", wantArg, gotArg);
            assertUlps(what, want, got, 0);

            float[] g = gaussian(17, want.length, 1f);
            float[] gWant = new float[x.length];
            float[] gGot = new float[x.length];
            JAVA.maxPool2dBackward(g, wantArg, planes, h, w, outH, outW, gWant);
            tornado.maxPool2dBackward(g, gotArg, planes, h, w, outH, outW, gGot);
            assertUlps(what + " backward (gradients routed to the winners, summed in output order)", gWant, gGot, 0);
        }
    }

    /**
     * The backward's contract is {@code gradIn[argmax] += g} for any in-plane winner: winners far
     * from their output row (here anywhere in the plane, repeated) must still be found and added
     * in output order.
     */
    @Test
    void maxPool2dBackwardRoutesWinnersAnywhereInThePlane() {
        int planes = 3;
        int h = 17;
        int w = 9;
        int outH = 6;
        int outW = 5;
        Random r = new Random(23);
        int[] argmax = new int[planes * outH * outW];
        for (int o = 0; o < argmax.length; o++) {
            argmax[o] = o % 4 == 0 ? w + 2 : r.nextInt(h * w);
        }
        float[] g = gaussian(24, argmax.length, 1f);
        float[] want = new float[planes * h * w];
        float[] got = new float[want.length];
        Arrays.fill(got, Float.NaN);
        JAVA.maxPool2dBackward(g, argmax, planes, h, w, outH, outW, want);
        tornado.maxPool2dBackward(g, argmax, planes, h, w, outH, outW, got);
        assertBits("maxPool2dBackward with scattered winners", want, got);
    }

    @Test
    void batchedMatmul() {
        int batch = 3;
        int m = 5;
        int k = 17;
        int n = 4;
        float[] a = gaussian(18, batch * m * k, 1f);
        float[] b = gaussian(19, batch * k * n, 1f);
        float[] want = new float[batch * m * n];
        float[] got = new float[want.length];
        JAVA.matmul(a, b, want, batch, m, k, n);
        tornado.matmul(a, b, got, batch, m, k, n);
        assertUlps("matmul", want, got, 0);
    }

    @Test
    void emptyCallsLaunchNothing() {
        float[] out = {};
        tornado.unary(Unary.EXP, 0f, 0f, new float[0], 0, out, 0);
        tornado.sumRows(new float[0], 0, 5, new float[0]);
        float[] zeros = {7f, 7f};
        tornado.sumRows(new float[0], 2, 0, zeros);
        assertUlps("sum of empty rows", new float[] {0f, 0f}, zeros, 0);
    }

    /** NaN, both zeros, both infinities, the float extremes and a few numbers where the ops switch. */
    static final float[] SPECIAL = {
        Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE,
        Float.MAX_VALUE, 1f, -1f, 0.5f, -0.5f, 1e-12f, 2f
    };

    /**
     * The ops whose Java bodies select or compare (relu, clamp, sign, abs, maximum, minimum, the
     * comparisons, BCE's clamped logs) on NaN, signed zeros and infinities: the device must give
     * Java's bits. TornadoVM compiles Math.max/min to OpenCL fmax/fmin, which drop a NaN, and drops
     * the unordered flag of <= and >=, so the shared bodies are written without either.
     */
    @Test
    void selectionsAndComparisonsOnNaNSignedZerosAndInfinitiesGiveJavasBits() {
        int n = SPECIAL.length;
        for (int op : new int[] {Unary.RELU, Unary.CLAMP, Unary.SIGN, Unary.ABS}) {
            // clamp to [-0, 0]: every zero and NaN case of both bounds at once.
            float a = op == Unary.CLAMP ? -0f : 0f;
            float b = 0f;
            float[] want = new float[n];
            float[] got = new float[n];
            JAVA.unary(op, a, b, SPECIAL, 0, want, n);
            tornado.unary(op, a, b, SPECIAL, 0, got, n);
            assertBits("unary " + Unary.name(op), want, got);
        }
        // Every pair: out (n, n) = x (n, 1) op y (1, n).
        int[] shape = {n, n};
        int[] xStrides = {1, 0};
        int[] yStrides = {0, 1};
        for (int op : new int[] {Binary.MAX, Binary.MIN, Binary.EQ, Binary.NE, Binary.LT, Binary.LE, Binary.GT,
                                 Binary.GE}) {
            float[] want = new float[n * n];
            float[] got = new float[n * n];
            JAVA.binary(op, shape, SPECIAL, 0, xStrides, SPECIAL, 0, yStrides, want);
            tornado.binary(op, shape, SPECIAL, 0, xStrides, SPECIAL, 0, yStrides, got);
            assertBits("binary " + Binary.name(op), want, got);
        }
    }

    /**
     * BCE's clamped logs on probabilities 0, 1, NaN, -0 and out of range: log(0) = -inf is clamped
     * to -100 and log(NaN) stays NaN, as in Java (fmax would have clamped NaN to -100 too).
     */
    @Test
    void bceClampsInfiniteLogsAndKeepsNaN() {
        float[] p = {0f, 1f, -0f, Float.NaN, 0.5f, 1.5f, -0.5f, Float.MIN_VALUE};
        float[] t = {1f, 0f, 1f, 1f, 0.5f, 1f, 0f, 1f};
        int[] shape = {p.length};
        int[] unit = {1};
        float[] want = new float[p.length];
        float[] got = new float[p.length];
        JAVA.binary(Binary.BCE, shape, p, 0, unit, t, 0, unit, want);
        tornado.binary(Binary.BCE, shape, p, 0, unit, t, 0, unit, got);
        // log is a transcendental (1 ulp allowed for finite values), but -100, infinities and NaN are exact.
        assertUlps("bce", want, got, 1);  // copies got back
        for (int i = 0; i < p.length; i++) {
            assertEquals(Float.isNaN(want[i]), Float.isNaN(got[i]), "bce NaN at " + i);
        }
        assertEquals(100f, got[0], "bce(p=0, t=1) is the clamp's 100");
    }
}
