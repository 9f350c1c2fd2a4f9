package org.tornagrad.autograd.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.kernels.Unary;
import org.tornagrad.tensor.Tensor;

/** The typed instructions: their fields, their checks, their buffers and their text in a listing. */
class ProgramInstructionTest {

    private static void assertRejected(String message, Executable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct);
        assertEquals(message, e.getMessage());
    }

    @Test
    void theTracerRecordsEachCallWithItsArgumentsByName() {
        Program p = Tracer.trace(in -> in.get("x").exp().sum(), Map.of("x", Tensor.vector(1f, 2f, 3f)), List.of("x"));
        Program.Instruction first = p.instructions().get(0);
        assertTrue(first instanceof Program.Unary, p.listing());
        Program.Unary exp = (Program.Unary) first;
        assertEquals(Program.Kernel.UNARY, exp.kind());
        assertEquals(Unary.EXP, exp.op());
        assertEquals(p.inputs().get("x"), exp.x());
        assertEquals(0, exp.xOffset());
        assertEquals(3, exp.n());
        assertArrayEquals(new int[] {exp.x(), exp.out()}, exp.buffers());
        assertTrue(p.listing().contains("  unary[exp](%" + exp.x() + ", %" + exp.out() + ")\n"), p.listing());
    }

    @Test
    void aListingNamesTheKernelItsOpAndItsBuffers() {
        assertEquals("unary[exp](%0, %1)", new Program.Unary(Unary.EXP, 0f, 0f, 0, 0, 3, 1).toString());
        assertEquals("binary[mul](%4, %5, %6)",
            new Program.Binary(Binary.MUL, new int[] {2}, 4, 0, new int[] {1}, 5, 0, new int[] {0}, 6).toString());
        assertEquals("max_pool2d(%0, %1, %2)", new Program.MaxPool2d(0, 1, 4, 4, 3, 1, 1, 1, 2).toString());
        assertEquals("scatter(%7, %8)", new Program.Scatter(new int[] {2}, 7, 8, 1, new int[] {1}).toString());
        assertEquals("sum_rows(%0, %1)", new Program.SumRows(0, 2, 3, 1).toString());
        assertEquals("unary[exp]", new Program.Unary(Unary.EXP, 0f, 0f, 0, 0, 3, 1).label());
        assertEquals("matmul", new Program.Matmul(0, 1, 2, 1, 2, 3, 4).label());
    }

    @Test
    void theChecksNameTheFieldTheExpectedAndTheActualValue() {
        assertRejected("copy.out: expected a buffer id >= 0, got -1",
            () -> new Program.Copy(new int[] {2}, 0, 0, new int[] {1}, -1));
        assertRejected("sum_rows.cols: expected >= 0, got -2", () -> new Program.SumRows(0, 3, -2, 1));
        assertRejected("max_pool2d.stride: expected >= 1, got 0", () -> new Program.MaxPool2d(0, 1, 4, 4, 3, 0, 1, 1, 2));
        assertRejected("binary.xStrides: expected 2 strides (the shape's rank), got 1",
            () -> new Program.Binary(Binary.ADD, new int[] {2, 3}, 0, 0, new int[] {3}, 1, 0, new int[] {3, 1}, 2));
        assertRejected("scatter.shape: expected dimensions >= 0, got [2, -1]",
            () -> new Program.Scatter(new int[] {2, -1}, 0, 1, 0, new int[] {1, 1}));
        assertRejected("copy.shape: expected a shape, got null", () -> new Program.Copy(null, 0, 0, new int[0], 1));
        assertRejected("unary.op: expected a unary op code in [0, " + (Unary.count() - 1) + "], got " + Unary.count(),
            () -> new Program.Unary(Unary.count(), 0f, 0f, 0, 0, 1, 1));
        assertRejected("binary.yOffset: expected >= 0, got -3", () -> new Program.Binary(Binary.MUL,
            new int[] {2}, 0, 0, new int[] {1}, 1, -3, new int[] {1}, 2));
    }

    @Test
    void writesAndReadsFollowTheBufferOrder() {
        Program.Instruction max = new Program.MaxRows(0, 2, 3, 1, 2);
        assertFalse(max.writes(0));
        assertTrue(max.writes(1) && max.writes(2));
        assertTrue(max.reads(0) && !max.reads(1) && !max.reads(2));
        Program.Instruction scatter = new Program.Scatter(new int[] {2}, 0, 1, 0, new int[] {1});
        assertTrue(scatter.writes(1) && !scatter.writes(0));
        assertTrue(scatter.reads(0) && scatter.reads(1));
        Program.Instruction matmul = new Program.Matmul(3, 4, 5, 1, 2, 3, 4);
        assertArrayEquals(new int[] {3, 4, 5}, matmul.buffers());
        assertTrue(matmul.writes(2) && !matmul.writes(1));
    }

    @Test
    void shapesAndStridesAreCopiedInAndOut() {
        int[] shape = {2, 3};
        int[] strides = {3, 1};
        Program.Copy copy = new Program.Copy(shape, 0, 0, strides, 1);
        shape[0] = 7;
        strides[0] = 9;
        copy.shape()[1] = 8;
        assertArrayEquals(new int[] {2, 3}, copy.shape());
        assertArrayEquals(new int[] {3, 1}, copy.strides());
    }

    @Test
    void callOnRunsTheBackendMethodOverTheArraysById() {
        float[] x = {0f, 1f, 2f, 3f};
        float[] out = new float[3];
        Object[] arrays = {out, x};
        new Program.Unary(Unary.NEG, 0f, 0f, 1, 1, 3, 0).callOn(new ReferenceBackend(), arrays);
        assertArrayEquals(new float[] {-1f, -2f, -3f}, out);
    }
}
