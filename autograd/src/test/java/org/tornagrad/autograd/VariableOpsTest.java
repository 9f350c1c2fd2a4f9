package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.tornagrad.autograd.TestSupport.assertClose;
import static org.tornagrad.autograd.TestSupport.avoiding;
import static org.tornagrad.autograd.TestSupport.distinct;
import static org.tornagrad.autograd.TestSupport.signed;
import static org.tornagrad.autograd.TestSupport.uniform;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tornagrad.tensor.Tensor;

/**
 * Every differentiable op of {@link Variable}, three ways: the forward against a plain
 * double-precision reference ({@link Reference}), the backward against central finite
 * differences ({@link GradCheck}), and the multi-core backend against the sequential one, bit for
 * bit, with 1, 2 and 8 threads (the large sizes that cross chunk boundaries are in
 * {@link ParallelBackendAgreementTest}).
 */
class VariableOpsTest {
    private static final GradCheck DEFAULT = GradCheck.defaults();
    /** For inputs spaced apart for max / max-pool: a smaller step keeps the winners unchanged. */
    private static final GradCheck FINE = GradCheck.defaults().withStep(1e-3);
    private static final double[] ZERO = {0.0};

    /** One op: its inputs, how to apply it, and its reference. */
    record Case(String name, String covers, Tensor[] inputs, Function<Variable[], Variable> op,
                Function<Nd[], Nd> reference, GradCheck check, double rtol) {
    }

    private static Case unary(String name, String covers, Tensor x, Function<Variable, Variable> op,
                              DoubleUnaryOperator ref) {
        return new Case(name, covers, new Tensor[] {x}, v -> op.apply(v[0]), n -> n[0].map(ref), DEFAULT, 1e-5);
    }

    private static Case binary(String name, String covers, Tensor x, Tensor y,
                               java.util.function.BiFunction<Variable, Variable, Variable> op, DoubleBinaryOperator ref) {
        return new Case(name, covers, new Tensor[] {x, y}, v -> op.apply(v[0], v[1]),
            n -> Nd.zip(n[0], n[1], ref), DEFAULT, 1e-5);
    }

    private static Case of(String name, String covers, Tensor[] inputs, Function<Variable[], Variable> op,
                           Function<Nd[], Nd> ref) {
        return new Case(name, covers, inputs, op, ref, DEFAULT, 1e-5);
    }

    private static Case fine(String name, String covers, Tensor[] inputs, Function<Variable[], Variable> op,
                             Function<Nd[], Nd> ref) {
        return new Case(name, covers, inputs, op, ref, FINE, 1e-5);
    }

    private static Tensor[] t(Tensor... ts) {
        return ts;
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        int[] s = {3, 4};
        // Elementwise unary
        c.add(unary("neg", "neg", uniform(1, -2, 2, s), Variable::neg, x -> -x));
        c.add(unary("exp", "exp", uniform(2, -2, 2, s), Variable::exp, Math::exp));
        c.add(unary("log", "log", uniform(3, 0.2, 3, s), Variable::log, Math::log));
        c.add(unary("sqrt", "sqrt", uniform(4, 0.2, 3, s), Variable::sqrt, Math::sqrt));
        c.add(unary("abs", "abs", signed(5, 0.1, 2, s), Variable::abs, Math::abs));
        c.add(unary("square", "square", uniform(6, -2, 2, s), Variable::square, x -> x * x));
        c.add(unary("sigmoid", "sigmoid", uniform(7, -4, 4, s), Variable::sigmoid, Reference::sigmoid));
        c.add(unary("relu", "relu", signed(8, 0.1, 2, s), Variable::relu, x -> Math.max(x, 0)));
        c.add(unary("tanh", "tanh", uniform(9, -2, 2, s), Variable::tanh, Math::tanh));
        c.add(unary("reciprocal", "reciprocal", signed(10, 0.3, 2, s), Variable::reciprocal, x -> 1 / x));
        c.add(unary("pow 2.5", "pow", uniform(11, 0.2, 2, s), x -> x.pow(2.5f), x -> Math.pow(x, 2.5)));
        c.add(unary("pow 3 (negative base)", "pow", uniform(12, -2, 2, s), x -> x.pow(3f), x -> x * x * x));
        c.add(unary("pow -1.5", "pow", uniform(13, 0.5, 2, s), x -> x.pow(-1.5f), x -> Math.pow(x, -1.5)));
        c.add(unary("add scalar", "add", uniform(14, -2, 2, s), x -> x.add(1.5f), x -> x + 1.5));
        c.add(unary("sub scalar", "sub", uniform(15, -2, 2, s), x -> x.sub(0.75f), x -> x - 0.75));
        c.add(unary("mul scalar", "mul", uniform(16, -2, 2, s), x -> x.mul(-2.5f), x -> x * -2.5));
        c.add(unary("div scalar", "div", uniform(17, -2, 2, s), x -> x.div(4f), x -> x / 4));
        c.add(unary("rsub scalar", "rsub", uniform(18, -2, 2, s), x -> x.rsub(3f), x -> 3 - x));
        c.add(unary("clamp", "clamp", avoiding(19, -1, 1, 0.05, new double[] {-0.5, 0.5}, s), x -> x.clamp(-0.5f, 0.5f),
            x -> Math.min(Math.max(x, -0.5), 0.5)));
        c.add(unary("clampMin", "clampMin", avoiding(20, -1, 1, 0.05, new double[] {0.25}, s), x -> x.clampMin(0.25f),
            x -> Math.max(x, 0.25)));

        // Elementwise binary, same shapes (broadcasting has its own test class)
        Tensor x = uniform(30, -2, 2, s);
        c.add(binary("add", "add", x, uniform(31, -2, 2, s), Variable::add, Double::sum));
        c.add(binary("sub", "sub", x, uniform(32, -2, 2, s), Variable::sub, (a, b) -> a - b));
        c.add(binary("mul", "mul", x, uniform(33, -2, 2, s), Variable::mul, (a, b) -> a * b));
        c.add(binary("div", "div", x, signed(34, 0.5, 2, s), Variable::div, (a, b) -> a / b));
        Tensor gap = signed(35, 0.1, 1, s);
        c.add(binary("maximum", "maximum", x, x.add(gap), Variable::maximum, Math::max));
        c.add(binary("minimum", "minimum", x, x.add(gap), Variable::minimum, Math::min));
        c.add(binary("pow", "pow", uniform(36, 0.5, 2, s), uniform(37, -1.5, 1.5, s), Variable::pow, Math::pow));
        c.add(binary("binaryCrossEntropy", "binaryCrossEntropy", uniform(38, 0.15, 0.85, s), uniform(39, 0, 1, s),
            Variable::binaryCrossEntropy, Reference::bce));

        // Reductions
        int[] s3 = {2, 3, 4};
        Tensor x3 = uniform(40, -2, 2, s3);
        c.add(of("sum all", "sum", t(x3), v -> v[0].sum(), n -> n[0].sum(new int[] {0, 1, 2}, false)));
        c.add(of("sum axes (0, 2)", "sum", t(x3), v -> v[0].sum(new int[] {0, 2}, false),
            n -> n[0].sum(new int[] {0, 2}, false)));
        c.add(of("sum axis 1 keepDims", "sum", t(x3), v -> v[0].sum(1, true), n -> n[0].sum(new int[] {1}, true)));
        c.add(of("sum axis -1", "sum", t(x3), v -> v[0].sum(-1, false), n -> n[0].sum(new int[] {2}, false)));
        c.add(of("mean all", "mean", t(x3), v -> v[0].mean(), n -> n[0].sum(new int[] {0, 1, 2}, false).map(a -> a / 24)));
        c.add(of("mean axes (0, 2) keepDims", "mean", t(x3), v -> v[0].mean(new int[] {0, 2}, true),
            n -> n[0].sum(new int[] {0, 2}, true).map(a -> a / 8)));
        c.add(fine("max axis 1", "max", t(distinct(41, 0.1, s3)), v -> v[0].max(1, false), n -> Reference.max(n[0], 1, false)));
        c.add(fine("max axis -1 keepDims", "max", t(distinct(42, 0.1, s3)), v -> v[0].max(-1, true),
            n -> Reference.max(n[0], -1, true)));

        // Softmax family
        c.add(of("softmax axis 1", "softmax", t(uniform(43, -3, 3, s3)), v -> v[0].softmax(1), n -> Reference.softmax(n[0], 1)));
        c.add(of("softmax axis -1", "softmax", t(uniform(44, -3, 3, s3)), v -> v[0].softmax(-1),
            n -> Reference.softmax(n[0], 2)));
        c.add(of("logSoftmax axis 1", "logSoftmax", t(uniform(45, -3, 3, s3)), v -> v[0].logSoftmax(1),
            n -> Reference.logSoftmax(n[0], 1)));
        c.add(of("logSoftmax axis 0", "logSoftmax", t(uniform(46, -3, 3, s3)), v -> v[0].logSoftmax(0),
            n -> Reference.logSoftmax(n[0], 0)));

        // Movement
        c.add(of("reshape", "reshape", t(x3), v -> v[0].reshape(4, -1), n -> n[0].reshape(4, 6)));
        c.add(of("flatten", "flatten", t(x3), v -> v[0].flatten(), n -> n[0].reshape(24)));
        c.add(of("permute", "permute", t(x3), v -> v[0].permute(2, 0, 1), n -> Reference.permute(n[0], 2, 0, 1)));
        c.add(of("transpose", "transpose", t(x3), v -> v[0].transpose(0, -1), n -> Reference.permute(n[0], 2, 1, 0)));
        c.add(of("slice step 2", "slice", t(x3), v -> v[0].slice(1, 0, 3, 2), n -> Reference.slice(n[0], 1, 0, 3, 2)));
        c.add(of("slice negative bounds", "slice", t(x3), v -> v[0].slice(-1, -3, -1, 1),
            n -> Reference.slice(n[0], 2, -3, -1, 1)));
        c.add(of("expand", "expand", t(uniform(47, -2, 2, 3, 1)), v -> v[0].expand(2, 3, 4),
            n -> Reference.expand(n[0], 2, 3, 4)));
        c.add(of("unsqueeze", "unsqueeze", t(x3), v -> v[0].unsqueeze(1), n -> Reference.unsqueeze(n[0], 1)));
        c.add(of("squeeze", "squeeze", t(uniform(48, -2, 2, 3, 1, 4)), v -> v[0].squeeze(1), n -> n[0].reshape(3, 4)));
        c.add(of("pad", "pad", t(x3), v -> v[0].pad(1, 2, 1, -7f), n -> Reference.pad(n[0], 1, 2, 1, -7)));
        c.add(of("pad axis -1", "pad", t(x3), v -> v[0].pad(-1, 0, 3, 2.5f), n -> Reference.pad(n[0], 2, 0, 3, 2.5)));
        Tensor a = uniform(49, -2, 2, 2, 3);
        Tensor b = uniform(50, -2, 2, 2, 2);
        c.add(of("concat axis 1", "concat", t(a, b), v -> Variable.concat(1, v[0], v[1]),
            n -> Reference.concat(1, n[0], n[1])));
        c.add(of("concat a part twice", "concat", t(a, b), v -> Variable.concat(-1, v[0], v[1], v[0]),
            n -> Reference.concat(1, n[0], n[1], n[0])));
        Tensor a2 = uniform(51, -2, 2, 2, 3);
        Tensor constantPart = uniform(68, -2, 2, 2, 4);
        c.add(of("concat with a constant part", "concat", t(a), v -> Variable.concat(1, Variable.constant(constantPart), v[0]),
            n -> Reference.concat(1, Nd.of(constantPart), n[0])));
        c.add(of("stack axis 0", "stack", t(a, a2), v -> Variable.stack(0, v[0], v[1]), n -> Reference.stack(0, n[0], n[1])));
        c.add(of("stack axis -1", "stack", t(a, a2), v -> Variable.stack(-1, v[0], v[1]),
            n -> Reference.stack(-1, n[0], n[1])));
        c.add(of("indexSelect with repeats", "indexSelect", t(x3), v -> v[0].indexSelect(2, new int[] {3, 0, 3, 1}),
            n -> Reference.indexSelect(n[0], 2, 3, 0, 3, 1)));

        Tensor rowIndex = Tensor.vector(2f, 0f, 2f, 3f, 1f, 2f);
        c.add(of("gatherRows with repeats", "gatherRows", t(uniform(67, -2, 2, 4, 5)),
            v -> v[0].gatherRows(Variable.constant(rowIndex)), n -> Reference.indexSelect(n[0], 0, 2, 0, 2, 3, 1, 2)));

        // Windows and linear algebra
        c.add(fine("maxPool2d k3 s1 p1", "maxPool2d", t(distinct(52, 0.1, 2, 2, 5, 5)), v -> v[0].maxPool2d(3, 1, 1),
            n -> Reference.maxPool2d(n[0], 3, 1, 1)));
        c.add(fine("maxPool2d k2 s2 p0 (odd size)", "maxPool2d", t(distinct(53, 0.1, 1, 3, 7, 6)),
            v -> v[0].maxPool2d(2, 2, 0), n -> Reference.maxPool2d(n[0], 2, 2, 0)));
        c.add(fine("maxPool2d k3 s2 p1 rank 3", "maxPool2d", t(distinct(54, 0.1, 2, 7, 7)), v -> v[0].maxPool2d(3, 2, 1),
            n -> Reference.maxPool2d(n[0], 3, 2, 1)));
        c.add(of("matmul 2d", "matmul", t(uniform(55, -1, 1, 3, 4), uniform(56, -1, 1, 4, 5)),
            v -> v[0].matmul(v[1]), n -> Reference.matmul(n[0], n[1])));
        c.add(of("matmul batched", "matmul", t(uniform(57, -1, 1, 2, 3, 4), uniform(58, -1, 1, 2, 4, 5)),
            v -> v[0].matmul(v[1]), n -> Reference.matmul(n[0], n[1])));
        c.add(of("matmul batched @ 2d", "matmul", t(uniform(59, -1, 1, 2, 3, 4), uniform(60, -1, 1, 4, 5)),
            v -> v[0].matmul(v[1]), n -> Reference.matmul(n[0], n[1])));
        c.add(of("matmul 2d @ batched", "matmul", t(uniform(61, -1, 1, 3, 4), uniform(62, -1, 1, 2, 4, 5)),
            v -> v[0].matmul(v[1]), n -> Reference.matmul(n[0], n[1])));
        c.add(of("norm axis 1", "norm", t(signed(63, 0.2, 2, 3, 4)), v -> v[0].norm(1, false), n -> Reference.norm(n[0], 1, false)));
        c.add(of("norm axis 0 keepDims", "norm", t(signed(64, 0.2, 2, 3, 4)), v -> v[0].norm(0, true),
            n -> Reference.norm(n[0], 0, true)));

        // A composite through several ops, so that the engine's chaining is checked as well.
        c.add(of("composite: mean(softmax(x @ w) * sigmoid(x @ w))", "", t(uniform(65, -1, 1, 3, 4), uniform(66, -1, 1, 4, 5)),
            v -> { Variable z = v[0].matmul(v[1]); return z.softmax(1).mul(z.sigmoid()).mean(); },
            n -> { Nd z = Reference.matmul(n[0], n[1]);
                   return Nd.zip(Reference.softmax(z, 1), z.map(Reference::sigmoid), (p, q) -> p * q)
                       .sum(new int[] {0, 1}, false).map(q -> q / 15); }));
        // Ops fed by views (transposed, strided, expanded), which the kernels read through strides.
        c.add(of("composite on views: softmax(sigmoid(slice(x^T)) @ exp(slice(x)))", "",
            t(uniform(69, -1, 1, 4, 6)),
            v -> v[0].transpose(0, 1).slice(0, 1, 6, 2).sigmoid().matmul(v[0].slice(1, 0, 3, 1).exp()).softmax(0),
            n -> Reference.softmax(Reference.matmul(
                Reference.slice(Reference.permute(n[0], 1, 0), 0, 1, 6, 2).map(Reference::sigmoid),
                Reference.slice(n[0], 1, 0, 3, 1).map(Math::exp)), 0)));
        c.add(of("composite on views: sum(expand(x) * y, axes (0, 2)) / permute(z)", "",
            t(uniform(70, -1, 1, 3, 1), uniform(71, -1, 1, 4), signed(72, 0.5, 2, 1, 3)),
            v -> v[0].expand(2, 3, 4).mul(v[1]).sum(new int[] {0, 2}, false).div(v[2].permute(1, 0).reshape(3)),
            n -> Nd.zip(Nd.zip(Reference.expand(n[0], 2, 3, 4), n[1], (p, q) -> p * q).sum(new int[] {0, 2}, false),
                n[2].reshape(3), (p, q) -> p / q)));
        return c;
    }

    @TestFactory
    Stream<DynamicNode> everyOpForwardGradcheckAndParallel() {
        return cases().stream().map(c -> DynamicContainer.dynamicContainer(c.name(), Stream.of(
            dynamicTest("forward matches the double-precision reference", () -> {
                Variable[] in = new Variable[c.inputs().length];
                Nd[] ref = new Nd[c.inputs().length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = Variable.param(c.inputs()[i]);
                    ref[i] = Nd.of(c.inputs()[i]);
                }
                Variable out = c.op().apply(in);
                assertClose(c.reference().apply(ref), out.data(), c.rtol(), 1e-6, c.name());
                assertTrue(out.requiresGrad(), "the output of " + c.name() + " on params requires a gradient");
            }),
            dynamicTest("backward matches central finite differences", () -> {
                GradCheck.Result r = c.check().check(c.op(), c.inputs());
                assertTrue(r.passed, c.name() + ": " + r);
            }),
            dynamicTest("parallel(1, 2, 8) is bit-identical to java", () ->
                TestSupport.assertParallelBitIdentical(c.name(), c.op(), c.inputs())))));
    }

    /** Ops that are no part of the differentiable catalog above. */
    private static final Set<String> NOT_OPS = Set.of(
        "param", "constant", "data", "shape", "requiresGrad", "isLeaf", "grad", "zeroGrad", "detach", "named", "name",
        "op", "backward", "toString", "hashCode", "equals", "getClass", "notify", "notifyAll", "wait",
        // comparisons have no gradient; comparisonsMatchReferenceAndCarryNoGradient covers them
        "eq", "ne", "lt", "le", "gt", "ge");

    @Test
    void theCatalogCoversEveryPublicOpOfVariable() {
        Set<String> covered = new TreeSet<>();
        for (Case c : cases()) {
            covered.add(c.covers());
        }
        Set<String> missing = new TreeSet<>();
        for (Method m : Variable.class.getMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !NOT_OPS.contains(m.getName()) && !covered.contains(m.getName())) {
                missing.add(m.getName());
            }
        }
        assertEquals(Set.of(), missing, "public ops of Variable without a forward/gradcheck/parallel case");
    }

    @Test
    void comparisonsMatchReferenceAndCarryNoGradient() {
        float[] xs = {1f, 2f, 3f, -1f, 0f, 5f};
        float[] ys = {1f, 3f, 2f, -1f, 0.5f, 5f};
        Variable x = Variable.param(Tensor.of(xs, 2, 3));
        Variable y = Variable.param(Tensor.of(ys, 2, 3));
        Object[][] ops = {
            {"eq", x.eq(y), (DoubleBinaryOperator) (a, b) -> a == b ? 1 : 0},
            {"ne", x.ne(y), (DoubleBinaryOperator) (a, b) -> a != b ? 1 : 0},
            {"lt", x.lt(y), (DoubleBinaryOperator) (a, b) -> a < b ? 1 : 0},
            {"le", x.le(y), (DoubleBinaryOperator) (a, b) -> a <= b ? 1 : 0},
            {"gt", x.gt(y), (DoubleBinaryOperator) (a, b) -> a > b ? 1 : 0},
            {"ge", x.ge(y), (DoubleBinaryOperator) (a, b) -> a >= b ? 1 : 0},
        };
        for (Object[] op : ops) {
            Variable out = (Variable) op[1];
            Nd expected = Nd.zip(Nd.of(x.data()), Nd.of(y.data()), (DoubleBinaryOperator) op[2]);
            assertClose(expected, out.data(), 0, 0, (String) op[0]);
            assertFalse(out.requiresGrad(), op[0] + " carries no gradient");
            assertTrue(out.isLeaf(), op[0] + " records no node");
        }
        // Broadcast comparison against a scalar.
        Variable half = Variable.constant(0.5f);
        assertClose(Nd.zip(Nd.of(x.data()), Nd.of(half.data()), (a, b) -> a > b ? 1 : 0), x.gt(half).data(), 0, 0,
            "gt with a scalar");
    }
}
