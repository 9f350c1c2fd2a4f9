package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;

/**
 * A kernel call built from a typed instruction, without a device: its work, its plan-cache
 * signature (equal exactly when every argument and array kind and length is) and its checks.
 */
class KernelCallTest {

    private static String unary(float a, int xOffset, int outLength) {
        return KernelCall.of(new Program.Unary(Unary.POW_SCALAR, a, 0f, 0, xOffset, 4, 1), new float[8],
            new float[outLength]).signature();
    }

    private static String binary(int[] shape, int[] xStrides, int[] yStrides) {
        return KernelCall.of(new Program.Binary(Binary.MUL, shape, 0, 0, xStrides, 1, 0, yStrides, 2),
            new float[6], new float[6], new float[6]).signature();
    }

    @Test
    void theSignatureTellsApartEveryArgument() {
        assertEquals(unary(2f, 1, 4), unary(2f, 1, 4));
        assertNotEquals(unary(2f, 1, 4), unary(3f, 1, 4));
        assertNotEquals(unary(0f, 1, 4), unary(-0f, 1, 4));
        assertNotEquals(unary(2f, 1, 4), unary(2f, 2, 4));
        assertNotEquals(unary(2f, 1, 4), unary(2f, 1, 5));
        assertEquals(binary(new int[] {2, 3}, new int[] {3, 1}, new int[] {0, 1}),
            binary(new int[] {2, 3}, new int[] {3, 1}, new int[] {0, 1}));
        assertNotEquals(binary(new int[] {2, 3}, new int[] {3, 1}, new int[] {0, 1}),
            binary(new int[] {2, 3}, new int[] {3, 1}, new int[] {3, 1}));
        assertNotEquals(binary(new int[] {2, 3}, new int[] {3, 1}, new int[] {3, 1}),
            binary(new int[] {3, 2}, new int[] {2, 1}, new int[] {2, 1}));
        String maxRows = KernelCall.of(new Program.MaxRows(0, 2, 3, 1, 2), new float[6], new float[2], new int[2])
            .signature();
        assertTrue(maxRows.startsWith("MAX_ROWS,0,2,3,1,2;f6;f2;i2"), maxRows);
    }

    @Test
    void workAndMetadataComeFromTheNamedFields() {
        KernelCall pool = KernelCall.of(new Program.MaxPool2d(0, 2, 5, 6, 3, 2, 1, 1, 2), new float[60],
            new float[2 * 3 * 3], new int[2 * 3 * 3]);
        assertEquals(2 * 3 * 3, pool.work());
        assertTrue(pool.writes(1) && pool.writes(2) && !pool.writes(0));
        KernelCall copy = KernelCall.of(new Program.Copy(new int[] {2, 3}, 0, 1, new int[] {1, 2}, 1), new float[7],
            new float[6]);
        assertEquals(6, copy.work());
        assertArrayEquals(new int[] {2, 2, 3, 1, 2, 0, 0}, copy.meta);
        KernelCall matmul = KernelCall.of(new Program.Matmul(0, 1, 2, 2, 3, 4, 5), new float[24], new float[40],
            new float[30]);
        assertEquals(2 * 3 * 5, matmul.work());
        assertEquals("matmul", matmul.label());
    }

    @Test
    void theArraysMustMatchTheBuffers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> KernelCall.of(new Program.SumRows(0, 2, 3, 1), new float[6]));
        assertEquals("slots: expected 2 arrays for sum_rows, got 1", e.getMessage());
    }
}
