package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.ParallelBackend;
import org.tornagrad.kernels.Unary;

/**
 * Tensor ops on large inputs give the same bits inside a {@code Backends.use(parallel)} scope,
 * with 1, 2, 3 and 8 threads, as on the sequential reference backend.
 */
class TensorBackendAgreementTest {
    static final List<Backend> PARALLEL = List.of(
        new ParallelBackend(1), new ParallelBackend(2), new ParallelBackend(3), new ParallelBackend(8));

    static final Tensor BIG = Tensor.randn(1, 200_003);
    static final Tensor IMG = Tensor.randn(2, 4, 3, 97, 101);
    static final Tensor P = Tensor.uniform(3, 0f, 1f, 200_003);
    static final Tensor WIDE = Tensor.randn(4, 3, 70_001);
    static final Tensor TALL = Tensor.randn(5, 70_001, 3);

    /** 50 000 row numbers in [0, 70 001) with repeats; 70 001 row numbers in [0, 40). */
    static final Tensor ROWS = rows(50_000, 70_001);
    static final Tensor FEW = rows(70_001, 40);

    static Tensor rows(int n, int bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (int) ((i * 7919L) % bound);
        }
        return Tensor.vector(v);
    }

    static Map<String, Supplier<Tensor>> ops() {
        Map<String, Supplier<Tensor>> ops = new LinkedHashMap<>();
        for (int op = 0; op < Unary.count(); op++) {
            int code = op;
            ops.put("unary " + Unary.name(op), () -> BIG.unary(code, -0.5f, 0.75f));
        }
        for (int op = 0; op < Binary.count(); op++) {
            int code = op;
            ops.put("binary " + Binary.name(op), () -> P.binary(code, BIG.abs().clamp(0f, 1f)));
            ops.put("binary broadcast " + Binary.name(op), () -> WIDE.binary(code, WIDE.slice(1, 0, 1, 1)));
        }
        ops.put("sum all", () -> BIG.sum());
        ops.put("sum few long rows", () -> WIDE.sum(1, false));
        ops.put("sum many short rows", () -> TALL.sum(-1, true));
        ops.put("sum over a strided axis", () -> TALL.sum(0, false));
        ops.put("sumTo", () -> WIDE.sumTo(Shape.of(1, 70_001)));
        ops.put("mean", () -> IMG.mean());
        ops.put("max long rows", () -> WIDE.max(-1, false).values());
        ops.put("max short rows", () -> TALL.max(1, false).values());
        ops.put("max backward short rows", () -> TALL.max(1, false).backward(Tensor.arange(70_001)));
        ops.put("max backward", () -> TALL.max(0, true).backward(Tensor.vector(1f, 2f, 3f).reshape(1, 3)));
        ops.put("contiguous of a transpose", () -> TALL.transpose(0, 1).contiguous());
        ops.put("reshape of a permute", () -> IMG.permute(3, 0, 2, 1).reshape(-1));
        ops.put("expand", () -> WIDE.slice(0, 1, 2, 1).expand(4, 70_001).contiguous());
        ops.put("slice with step", () -> BIG.slice(0, -150_000, 200_000, 3).contiguous());
        ops.put("pad", () -> TALL.pad(1, 2, 3, -1f));
        ops.put("concat", () -> Tensor.concat(0, WIDE, WIDE.slice(0, 1, 3, 1), WIDE));
        ops.put("stack", () -> Tensor.stack(1, BIG, P));
        ops.put("withSlice", () -> BIG.withSlice(0, 5, 200_000, 7, BIG.slice(0, 0, 28_571, 1)));
        ops.put("indexSelect", () -> TALL.indexSelect(1, new int[] {2, 0, 2}));
        ops.put("gatherRows", () -> TALL.gatherRows(ROWS));
        ops.put("scatterAddRows", () -> TALL.slice(0, 0, 50_000, 1).scatterAddRows(ROWS, 70_001));
        ops.put("scatterAddRows onto few rows", () -> TALL.scatterAddRows(FEW, 40));
        ops.put("maxPool2d", () -> IMG.maxPool2d(3, 2, 1).output());
        ops.put("maxPool2d backward", () -> {
            Tensor.PoolResult r = IMG.maxPool2d(2, 1, 0);
            return r.backward(r.output().mul(0.5f), IMG.shape());
        });
        ops.put("matmul", () -> Tensor.randn(6, 300, 200).matmul(Tensor.randn(7, 200, 150)));
        ops.put("batched matmul", () -> Tensor.randn(8, 4, 60, 70).matmul(Tensor.randn(9, 70, 50)));
        return ops;
    }

    static float[] bits(Supplier<Tensor> op) {
        return op.get().toArray();
    }

    @Test
    @SuppressWarnings("try")  // the scopes are used for their side effect
    void everyTensorOpGivesTheReferenceBitsOnTheParallelBackend() {
        Map<String, Supplier<Tensor>> ops = ops();
        Map<String, float[]> reference = new LinkedHashMap<>();
        try (Backends.Scope s = Backends.use("java")) {
            assertSame(Backends.get("java"), Backends.current());
            ops.forEach((name, op) -> reference.put(name, bits(op)));
        }
        for (Backend p : PARALLEL) {
            try (Backends.Scope s = Backends.use(p)) {
                assertSame(p, Backends.current());
                ops.forEach((name, op) -> assertArrayEquals(reference.get(name), bits(op), name + " on " + p.description()));
            }
        }
    }
}
