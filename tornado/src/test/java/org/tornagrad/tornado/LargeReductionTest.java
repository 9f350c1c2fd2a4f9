package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tornagrad.tornado.TornadoTests.assertSame;
import static org.tornagrad.tornado.TornadoTests.assertUlps;
import static org.tornagrad.tornado.TornadoTests.gaussian;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.ReferenceBackend;

/**
 * Sums and maxima far above 8,192 elements, where TornadoVM's {@code @Reduce} returns the sum of
 * the first 8,192 (or corrupts memory) on an OpenCL CPU device. The two-stage reductions here
 * (fixed blocks, then the block results in order) must give the Java reference's exact bits.
 */
class LargeReductionTest {
    static final int MILLION = 1 << 20;
    static final Backend JAVA = new ReferenceBackend();
    static Backend tornado;

    @BeforeAll
    static void device() {
        TornadoTests.assumeTornado();
        tornado = new TornadoBackend();
    }

    @Test
    void sumOfAMillionElementsHasTheReferenceBits() {
        float[] x = gaussian(21, MILLION, 3f);
        float[] want = new float[1];
        float[] got = new float[1];
        JAVA.sumRows(x, 1, MILLION, want);
        tornado.sumRows(x, 1, MILLION, got);
        assertUlps("sum of 2^20 gaussians", want, got, 0);

        // A sum of ones is exact: catches a reduction that drops blocks (8,192 or 16,384 instead of 2^20).
        float[] ones = new float[MILLION + 3];
        java.util.Arrays.fill(ones, 1f);
        tornado.sumRows(ones, 1, ones.length, got);
        Backends.sync(got);
        assertEquals(MILLION + 3, got[0]);
    }

    @Test
    void rowSumsOverAMillionElementsInEveryShape() {
        for (int[] rc : new int[][] {{4, MILLION / 4}, {MILLION / 3, 3}, {1024, 1024}, {7, 150_001}}) {
            int rows = rc[0];
            int cols = rc[1];
            float[] x = gaussian(22 + rows, rows * cols, 1f);
            float[] want = new float[rows];
            float[] got = new float[rows];
            JAVA.sumRows(x, rows, cols, want);
            tornado.sumRows(x, rows, cols, got);
            assertUlps("sumRows " + rows + "x" + cols, want, got, 0);
        }
    }

    @Test
    void maxOfAMillionElementsFirstOnTiesAndNaNWins() {
        float[] x = gaussian(23, MILLION, 1f);
        x[300_000] = 50f;
        x[900_000] = 50f;
        float[] value = new float[1];
        int[] index = new int[1];
        tornado.maxRows(x, 1, MILLION, value, index);
        Backends.sync(value);
        Backends.sync(index);
        assertEquals(50f, value[0]);
        assertEquals(300_000, index[0], "the first of equal maxima, as torch.max on CPU");

        x[700_001] = Float.NaN;
        x[800_000] = Float.NaN;
        float[] wantValue = new float[1];
        int[] wantIndex = new int[1];
        JAVA.maxRows(x, 1, MILLION, wantValue, wantIndex);
        tornado.maxRows(x, 1, MILLION, value, index);
        assertSame("max index with NaN", wantIndex, index);
        assertEquals(700_001, index[0], "the first NaN wins, as in PyTorch");
        Backends.sync(value);
        assertEquals(Float.NaN, value[0]);
    }

    @Test
    void rowMaximaOverAMillionElements() {
        int rows = 256;
        int cols = MILLION / rows;
        float[] x = gaussian(24, rows * cols, 1f);
        float[] want = new float[rows];
        float[] got = new float[rows];
        int[] wantIndex = new int[rows];
        int[] gotIndex = new int[rows];
        JAVA.maxRows(x, rows, cols, want, wantIndex);
        tornado.maxRows(x, rows, cols, got, gotIndex);
        assertSame("maxRows index", wantIndex, gotIndex);
        assertUlps("maxRows value", want, got, 0);
    }
}
