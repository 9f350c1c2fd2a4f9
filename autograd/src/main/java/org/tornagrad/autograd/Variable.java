package org.tornagrad.autograd;

import java.util.Arrays;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Unary;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/**
 * A value in the autograd graph: a {@link Tensor}, the op that created it, and (for leaves that
 * require it) the gradient that {@link #backward()} accumulates.
 *
 * <p>Each op below computes its forward at once (define-by-run, as in PyTorch) and records its
 * backward rule right beside it, so that the derivative of every op is read next to the op.
 * <pre>{@code
 * Variable x = Variable.param(Tensor.vector(1f, -2f, 3f));
 * Variable y = x.sigmoid().mul(x).sum();
 * y.backward();
 * System.out.println(x.grad());
 * }</pre>
 *
 * <p>A variable is not thread-safe; separate graphs on separate threads are.
 */
public final class Variable {
    private final Tensor data;
    private final boolean requiresGrad;
    private final Node creator;
    private Tensor grad;
    private String name;

    private Variable(Tensor data, boolean requiresGrad, Node creator) {
        if (data == null) {
            throw new IllegalArgumentException("data: expected a tensor, got null");
        }
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.creator = creator;
    }

    /** A leaf that requires a gradient: a parameter or an input to differentiate. */
    public static Variable param(Tensor data) {
        return new Variable(data, true, null);
    }

    /** A leaf without a gradient: a target, a mask, a constant. */
    public static Variable constant(Tensor data) {
        return new Variable(data, false, null);
    }

    public static Variable constant(float value) {
        return constant(Tensor.scalar(value));
    }

    /**
     * The output of an op: records {@code rule} unless grad mode is off or no input needs a
     * gradient, in which case the result is a plain constant (nothing is kept alive).
     */
    static Variable record(String op, String detail, Tensor out, Node.BackwardRule rule, Variable... inputs) {
        if (NoGrad.isActive()) {
            return constant(out);
        }
        for (Variable in : inputs) {
            if (in.requiresGrad) {
                return new Variable(out, true, new Node(op, detail, inputs, rule));
            }
        }
        return constant(out);
    }

    // ----------------------------------------------------------------------------------------
    // State

    public Tensor data() {
        return data;
    }

    public Shape shape() {
        return data.shape();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Whether no op created this variable. */
    public boolean isLeaf() {
        return creator == null;
    }

    Node creator() {
        return creator;
    }

    /** The accumulated gradient of a leaf, or null before any backward pass reached it. */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient, as {@code tensor.grad = None}. */
    public void zeroGrad() {
        grad = null;
    }

    void accumulateGrad(Tensor g) {
        grad = grad == null ? g : grad.add(g);
    }

    /** The same data, cut from the graph: no gradient flows through the result. */
    public Variable detach() {
        return constant(data);
    }

    /** A label shown in the DOT graph. */
    public Variable named(String label) {
        this.name = label;
        return this;
    }

    public String name() {
        return name;
    }

    /** The op that made this variable ("leaf" for leaves). */
    public String op() {
        return creator == null ? "leaf" : creator.op;
    }

    // ----------------------------------------------------------------------------------------
    // Backward

    /** Backpropagates from this scalar (gradient 1), freeing the graph's saved tensors. */
    public void backward() {
        if (data.size() != 1) {
            throw new IllegalArgumentException("output: expected a one-element tensor for backward() without a gradient,"
                + " got shape " + data.shape() + "; pass the upstream gradient explicitly");
        }
        backward(Tensor.full(1f, data.shape().dims()), false);
    }

    /** Backpropagates {@code gradient} (of this variable's shape), freeing the graph. */
    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /**
     * Backpropagates {@code gradient}; with {@code retainGraph} the saved tensors are kept so that
     * a second backward through the same graph works (PyTorch's {@code retain_graph=True}).
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this variable does not require a gradient (no input of its graph"
                + " is a param, or it was made under NoGrad)");
        }
        if (gradient == null) {
            throw new IllegalArgumentException("gradient: expected a tensor of shape " + shape() + ", got null");
        }
        gradient.requireShape("gradient", shape());
        Engine.backward(this, gradient, retainGraph);
    }

    // ----------------------------------------------------------------------------------------
    // Elementwise unary ops: y = op(x), dx = g * op'(x), each derivative written with tensor ops
    // beside its forward (the compiled paths fuse them back into the forward's passes). Orders of
    // operations follow PyTorch's backward kernels, so the roundings match where the formulas do.

    /** The derivative rule of a unary op: x's gradient from the input, the output and g. */
    @FunctionalInterface
    private interface UnaryRule {
        Tensor apply(Tensor x, Tensor y, Tensor g);
    }

    private Variable unary(int op, float a, float b, String detail, UnaryRule rule) {
        Tensor x = data;
        Tensor y = x.unary(op, a, b);
        return record(Unary.name(op), detail, y, (g, needs) -> new Tensor[] {rule.apply(x, y, g)}, this);
    }

    private Variable unary(int op, UnaryRule rule) {
        return unary(op, 0f, 0f, "", rule);
    }

    public Variable neg() { return unary(Unary.NEG, (x, y, g) -> g.neg()); }
    public Variable exp() { return unary(Unary.EXP, (x, y, g) -> g.mul(y)); }
    public Variable log() { return unary(Unary.LOG, (x, y, g) -> g.div(x)); }
    /** Square root; its gradient at 0 is infinite, as in PyTorch. */
    public Variable sqrt() { return unary(Unary.SQRT, (x, y, g) -> g.div(y.mul(2f))); }
    /** Absolute value; gradient {@code sign(x)}, 0 at 0 as in PyTorch. */
    public Variable abs() { return unary(Unary.ABS, (x, y, g) -> g.mul(x.sign())); }
    public Variable square() { return unary(Unary.SQUARE, (x, y, g) -> g.mul(x.mul(2f))); }
    public Variable sigmoid() { return unary(Unary.SIGMOID, (x, y, g) -> g.mul(y.rsub(1f)).mul(y)); }
    /**
     * {@code max(x, 0)}; the gradient passes where y is not 0, which is PyTorch's
     * {@code threshold_backward}: none where {@code x <= 0}, all of it at NaN.
     */
    public Variable relu() { return unary(Unary.RELU, (x, y, g) -> g.mul(y.ne(Tensor.scalar(0f)))); }
    public Variable tanh() { return unary(Unary.TANH, (x, y, g) -> g.mul(y.square().rsub(1f))); }
    public Variable reciprocal() { return unary(Unary.RECIPROCAL, (x, y, g) -> g.mul(y.square().neg())); }

    /** {@code x^p}; gradient {@code p x^(p-1)}, and 0 for {@code p = 0} even at x = 0. */
    public Variable pow(float p) {
        return unary(Unary.POW_SCALAR, p, 0f, "p=" + p,
            (x, y, g) -> p == 0f ? Tensor.zeros(x.shape().dims()) : g.mul(x.pow(p - 1f).mul(p)));
    }

    public Variable add(float c) { return unary(Unary.ADD_SCALAR, c, 0f, "c=" + c, (x, y, g) -> copyOf(g)); }

    public Variable sub(float c) { return add(-c); }

    public Variable mul(float c) { return unary(Unary.MUL_SCALAR, c, 0f, "c=" + c, (x, y, g) -> g.mul(c)); }

    /** {@code x / c}, computed as {@code x * (1/c)}. */
    public Variable div(float c) {
        if (c == 0f) {
            throw new IllegalArgumentException("c: expected a non-zero divisor, got 0");
        }
        return mul(1f / c);
    }

    /** {@code c - x}. */
    public Variable rsub(float c) { return unary(Unary.RSUB_SCALAR, c, 0f, "c=" + c, (x, y, g) -> g.neg()); }

    /** {@code min(max(x, min), max)}; the gradient passes where {@code min <= x <= max}, as torch.clamp. */
    public Variable clamp(float min, float max) {
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new IllegalArgumentException("min, max: expected min <= max, got " + min + ", " + max);
        }
        return unary(Unary.CLAMP, min, max, "[" + min + ", " + max + "]", (x, y, g) -> g.mul(inside(x, min, max)));
    }

    public Variable clampMin(float min) {
        return clamp(min, Float.POSITIVE_INFINITY);
    }

    /**
     * 1 where {@code min <= x <= max}, else 0 (NaN included). An infinite bound is not compared
     * against, unless both are: one comparison is still needed to send NaN to 0.
     */
    private static Tensor inside(Tensor x, float min, float max) {
        Tensor aboveMin = x.ge(Tensor.scalar(min));
        if (max == Float.POSITIVE_INFINITY) {
            return aboveMin;
        }
        Tensor belowMax = x.le(Tensor.scalar(max));
        return min == Float.NEGATIVE_INFINITY ? belowMax : aboveMin.mul(belowMax);
    }

    /**
     * The gradient of an op whose derivative is 1, as a tensor of its own: handing {@code g}
     * itself to two inputs would make their {@code .grad} one shared buffer, which PyTorch never
     * does.
     */
    private static Tensor copyOf(Tensor g) {
        return g.mul(1f);
    }

    // ----------------------------------------------------------------------------------------
    // Elementwise binary ops with broadcasting: z = op(x, y), dx = sumTo(g * dz/dx, x.shape)

    /** One partial derivative rule of a binary op, over the broadcast shape: from x, y, z and g. */
    @FunctionalInterface
    private interface BinaryRule {
        Tensor apply(Tensor x, Tensor y, Tensor z, Tensor g);
    }

    private Variable binary(int op, Variable other, BinaryRule left, BinaryRule right) {
        Tensor z = forward(op, other);
        Tensor x = data;
        Tensor y = other.data;
        return record(Binary.name(op), "", z, (g, needs) -> new Tensor[] {
            needs[0] ? left.apply(x, y, z, g).sumTo(x.shape()) : null,
            needs[1] ? right.apply(x, y, z, g).sumTo(y.shape()) : null
        }, this, other);
    }

    private Tensor forward(int op, Variable other) {
        if (other == null) {
            throw new IllegalArgumentException("other: expected a variable, got null");
        }
        return data.binary(op, other.data);
    }

    /** A comparison: 1 or 0, with no gradient. */
    private Variable comparison(int op, Variable other) {
        return constant(forward(op, other));
    }

    public Variable add(Variable o) { return binary(Binary.ADD, o, (x, y, z, g) -> copyOf(g), (x, y, z, g) -> copyOf(g)); }
    public Variable sub(Variable o) { return binary(Binary.SUB, o, (x, y, z, g) -> copyOf(g), (x, y, z, g) -> g.neg()); }
    public Variable mul(Variable o) { return binary(Binary.MUL, o, (x, y, z, g) -> g.mul(y), (x, y, z, g) -> g.mul(x)); }

    /**
     * {@code x / y}. The divisor's gradient is PyTorch's {@code -g ((x / y) / y)}: y * y is
     * subnormal below 1.1e-19 and 0 below 3.7e-23, where {@code -g x / (y * y)} would lose
     * precision or give infinity and PyTorch's gradient is finite.
     */
    public Variable div(Variable o) {
        return binary(Binary.DIV, o, (x, y, z, g) -> g.div(y), (x, y, z, g) -> g.neg().mul(z.div(y)));
    }

    /**
     * {@code torch.maximum}: on ties each side gets half the gradient, the losing side none, and
     * both sides all of it where one is NaN.
     */
    public Variable maximum(Variable o) {
        return binary(Binary.MAX, o, (x, y, z, g) -> g.mul(share(x.lt(y), x, y)), (x, y, z, g) -> g.mul(share(x.gt(y), x, y)));
    }

    /** {@code torch.minimum}: on ties each side gets half the gradient. */
    public Variable minimum(Variable o) {
        return binary(Binary.MIN, o, (x, y, z, g) -> g.mul(share(x.gt(y), x, y)), (x, y, z, g) -> g.mul(share(x.lt(y), x, y)));
    }

    /** A side's share of the gradient of maximum or minimum: {@code 1 - loses - ties / 2}. */
    private static Tensor share(Tensor loses, Tensor x, Tensor y) {
        return loses.add(x.eq(y).mul(0.5f)).rsub(1f);
    }

    /**
     * {@code x^y}, with PyTorch's gradients: {@code g y x^(y-1)}, 0 where y = 0; and
     * {@code g z log(x)}, 0 where x = 0 and y >= 0. Those zeros are made without a select: the
     * exponent y - 1 becomes 0 where y = 0 (so {@code y x^0 = 0}), and log's argument 0 becomes 1
     * where the gradient must be 0 (so {@code z log(1) = 0}).
     */
    public Variable pow(Variable o) {
        return binary(Binary.POW, o,
            (x, y, z, g) -> g.mul(y.mul(x.pow(y.add(-1f).add(y.eq(Tensor.scalar(0f)))))),
            (x, y, z, g) -> {
                Tensor zero = Tensor.scalar(0f);
                Tensor masked = x.eq(zero).mul(y.ge(zero));
                return g.mul(z.mul(x.add(masked).log()));
            });
    }

    /** 1 where equal, else 0; no gradient. */
    public Variable eq(Variable o) { return comparison(Binary.EQ, o); }
    public Variable ne(Variable o) { return comparison(Binary.NE, o); }
    public Variable lt(Variable o) { return comparison(Binary.LT, o); }
    public Variable le(Variable o) { return comparison(Binary.LE, o); }
    public Variable gt(Variable o) { return comparison(Binary.GT, o); }
    public Variable ge(Variable o) { return comparison(Binary.GE, o); }

    /**
     * Elementwise {@code F.binary_cross_entropy(this, target, reduction='none')}: each log clamped
     * at -100. The prediction's gradient is PyTorch's rule {@code g (p - t) / max((1 - p) p, 1e-12)},
     * not the derivative of the clamped formula, which is what makes saturated logits match
     * PyTorch; the target's is {@code g (max(log(1 - p), -100) - max(log p, -100))}.
     */
    public Variable binaryCrossEntropy(Variable target) {
        return binary(Binary.BCE, target,
            (p, t, z, g) -> g.mul(p.sub(t)).div(p.rsub(1f).mul(p).clamp(1e-12f, Float.POSITIVE_INFINITY)),
            (p, t, z, g) -> g.mul(clampedLog(p.rsub(1f)).sub(clampedLog(p))));
    }

    /** {@code max(log v, -100)}, the clamp PyTorch applies inside binary_cross_entropy. */
    private static Tensor clampedLog(Tensor v) {
        return v.log().clamp(-100f, Float.POSITIVE_INFINITY);
    }

    // ----------------------------------------------------------------------------------------
    // Reductions

    /** The sum of every element; dx = g broadcast back to x's shape. */
    public Variable sum() {
        int[] axes = new int[data.rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return sum(axes, false);
    }

    /** The sum over {@code axes}; dx = g (with the axes kept as size 1) broadcast back. */
    public Variable sum(int[] axes, boolean keepDims) {
        Shape in = data.shape();
        Tensor out = data.sum(axes, keepDims);
        Shape kept = data.sum(axes, true).shape();
        return record("sum", "axes=" + Arrays.toString(axes), out,
            (g, needs) -> new Tensor[] {g.reshape(kept.dims()).expand(in.dims()).contiguous()}, this);
    }

    public Variable sum(int axis, boolean keepDims) {
        return sum(new int[] {axis}, keepDims);
    }

    /** The mean of every element: sum times 1/n. */
    public Variable mean() {
        if (data.size() == 0) {
            throw new IllegalArgumentException("input: expected at least one element for mean, got shape " + shape());
        }
        return sum().mul(1f / data.size());
    }

    /** The mean over {@code axes}. */
    public Variable mean(int[] axes, boolean keepDims) {
        int n = 1;
        for (int a : axes) {
            n *= data.dim(a);
        }
        if (n == 0) {
            throw new IllegalArgumentException("axes: expected non-empty axes for mean, got " + Arrays.toString(axes)
                + " of shape " + shape());
        }
        return sum(axes, keepDims).mul(1f / n);
    }

    /** The largest value along {@code axis}; the gradient goes to the arg-max (the first on ties). */
    public Variable max(int axis, boolean keepDims) {
        int a = data.shape().axis(axis);
        Tensor.MaxResult r = data.max(a, keepDims);
        return record("max", "axis=" + a, r.values(), (g, needs) -> new Tensor[] {r.backward(g)}, this);
    }

    // ----------------------------------------------------------------------------------------
    // Softmax family (fused: a named kernel with its own backward, more stable and smaller
    // than the composed graph)

    /** {@code softmax(x, axis)}; dx = y (g - sum(g y, axis)). */
    public Variable softmax(int axis) {
        int a = data.shape().axis(axis);
        Tensor shifted = data.sub(data.max(a, true).values());
        Tensor e = shifted.exp();
        Tensor y = e.div(e.sum(a, true));
        return record("softmax", "axis=" + a, y,
            (g, needs) -> new Tensor[] {y.mul(g.sub(g.mul(y).sum(a, true)))}, this);
    }

    /** {@code log_softmax(x, axis)}; dx = g - softmax(x) sum(g, axis). */
    public Variable logSoftmax(int axis) {
        int a = data.shape().axis(axis);
        Tensor shifted = data.sub(data.max(a, true).values());
        Tensor y = shifted.sub(shifted.exp().sum(a, true).log());
        return record("log_softmax", "axis=" + a, y,
            (g, needs) -> new Tensor[] {g.sub(y.exp().mul(g.sum(a, true)))}, this);
    }

    // ----------------------------------------------------------------------------------------
    // Movement: the gradient is moved back the same way

    public Variable reshape(int... dims) {
        Shape in = data.shape();
        Tensor out = data.reshape(dims);
        return record("reshape", out.shape().toString(), out, (g, needs) -> new Tensor[] {g.reshape(in.dims())}, this);
    }

    /** Flattens to one dimension. */
    public Variable flatten() {
        return reshape(-1);
    }

    public Variable permute(int... order) {
        Tensor out = data.permute(order);
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[data.shape().axis(order[i])] = i;
        }
        return record("permute", Arrays.toString(order), out,
            (g, needs) -> new Tensor[] {g.permute(inverse).contiguous()}, this);
    }

    public Variable transpose(int a, int b) {
        int[] order = new int[data.rank()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int x = data.shape().axis(a);
        int y = data.shape().axis(b);
        order[x] = y;
        order[y] = x;
        return permute(order);
    }

    /** {@code x[..., start:stop:step, ...]} along {@code axis} (Python slice semantics). */
    public Variable slice(int axis, int start, int stop, int step) {
        Tensor out = data.slice(axis, start, stop, step);
        Shape in = data.shape();
        return record("slice", "axis=" + axis + " " + start + ":" + stop + ":" + step, out, (g, needs) ->
            new Tensor[] {Tensor.zeros(in.dims()).withSlice(axis, start, stop, step, g)}, this);
    }

    public Variable expand(int... target) {
        Shape in = data.shape();
        Tensor out = data.expand(target);
        return record("expand", out.shape().toString(), out, (g, needs) -> new Tensor[] {g.sumTo(in)}, this);
    }

    public Variable unsqueeze(int axis) {
        Shape in = data.shape();
        Tensor out = data.unsqueeze(axis);
        return record("unsqueeze", "axis=" + axis, out, (g, needs) -> new Tensor[] {g.reshape(in.dims())}, this);
    }

    public Variable squeeze(int axis) {
        Shape in = data.shape();
        Tensor out = data.squeeze(axis);
        return record("squeeze", "axis=" + axis, out, (g, needs) -> new Tensor[] {g.reshape(in.dims())}, this);
    }

    /** Pads {@code axis} with constants; the gradient is the slice of g over the original region. */
    public Variable pad(int axis, int before, int after, float value) {
        Tensor out = data.pad(axis, before, after, value);
        int n = data.dim(axis);
        return record("pad", "axis=" + axis + " (" + before + ", " + after + ")", out,
            (g, needs) -> new Tensor[] {g.slice(axis, before, before + n, 1).contiguous()}, this);
    }

    /** Concatenation along {@code axis}; each part's gradient is its slice of g. */
    public static Variable concat(int axis, Variable... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("parts: expected at least one variable, got none");
        }
        Tensor[] tensors = new Tensor[parts.length];
        int[] starts = new int[parts.length + 1];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new IllegalArgumentException("parts[" + i + "]: expected a variable, got null");
            }
            tensors[i] = parts[i].data;
        }
        Tensor out = Tensor.concat(axis, tensors);
        int a = out.shape().axis(axis);
        for (int i = 0; i < parts.length; i++) {
            starts[i + 1] = starts[i] + tensors[i].dim(a);
        }
        return record("concat", "axis=" + a, out, (g, needs) -> {
            Tensor[] grads = new Tensor[parts.length];
            for (int i = 0; i < parts.length; i++) {
                grads[i] = needs[i] ? g.slice(a, starts[i], starts[i + 1], 1).contiguous() : null;
            }
            return grads;
        }, parts);
    }

    /** Stacks equal-shaped variables along a new axis. */
    public static Variable stack(int axis, Variable... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("parts: expected at least one variable, got none");
        }
        Variable[] expanded = new Variable[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new IllegalArgumentException("parts[" + i + "]: expected a variable, got null");
            }
            if (!parts[i].shape().equals(parts[0].shape())) {
                throw new IllegalArgumentException("parts[" + i + "]: expected shape " + parts[0].shape() + ", got "
                    + parts[i].shape());
            }
            expanded[i] = parts[i].unsqueeze(axis);
        }
        return concat(axis, expanded);
    }

    /** The entries at {@code indices} along {@code axis}; the gradient is added back at those indices. */
    public Variable indexSelect(int axis, int[] indices) {
        int[] idx = indices.clone();
        Tensor out = data.indexSelect(axis, idx);
        Shape in = data.shape();
        int a = in.axis(axis);
        return record("index_select", "axis=" + a + " n=" + idx.length, out,
            (g, needs) -> new Tensor[] {Tensor.indexAdd(in, a, idx, g)}, this);
    }

    /**
     * Rows of this 2-d variable picked by {@code index} (integral row numbers, no gradient):
     * {@code out[i] = x[index[i]]}; dx adds each row of g back at its index.
     */
    public Variable gatherRows(Variable index) {
        if (index == null) {
            throw new IllegalArgumentException("index: expected a variable, got null");
        }
        Tensor idx = index.data;
        Tensor out = data.gatherRows(idx);
        int rows = data.dim(0);
        return record("gather_rows", "n=" + idx.size(), out,
            (g, needs) -> new Tensor[] {g.scatterAddRows(idx, rows), null}, this, index);
    }

    // ----------------------------------------------------------------------------------------
    // Windows and linear algebra

    /**
     * {@code F.max_pool2d(x, kernel, stride, padding)} over the last two axes: padding never wins,
     * and each window's gradient goes to its arg-max (the first in row-major order on ties).
     */
    public Variable maxPool2d(int kernel, int stride, int padding) {
        Tensor.PoolResult r = data.maxPool2d(kernel, stride, padding);
        Shape in = data.shape();
        return record("max_pool2d", "k=" + kernel + " s=" + stride + " p=" + padding, r.output(),
            (g, needs) -> new Tensor[] {r.backward(g, in)}, this);
    }

    /** Matrix product (2-d or batched 3-d); dA = g B^T, dB = A^T g. */
    public Variable matmul(Variable other) {
        if (other == null) {
            throw new IllegalArgumentException("other: expected a variable, got null");
        }
        Tensor a = data;
        Tensor b = other.data;
        Tensor out = a.matmul(b);
        return record("matmul", "", out, (g, needs) -> new Tensor[] {
            needs[0] ? g.matmul(b.transpose(-1, -2)).sumTo(a.shape()) : null,
            needs[1] ? a.transpose(-1, -2).matmul(g).sumTo(b.shape()) : null
        }, this, other);
    }

    /**
     * The Euclidean norm along {@code axis}; dx = (x / norm) g, and 0 where the norm is 0
     * (PyTorch's subgradient, where the composed sqrt(sum(x^2)) would give NaN), also where x is
     * not 0 but its squares underflow (components below about 1e-23), as PyTorch's masked_fill.
     * x / norm comes first: it is a unit vector, so a tiny norm under a large upstream gradient
     * (1e-20 under 1e19 in CCS's cosine) cannot overflow as g / norm would, where PyTorch's
     * gradient is finite.
     */
    public Variable norm(int axis, boolean keepDims) {
        int a = data.shape().axis(axis);
        Tensor x = data;
        Tensor n = x.square().sum(a, true).sqrt();
        Tensor out = keepDims ? n : n.squeeze(a);
        return record("norm", "axis=" + a, out, (g, needs) -> {
            Tensor safe = n.add(n.eq(Tensor.scalar(0f)));
            Tensor nonZero = n.ne(Tensor.scalar(0f));
            return new Tensor[] {x.div(safe).mul(g.reshape(n.shape().dims()).mul(nonZero))};
        }, this);
    }

    @Override
    public String toString() {
        return "Variable(" + (name == null ? "" : name + ", ") + "op=" + op() + ", " + data
            + (requiresGrad ? ", requires_grad" : "") + ")";
    }
}
