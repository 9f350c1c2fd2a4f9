package org.tornagrad.autograd;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.tornagrad.autograd.TestSupport.assertParallelBitIdentical;
import static org.tornagrad.autograd.TestSupport.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tornagrad.tensor.Tensor;

/**
 * The multi-core backend with 1, 2 and 8 threads gives the sequential backend's bits, forward
 * and gradients, on sizes well above its chunk of 32768 elements (so work is split into several
 * chunks with a ragged last one) and, for sums, above the 16384-element reduction block (so long
 * rows are summed block-parallel and combined in block order).
 */
class ParallelBackendAgreementTest {
    /** 99,999 elements: three full chunks of 32768 and a ragged fourth. */
    private static final int[] BIG = {3, 33333};

    private record Case(String name, Function<Variable[], Variable> op, Tensor... inputs) {
    }

    /** Values on a grid of 1/4, so that maximum/minimum/max/max-pool meet many ties. */
    private static Tensor gridded(long seed, int... dims) {
        float[] d = uniform(seed, -2, 2, dims).toArray();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.round(d[i] * 4) / 4f;
        }
        return Tensor.of(d, dims);
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        Tensor x = uniform(1, -3, 3, BIG);
        Tensor positive = uniform(2, 0.1, 3, BIG);
        // Elementwise unary
        c.add(new Case("neg", v -> v[0].neg(), x));
        c.add(new Case("exp", v -> v[0].exp(), x));
        c.add(new Case("log", v -> v[0].log(), positive));
        c.add(new Case("sqrt", v -> v[0].sqrt(), positive));
        c.add(new Case("abs", v -> v[0].abs(), gridded(3, BIG)));
        c.add(new Case("square", v -> v[0].square(), x));
        c.add(new Case("sigmoid", v -> v[0].sigmoid(), x));
        c.add(new Case("relu", v -> v[0].relu(), gridded(4, BIG)));
        c.add(new Case("tanh", v -> v[0].tanh(), x));
        c.add(new Case("reciprocal", v -> v[0].reciprocal(), positive));
        c.add(new Case("pow scalar", v -> v[0].pow(1.7f), positive));
        c.add(new Case("add/sub/mul/div/rsub scalar", v -> v[0].add(0.3f).sub(1.1f).mul(-1.7f).div(3f).rsub(2f), x));
        c.add(new Case("clamp", v -> v[0].clamp(-1f, 1.5f), gridded(5, BIG)));
        c.add(new Case("clampMin", v -> v[0].clampMin(0.25f), gridded(6, BIG)));

        // Elementwise binary, same shapes and broadcast
        Tensor y = uniform(7, -3, 3, BIG);
        c.add(new Case("add", v -> v[0].add(v[1]), x, y));
        c.add(new Case("sub", v -> v[0].sub(v[1]), x, y));
        c.add(new Case("mul", v -> v[0].mul(v[1]), x, y));
        c.add(new Case("div", v -> v[0].div(v[1]), x, positive));
        c.add(new Case("maximum with ties", v -> v[0].maximum(v[1]), gridded(8, BIG), gridded(9, BIG)));
        c.add(new Case("minimum with ties", v -> v[0].minimum(v[1]), gridded(10, BIG), gridded(11, BIG)));
        c.add(new Case("pow", v -> v[0].pow(v[1]), positive, uniform(12, -1, 1, BIG)));
        c.add(new Case("binaryCrossEntropy", v -> v[0].binaryCrossEntropy(v[1]), uniform(13, 0.01, 0.99, BIG),
            uniform(14, 0, 1, BIG)));
        c.add(new Case("add broadcast (3, 33333) + (33333,)", v -> v[0].add(v[1]), x, uniform(15, -1, 1, 33333)));
        c.add(new Case("mul broadcast (3, 33333) * (3, 1)", v -> v[0].mul(v[1]), x, uniform(16, -1, 1, 3, 1)));
        c.add(new Case("maximum broadcast (33333,) vs (3, 33333)", v -> v[0].maximum(v[1]), gridded(17, 33333),
            gridded(18, BIG)));
        c.add(new Case("div broadcast scalar / (3, 33333)", v -> v[0].div(v[1]), Tensor.scalar(1.5f), positive));

        // Reductions: long rows (block-parallel path) and many short rows (row-chunk path)
        c.add(new Case("sum all", v -> v[0].sum(), x));
        c.add(new Case("sum axis 1, two rows of 70000", v -> v[0].sum(1, true), uniform(19, -1, 1, 2, 70000)));
        c.add(new Case("sum axis 0 of (70000, 3)", v -> v[0].sum(0, false), uniform(20, -1, 1, 70000, 3)));
        c.add(new Case("sum axis 1 of (70000, 3)", v -> v[0].sum(1, false), uniform(21, -1, 1, 70000, 3)));
        c.add(new Case("mean", v -> v[0].mean(), x));
        c.add(new Case("mean axes (0, 2)", v -> v[0].mean(new int[] {0, 2}, false), uniform(22, -1, 1, 40, 30, 50)));
        c.add(new Case("max axis 1 with ties", v -> v[0].max(1, false), gridded(23, 4, 40000)));
        c.add(new Case("max axis 0 with ties", v -> v[0].max(0, true), gridded(24, 40000, 3)));

        // Softmax family
        c.add(new Case("softmax axis 1 of (4, 40000)", v -> v[0].softmax(1), uniform(25, -5, 5, 4, 40000)));
        c.add(new Case("softmax axis 0 of (40000, 3)", v -> v[0].softmax(0), uniform(26, -5, 5, 40000, 3)));
        c.add(new Case("softmax axis 1 of NCHW (4, 3, 100, 100)", v -> v[0].softmax(1), uniform(27, -5, 5, 4, 3, 100, 100)));
        c.add(new Case("logSoftmax axis -1 of (40000, 3)", v -> v[0].logSoftmax(-1), uniform(28, -5, 5, 40000, 3)));

        // Windows, linear algebra, norms
        c.add(new Case("maxPool2d k3 s1 p1 with ties (8, 8, 32, 32)", v -> v[0].maxPool2d(3, 1, 1), gridded(29, 8, 8, 32, 32)));
        c.add(new Case("maxPool2d k2 s2 p0 (4, 4, 100, 101)", v -> v[0].maxPool2d(2, 2, 0), gridded(30, 4, 4, 100, 101)));
        c.add(new Case("maxPool2d k5 s1 p2 (2, 3, 128, 128)", v -> v[0].maxPool2d(5, 1, 2), gridded(31, 2, 3, 128, 128)));
        c.add(new Case("matmul (96, 512) @ (512, 512)", v -> v[0].matmul(v[1]), uniform(32, -1, 1, 96, 512),
            uniform(33, -1, 1, 512, 512)));
        c.add(new Case("matmul (4, 64, 256) @ (4, 256, 256)", v -> v[0].matmul(v[1]), uniform(34, -1, 1, 4, 64, 256),
            uniform(35, -1, 1, 4, 256, 256)));
        c.add(new Case("matmul (4, 64, 256) @ (256, 256)", v -> v[0].matmul(v[1]), uniform(36, -1, 1, 4, 64, 256),
            uniform(37, -1, 1, 256, 256)));
        c.add(new Case("norm axis 1 of (4, 40000)", v -> v[0].norm(1, false), uniform(38, -1, 1, 4, 40000)));

        // Movement (copies through the backend's strided copy)
        Tensor x3 = uniform(39, -1, 1, 40, 50, 60);
        c.add(new Case("permute", v -> v[0].permute(2, 0, 1).mul(v[0].permute(2, 0, 1)), x3));
        c.add(new Case("slice step 3", v -> v[0].slice(2, 1, 60, 3), x3));
        c.add(new Case("pad", v -> v[0].pad(1, 3, 2, 0.5f), x3));
        c.add(new Case("concat", v -> Variable.concat(0, v[0], v[1], v[0]), x3, uniform(40, -1, 1, 10, 50, 60)));
        c.add(new Case("expand", v -> v[0].expand(40, 50, 60), uniform(41, -1, 1, 50, 1)));

        float[] rowIndex = new float[1000];
        java.util.Random r = new java.util.Random(44);
        for (int i = 0; i < rowIndex.length; i++) {
            rowIndex[i] = r.nextInt(500);
        }
        Tensor index = Tensor.vector(rowIndex);
        c.add(new Case("gatherRows 1000 of 500 rows (repeats: scatter-add order)",
            v -> v[0].gatherRows(Variable.constant(index)), uniform(45, -1, 1, 500, 100)));

        // A loss-shaped composite: mean BCE of sigmoid logits against soft targets.
        c.add(new Case("mean(bce(sigmoid(x), t))", v -> v[0].sigmoid().binaryCrossEntropy(v[1]).mean(),
            uniform(42, -20, 20, 2, 1, 256, 256), uniform(43, 0, 1, 2, 1, 256, 256)));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> parallelIsBitIdenticalToJavaAboveTheChunkSize() {
        return cases().stream().map(c -> dynamicTest(c.name(), () -> assertParallelBitIdentical(c.name(), c.op(), c.inputs())));
    }
}
