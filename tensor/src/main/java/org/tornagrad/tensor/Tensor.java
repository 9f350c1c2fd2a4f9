package org.tornagrad.tensor;

import java.util.Arrays;
import java.util.Random;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.Pooling;
import org.tornagrad.kernels.Unary;

/**
 * An n-d array of float32 values: a flat buffer read through a shape, strides and an offset.
 *
 * <p>Tensors are immutable values. Reshape (of a contiguous tensor), permute, slice and expand are
 * views that share the buffer; every other op writes a new contiguous tensor, computed on the
 * current thread's backend ({@link Backends#current()}). Arguments are checked here, before any
 * kernel runs, and a bad one gives an IllegalArgumentException that names it with the expected
 * and the actual value.
 */
public final class Tensor {
    private final float[] data;
    private final Shape shape;
    private final int offset;
    private final int[] strides;

    private Tensor(float[] data, Shape shape, int offset, int[] strides) {
        this.data = data;
        this.shape = shape;
        this.offset = offset;
        this.strides = strides;
    }

    /** Wraps a contiguous buffer without copying it; the caller gives up the array. */
    static Tensor wrap(float[] data, Shape shape) {
        return new Tensor(data, shape, 0, shape.contiguousStrides());
    }

    // ----------------------------------------------------------------------------------------
    // Creation

    /** A tensor holding a copy of {@code values}, read in row-major order. */
    public static Tensor of(float[] values, int... dims) {
        Shape s = Shape.of(dims);
        if (values == null || values.length != s.size()) {
            throw new IllegalArgumentException("values: expected " + s.size() + " values for shape " + s
                + ", got " + (values == null ? "null" : values.length));
        }
        return wrap(values.clone(), s);
    }

    /** A 1-d tensor of the given values. */
    public static Tensor vector(float... values) {
        return of(values, values == null ? 0 : values.length);
    }

    public static Tensor scalar(float value) {
        return wrap(new float[] {value}, Shape.scalar());
    }

    public static Tensor zeros(int... dims) {
        return full(0f, dims);
    }

    public static Tensor ones(int... dims) {
        return full(1f, dims);
    }

    public static Tensor full(float value, int... dims) {
        Shape s = Shape.of(dims);
        float[] d = new float[s.size()];
        Arrays.fill(d, value);
        return wrap(d, s);
    }

    /** {@code 0, 1, ..., n-1}. */
    public static Tensor arange(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n: expected >= 0, got " + n);
        }
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return wrap(d, Shape.of(n));
    }

    /** Uniform values in [low, high) from a seeded generator: the same seed gives the same tensor. */
    public static Tensor uniform(long seed, float low, float high, int... dims) {
        if (!(low <= high) || !Float.isFinite(low) || !Float.isFinite(high)) {
            throw new IllegalArgumentException("low, high: expected finite low <= high, got " + low + ", " + high);
        }
        Shape s = Shape.of(dims);
        Random r = new Random(seed);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = low + (high - low) * r.nextFloat();
        }
        return wrap(d, s);
    }

    /** Standard normal values from a seeded generator. */
    public static Tensor randn(long seed, int... dims) {
        Shape s = Shape.of(dims);
        Random r = new Random(seed);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return wrap(d, s);
    }

    // ----------------------------------------------------------------------------------------
    // Inspection

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    public int size() {
        return shape.size();
    }

    public int dim(int axis) {
        return shape.dim(axis);
    }

    /** The element at the given index (one entry per axis, negative entries count from the end). */
    public float get(int... index) {
        if (index == null || index.length != rank()) {
            throw new IllegalArgumentException("index: expected " + rank() + " entries for shape " + shape
                + ", got " + Arrays.toString(index));
        }
        Backends.hostRead(data);
        int pos = offset;
        for (int d = 0; d < index.length; d++) {
            int n = shape.dim(d);
            int i = index[d] < 0 ? index[d] + n : index[d];
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("index: expected entry " + d + " in [" + (-n) + ", " + (n - 1)
                    + "] for shape " + shape + ", got " + index[d]);
            }
            pos += i * strides[d];
        }
        return data[pos];
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (size() != 1) {
            throw new IllegalArgumentException("tensor: expected exactly one element for item(), got shape " + shape);
        }
        // The array actually read: a strided view reads the contiguous copy a backend just made.
        float[] d = contiguousData();
        Backends.hostRead(d);
        return d[0];
    }

    /** A copy of the elements in row-major order. */
    public float[] toArray() {
        if (isContiguous()) {
            Backends.hostRead(data);
            return Arrays.copyOfRange(data, offset, offset + size());
        }
        float[] copy = materialize().data;
        Backends.hostRead(copy);
        return copy;
    }

    /**
     * The elements as a row-major buffer, shared (not copied) when the tensor is already
     * contiguous. Copies go through the backend, so that a traced program sees every data move.
     */
    float[] contiguousData() {
        return isContiguousFromZero() ? data : materialize().data;
    }

    /**
     * A tensor over {@code buffer} without copying it: for tracers and compiled backends that own
     * their buffers. The caller must not change the array while the tensor is in use.
     */
    public static Tensor fromBuffer(float[] buffer, int... dims) {
        Shape s = Shape.of(dims);
        if (buffer == null || buffer.length != s.size()) {
            throw new IllegalArgumentException("buffer: expected " + s.size() + " values for shape " + s + ", got "
                + (buffer == null ? "null" : buffer.length));
        }
        return wrap(buffer, s);
    }

    /**
     * The array behind this tensor when it is exactly the tensor's contiguous elements, else null:
     * for tracers and compiled backends, which identify buffers by array.
     */
    public float[] bufferOrNull() {
        if (!isContiguousFromZero()) {
            return null;
        }
        // Whoever takes the array may read it as it is (a compiled program's input): a backend
        // holding newer contents elsewhere copies them back first. No read check: tracers call
        // this to identify buffers.
        Backends.sync(data);
        return data;
    }

    public boolean isContiguous() {
        if (size() <= 1) {
            return true;
        }
        // As PyTorch's is_contiguous: an axis of length 1 is never stepped along, so its stride
        // does not matter (moving a one-channel axis last for a softmax then copies nothing).
        int expected = 1;
        for (int d = rank() - 1; d >= 0; d--) {
            int n = shape.dim(d);
            if (n != 1 && strides[d] != expected) {
                return false;
            }
            expected *= n;
        }
        return true;
    }

    private boolean isContiguousFromZero() {
        return offset == 0 && data.length == size() && isContiguous();
    }

    /** This tensor when it is contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return isContiguousFromZero() ? this : materialize();
    }

    private Tensor materialize() {
        float[] out = new float[size()];
        if (out.length > 0) {
            backendFor(data).copy(shape.dims(), data, offset, strides, out);
        }
        return wrap(out, shape);
    }

    /** Whether any element is NaN or infinite. */
    public boolean hasNonFinite() {
        return firstNonFinite() >= 0;
    }

    /** The row-major position of the first NaN or infinity, or -1. */
    public int firstNonFinite() {
        float[] d = contiguousData();
        Backends.hostRead(d);
        for (int i = 0; i < size(); i++) {
            if (!Float.isFinite(d[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The current backend, once the host copy of each operand (float[] or int[]) is current where
     * another backend holds newer contents (a device, after its scope closed or from another
     * thread): a host backend would otherwise read a stale array. An operand the current backend
     * holds itself stays where it is.
     */
    private static Backend backendFor(Object... operands) {
        Backend current = Backends.current();
        for (Object operand : operands) {
            Backend owner = Backends.owner(operand);
            if (owner != null && owner != current) {
                owner.syncToHost(operand, false);
            }
        }
        return current;
    }

    // ----------------------------------------------------------------------------------------
    // Elementwise unary ops

    /** Applies the {@link Unary} op {@code op} with constants {@code a}, {@code b}. */
    public Tensor unary(int op, float a, float b) {
        Unary.name(op);
        Tensor x = contiguous();
        float[] out = new float[size()];
        if (out.length > 0) {
            backendFor(x.data).unary(op, a, b, x.data, 0, out, out.length);
        }
        return wrap(out, shape);
    }

    public Tensor neg() { return unary(Unary.NEG, 0f, 0f); }
    public Tensor exp() { return unary(Unary.EXP, 0f, 0f); }
    public Tensor log() { return unary(Unary.LOG, 0f, 0f); }
    public Tensor sqrt() { return unary(Unary.SQRT, 0f, 0f); }
    public Tensor abs() { return unary(Unary.ABS, 0f, 0f); }
    public Tensor square() { return unary(Unary.SQUARE, 0f, 0f); }
    public Tensor sigmoid() { return unary(Unary.SIGMOID, 0f, 0f); }
    public Tensor relu() { return unary(Unary.RELU, 0f, 0f); }
    public Tensor sign() { return unary(Unary.SIGN, 0f, 0f); }
    public Tensor tanh() { return unary(Unary.TANH, 0f, 0f); }
    public Tensor reciprocal() { return unary(Unary.RECIPROCAL, 0f, 0f); }
    public Tensor pow(float exponent) { return unary(Unary.POW_SCALAR, exponent, 0f); }
    public Tensor add(float c) { return unary(Unary.ADD_SCALAR, c, 0f); }
    public Tensor mul(float c) { return unary(Unary.MUL_SCALAR, c, 0f); }
    /** {@code c - this}. */
    public Tensor rsub(float c) { return unary(Unary.RSUB_SCALAR, c, 0f); }

    /** {@code min(max(x, min), max)}; either bound may be infinite. */
    public Tensor clamp(float min, float max) {
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new IllegalArgumentException("min, max: expected min <= max, got " + min + ", " + max);
        }
        return unary(Unary.CLAMP, min, max);
    }

    // ----------------------------------------------------------------------------------------
    // Elementwise binary ops with NumPy broadcasting

    /** Applies the {@link Binary} op {@code op} to {@code this} and {@code other}, broadcasting both. */
    public Tensor binary(int op, Tensor other) {
        Binary.name(op);
        requireNonNull("other", other);
        Shape out = Shape.broadcast(shape, other.shape);
        float[] result = new float[out.size()];
        if (result.length > 0) {
            backendFor(data, other.data).binary(op, out.dims(), data, offset, broadcastStrides(out), other.data, other.offset,
                other.broadcastStrides(out), result);
        }
        return wrap(result, out);
    }

    /** Strides that read this tensor as if expanded to {@code target} (0 on broadcast axes). */
    int[] broadcastStrides(Shape target) {
        int[] s = new int[target.rank()];
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            s[i + off] = shape.dim(i) == 1 && target.dim(i + off) != 1 ? 0 : strides[i];
        }
        return s;
    }

    public Tensor add(Tensor o) { return binary(Binary.ADD, o); }
    public Tensor sub(Tensor o) { return binary(Binary.SUB, o); }
    public Tensor mul(Tensor o) { return binary(Binary.MUL, o); }
    public Tensor div(Tensor o) { return binary(Binary.DIV, o); }
    public Tensor maximum(Tensor o) { return binary(Binary.MAX, o); }
    public Tensor minimum(Tensor o) { return binary(Binary.MIN, o); }
    public Tensor pow(Tensor o) { return binary(Binary.POW, o); }
    public Tensor eq(Tensor o) { return binary(Binary.EQ, o); }
    public Tensor ne(Tensor o) { return binary(Binary.NE, o); }
    public Tensor lt(Tensor o) { return binary(Binary.LT, o); }
    public Tensor le(Tensor o) { return binary(Binary.LE, o); }
    public Tensor gt(Tensor o) { return binary(Binary.GT, o); }
    public Tensor ge(Tensor o) { return binary(Binary.GE, o); }

    // ----------------------------------------------------------------------------------------
    // Reductions

    /** The sum of every element, as a scalar tensor. */
    public Tensor sum() {
        return sum(allAxes(), false);
    }

    /** The sum over {@code axes} (each once, negative allowed); {@code keepDims} keeps them as size 1. */
    public Tensor sum(int[] axes, boolean keepDims) {
        boolean[] reduced = reducedAxes(axes);
        Tensor moved = moveReducedLast(reduced);
        int cols = 1;
        for (int d = 0; d < rank(); d++) {
            if (reduced[d]) {
                cols *= shape.dim(d);
            }
        }
        int rows = cols == 0 ? keptSize(reduced) : size() / cols;
        float[] out = new float[rows];
        if (rows > 0 && cols > 0) {
            float[] x = moved.contiguousData();
            backendFor(x).sumRows(x, rows, cols, out);
        }
        return wrap(out, reducedShape(reduced, keepDims));
    }

    /** The sum over one axis. */
    public Tensor sum(int axis, boolean keepDims) {
        return sum(new int[] {axis}, keepDims);
    }

    /** The mean of every element (sum times 1/n). */
    public Tensor mean() {
        if (size() == 0) {
            throw new IllegalArgumentException("tensor: expected at least one element for mean(), got shape " + shape);
        }
        return sum().mul(1f / size());
    }

    /** The largest value along {@code axis} and its index (the first on ties). */
    public MaxResult max(int axis, boolean keepDims) {
        int a = shape.axis(axis);
        if (shape.dim(a) == 0) {
            throw new IllegalArgumentException("axis: expected a non-empty axis for max, got axis " + axis
                + " of shape " + shape);
        }
        boolean[] reduced = new boolean[rank()];
        reduced[a] = true;
        Tensor moved = moveReducedLast(reduced);
        int cols = shape.dim(a);
        int rows = size() / cols;
        float[] values = new float[rows];
        int[] indices = new int[rows];
        if (rows > 0) {
            float[] x = moved.contiguousData();
            backendFor(x).maxRows(x, rows, cols, values, indices);
        }
        Shape out = reducedShape(reduced, keepDims);
        return new MaxResult(this, a, wrap(values, out), indices);
    }

    /** The gradient of {@link #max(int, boolean)}: g at each arg-max position of the input, 0 elsewhere. */
    Tensor maxBackward(int axis, int[] indices, Tensor g) {
        int a = shape.axis(axis);
        int cols = shape.dim(a);
        int rows = cols == 0 ? 0 : size() / cols;
        requireNonNull("g", g);
        if (indices.length != rows || g.size() != rows) {
            throw new IllegalArgumentException("indices, g: expected " + rows + " entries for axis " + axis + " of shape "
                + shape + ", got " + indices.length + " and " + g.size());
        }
        // Work in the layout max() reduced in (the axis last), then move the axis back.
        int[] moved = new int[rank()];
        int[] back = new int[rank()];
        for (int d = 0, k = 0; d < rank(); d++) {
            if (d != a) {
                moved[k++] = d;
            }
        }
        moved[rank() - 1] = a;
        int[] movedDims = new int[rank()];
        for (int i = 0; i < rank(); i++) {
            movedDims[i] = shape.dim(moved[i]);
            back[moved[i]] = i;
        }
        float[] out = new float[size()];
        if (rows > 0) {
            float[] gData = g.contiguousData();
            backendFor(gData, indices).maxRowsBackward(gData, indices, rows, cols, out);
        }
        return wrap(out, Shape.of(movedDims)).permute(back).contiguous();
    }

    /** The largest element of the whole tensor (NaN if any element is NaN). */
    public float maxValue() {
        if (size() == 0) {
            throw new IllegalArgumentException("tensor: expected at least one element for max, got shape " + shape);
        }
        return reshape(size()).max(0, false).values().item();
    }

    /** Values and arg-max indices of {@link #max(int, boolean)}, and its backward. */
    public static final class MaxResult {
        private final Tensor input;
        private final int axis;
        private final Tensor values;
        private final int[] indices;

        MaxResult(Tensor input, int axis, Tensor values, int[] indices) {
            this.input = input;
            this.axis = axis;
            this.values = values;
            this.indices = indices;
        }

        /** The gradient with respect to the input: {@code g} at each arg-max, 0 elsewhere. */
        public Tensor backward(Tensor g) {
            return input.maxBackward(axis, indices, g);
        }

        public Tensor values() {
            return values;
        }

        /** The arg-max along the reduced axis, one per output element in row-major order. */
        public int[] indices() {
            Backends.sync(indices);
            return indices.clone();
        }
    }

    /**
     * Sums this tensor down to {@code target}, a shape that broadcasts to this one: the reduction
     * a broadcast's backward needs.
     */
    public Tensor sumTo(Shape target) {
        if (target == null) {
            throw new IllegalArgumentException("target: expected a shape that broadcasts to " + shape + ", got null");
        }
        if (target.equals(shape)) {
            return this;
        }
        if (!target.broadcastsTo(shape)) {
            throw new IllegalArgumentException("target: expected a shape that broadcasts to " + shape + ", got " + target);
        }
        int off = rank() - target.rank();
        int n = 0;
        int[] axes = new int[rank()];
        for (int d = 0; d < rank(); d++) {
            if (d < off || (target.dim(d - off) == 1 && shape.dim(d) != 1)) {
                axes[n++] = d;
            }
        }
        return sum(Arrays.copyOf(axes, n), true).reshape(target.dims());
    }

    private int[] allAxes() {
        int[] a = new int[rank()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    private boolean[] reducedAxes(int[] axes) {
        if (axes == null) {
            throw new IllegalArgumentException("axes: expected an array of axes, got null");
        }
        boolean[] reduced = new boolean[rank()];
        for (int axis : axes) {
            int a = shape.axis(axis);
            if (reduced[a]) {
                throw new IllegalArgumentException("axes: expected each axis once, got " + Arrays.toString(axes));
            }
            reduced[a] = true;
        }
        return reduced;
    }

    private int keptSize(boolean[] reduced) {
        int n = 1;
        for (int d = 0; d < rank(); d++) {
            if (!reduced[d]) {
                n *= shape.dim(d);
            }
        }
        return n;
    }

    /** A view with the kept axes first and the reduced axes last, each group in its order. */
    private Tensor moveReducedLast(boolean[] reduced) {
        int[] perm = new int[rank()];
        int k = 0;
        for (int d = 0; d < rank(); d++) {
            if (!reduced[d]) {
                perm[k++] = d;
            }
        }
        for (int d = 0; d < rank(); d++) {
            if (reduced[d]) {
                perm[k++] = d;
            }
        }
        return permute(perm);
    }

    private Shape reducedShape(boolean[] reduced, boolean keepDims) {
        int[] out = new int[keepDims ? rank() : rank() - count(reduced)];
        int k = 0;
        for (int d = 0; d < rank(); d++) {
            if (!reduced[d]) {
                out[k++] = shape.dim(d);
            } else if (keepDims) {
                out[k++] = 1;
            }
        }
        return Shape.of(out);
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    // ----------------------------------------------------------------------------------------
    // Movement

    /** The same elements in a new shape (one entry may be -1); a view when this is contiguous. */
    public Tensor reshape(int... dims) {
        if (dims == null) {
            throw new IllegalArgumentException("dims: expected " + size() + " elements (shape " + shape + "), got null");
        }
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1 && infer < 0) {
                infer = i;
            } else if (d[i] < 0) {
                throw new IllegalArgumentException("dims: expected sizes >= 0 and at most one -1, got " + Arrays.toString(dims));
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || size() % known != 0) {
                throw new IllegalArgumentException("dims: cannot infer -1 in " + Arrays.toString(dims)
                    + " for " + size() + " elements of shape " + shape);
            }
            d[infer] = (int) (size() / known);
            known *= d[infer];
        }
        if (known != size()) {
            throw new IllegalArgumentException("dims: expected " + size() + " elements (shape " + shape + "), got "
                + Arrays.toString(dims) + " with " + known);
        }
        Shape s = Shape.of(d);
        if (isContiguous()) {
            return new Tensor(data, s, offset, s.contiguousStrides());
        }
        return materialize().reshape(d);
    }

    /** A view with the axes reordered: axis i of the result is axis {@code order[i]} of this. */
    public Tensor permute(int... order) {
        if (order == null || order.length != rank()) {
            throw new IllegalArgumentException("order: expected a permutation of " + rank() + " axes, got "
                + Arrays.toString(order));
        }
        boolean[] seen = new boolean[rank()];
        int[] dims = new int[rank()];
        int[] s = new int[rank()];
        for (int i = 0; i < order.length; i++) {
            int a = shape.axis(order[i]);
            if (seen[a]) {
                throw new IllegalArgumentException("order: expected a permutation of " + rank() + " axes, got "
                    + Arrays.toString(order));
            }
            seen[a] = true;
            dims[i] = shape.dim(a);
            s[i] = strides[a];
        }
        return new Tensor(data, Shape.of(dims), offset, s);
    }

    /** Swaps two axes (a view). */
    public Tensor transpose(int a, int b) {
        int[] order = allAxes();
        int x = shape.axis(a);
        int y = shape.axis(b);
        order[x] = y;
        order[y] = x;
        return permute(order);
    }

    /**
     * A view of {@code start:stop:step} along {@code axis}, Python-style: negative start and stop
     * count from the end and are clipped to the axis; step must be positive.
     */
    public Tensor slice(int axis, int start, int stop, int step) {
        int a = shape.axis(axis);
        if (step <= 0) {
            throw new IllegalArgumentException("step: expected > 0, got " + step);
        }
        int n = shape.dim(a);
        int from = clip(start < 0 ? start + n : start, n);
        int to = clip(stop < 0 ? stop + n : stop, n);
        int len = to > from ? (int) (((long) to - from + step - 1) / step) : 0;
        int[] dims = shape.dims();
        dims[a] = len;
        int[] s = strides.clone();
        // With one element left the step is never taken (and could overflow the stride).
        s[a] = len > 1 ? strides[a] * step : strides[a];
        return new Tensor(data, Shape.of(dims), offset + (len > 0 ? from * strides[a] : 0), s);
    }

    private static int clip(int i, int n) {
        return Math.max(0, Math.min(n, i));
    }

    /** A view that repeats size-1 axes (and adds leading axes) to reach {@code target}. */
    public Tensor expand(int... target) {
        Shape t = Shape.of(target);
        if (!shape.broadcastsTo(t)) {
            throw new IllegalArgumentException("target: expected a shape that " + shape + " broadcasts to, got " + t);
        }
        return new Tensor(data, t, offset, broadcastStrides(t));
    }

    /** Inserts an axis of size 1 at {@code axis} (in [-(rank+1), rank]). */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + rank() + 1 : axis;
        if (a < 0 || a > rank()) {
            throw new IllegalArgumentException("axis: expected in [" + (-rank() - 1) + ", " + rank() + "] for shape "
                + shape + ", got " + axis);
        }
        int[] dims = new int[rank() + 1];
        int[] s = new int[rank() + 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i == a) {
                dims[i] = 1;
                s[i] = 0;
            } else {
                dims[i] = shape.dim(j);
                s[i] = strides[j++];
            }
        }
        return new Tensor(data, Shape.of(dims), offset, s);
    }

    /** Removes axis {@code axis}, which must have size 1. */
    public Tensor squeeze(int axis) {
        int a = shape.axis(axis);
        if (shape.dim(a) != 1) {
            throw new IllegalArgumentException("axis: expected an axis of size 1 to squeeze, got axis " + axis
                + " of size " + shape.dim(a) + " in shape " + shape);
        }
        int[] dims = new int[rank() - 1];
        int[] s = new int[rank() - 1];
        for (int i = 0, j = 0; i < rank(); i++) {
            if (i != a) {
                dims[j] = shape.dim(i);
                s[j++] = strides[i];
            }
        }
        return new Tensor(data, Shape.of(dims), offset, s);
    }

    /** Pads {@code axis} with {@code before} and {@code after} copies of {@code value}. */
    public Tensor pad(int axis, int before, int after, float value) {
        int a = shape.axis(axis);
        if (before < 0 || after < 0) {
            throw new IllegalArgumentException("before, after: expected >= 0, got " + before + ", " + after);
        }
        int[] dims = shape.dims();
        dims[a] += before + after;
        return full(value, dims).withSlice(a, before, before + shape.dim(a), 1, this);
    }

    /** Concatenation along {@code axis}; every other axis must agree. */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("parts: expected at least one tensor, got none");
        }
        requireNonNull("parts[0]", parts[0]);
        Tensor first = parts[0];
        int a = first.shape.axis(axis);
        long length = 0;
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            requireNonNull("parts[" + i + "]", p);
            if (p.rank() != first.rank()) {
                throw new IllegalArgumentException("parts[" + i + "]: expected rank " + first.rank() + ", got shape " + p.shape);
            }
            for (int d = 0; d < first.rank(); d++) {
                if (d != a && p.shape.dim(d) != first.shape.dim(d)) {
                    throw new IllegalArgumentException("parts[" + i + "]: expected shape matching " + first.shape
                        + " except on axis " + a + ", got " + p.shape);
                }
            }
            length += p.shape.dim(a);
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parts: expected at most " + Integer.MAX_VALUE + " entries along axis "
                + a + " in all, got " + length);
        }
        int total = (int) length;
        int[] dims = first.shape.dims();
        dims[a] = total;
        Shape outShape = Shape.of(dims);
        // Each part is scattered into its own region of one output buffer (assembling part after
        // part with withSlice would copy the whole output once per part: quadratic in indexSelect).
        float[] out = new float[outShape.size()];
        int[] outStrides = outShape.contiguousStrides();
        int at = 0;
        for (Tensor p : parts) {
            if (p.size() > 0) {
                float[] x = p.contiguousData();
                backendFor(x).scatter(p.shape.dims(), x, out, at * outStrides[a], outStrides);
            }
            at += p.shape.dim(a);
        }
        return wrap(out, outShape);
    }

    /** Stacks equal-shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("parts: expected at least one tensor, got none");
        }
        Tensor[] expanded = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            requireNonNull("parts[" + i + "]", parts[i]);
            if (!parts[i].shape.equals(parts[0].shape)) {
                throw new IllegalArgumentException("parts[" + i + "]: expected shape " + parts[0].shape + ", got " + parts[i].shape);
            }
            expanded[i] = parts[i].unsqueeze(axis);
        }
        return concat(axis < 0 ? axis : axis, expanded);
    }

    /**
     * A contiguous copy of this tensor whose slice {@code start:stop:step} along {@code axis} is
     * replaced by {@code part} (which must have the slice's shape): the backward of a slice.
     */
    public Tensor withSlice(int axis, int start, int stop, int step, Tensor part) {
        requireNonNull("part", part);
        Tensor out = materialize();
        Tensor region = out.slice(axis, start, stop, step);
        part.requireShape("part", region.shape);
        if (part.size() > 0) {
            float[] x = part.contiguousData();
            backendFor(x, out.data).scatter(region.shape.dims(), x, out.data, region.offset, region.strides);
        }
        return out;
    }

    /** The entries at {@code indices} along {@code axis}, in that order (repeats allowed). */
    public Tensor indexSelect(int axis, int[] indices) {
        int a = shape.axis(axis);
        int n = shape.dim(a);
        if (indices == null) {
            throw new IllegalArgumentException("indices: expected an array of entries in [0, " + (n - 1) + "], got null");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IllegalArgumentException("indices: expected entries in [0, " + (n - 1) + "] for axis " + axis
                    + " of shape " + shape + ", got " + indices[i] + " at position " + i);
            }
        }
        Tensor[] parts = new Tensor[indices.length];
        for (int i = 0; i < indices.length; i++) {
            parts[i] = slice(a, indices[i], indices[i] + 1, 1);
        }
        if (parts.length == 0) {
            int[] dims = shape.dims();
            dims[a] = 0;
            return zeros(dims);
        }
        return concat(a, parts);
    }

    /**
     * Rows of this 2-d tensor picked by {@code index}, a 1-d tensor of integral row numbers:
     * {@code out[i] = this[index[i]]}. The index is a tensor (not an int array) so that a traced
     * program takes it as an input.
     */
    public Tensor gatherRows(Tensor index) {
        if (rank() != 2) {
            throw new IllegalArgumentException("input: expected rank 2 (rows, columns) for gatherRows, got shape " + shape);
        }
        requireNonNull("index", index);
        if (index.rank() != 1) {
            throw new IllegalArgumentException("index: expected rank 1, got shape " + index.shape);
        }
        float[] idx = index.contiguousData();
        Backends.sync(idx); // validated on the host below
        int rows = dim(0);
        // Checked without reporting a host read: the check throws or passes, it makes no data.
        for (int i = 0; i < index.size(); i++) {
            if (!(idx[i] >= 0 && idx[i] < rows) || idx[i] != Math.rint(idx[i])) {
                throw new IllegalArgumentException("index: expected integers in [0, " + (rows - 1) + "], got " + idx[i]
                    + " at position " + i);
            }
        }
        int cols = dim(1);
        float[] out = new float[index.size() * cols];
        if (out.length > 0) {
            float[] x = contiguousData();
            backendFor(x).gatherRows(x, cols, idx, index.size(), out);
        }
        return wrap(out, Shape.of(index.size(), cols));
    }

    /** The backward of {@link #gatherRows}: rows of {@code this} (n, cols) added at {@code index} into a (rows, cols) zero tensor. */
    public Tensor scatterAddRows(Tensor index, int rows) {
        if (rank() != 2 || index == null || index.rank() != 1 || index.size() != dim(0)) {
            throw new IllegalArgumentException("index: expected a 1-d tensor of " + (rank() == 2 ? dim(0) : -1)
                + " row numbers for source shape " + shape + ", got " + (index == null ? "null" : index.shape));
        }
        if (rows < 0) {
            throw new IllegalArgumentException("rows: expected >= 0, got " + rows);
        }
        float[] idx = index.contiguousData();
        Backends.sync(idx); // validated on the host below
        for (int i = 0; i < index.size(); i++) {
            if (!(idx[i] >= 0 && idx[i] < rows) || idx[i] != Math.rint(idx[i])) {
                throw new IllegalArgumentException("index: expected integers in [0, " + (rows - 1) + "], got " + idx[i]
                    + " at position " + i);
            }
        }
        int cols = dim(1);
        float[] out = new float[Shape.of(rows, cols).size()];
        if (out.length > 0) {
            float[] x = contiguousData();
            backendFor(x).scatterAddRows(x, cols, idx, index.size(), out, rows);
        }
        return wrap(out, Shape.of(rows, cols));
    }

    /** Adds the slices of {@code source} along {@code axis} into positions {@code indices} of a zero tensor of {@code shape}. */
    public static Tensor indexAdd(Shape shape, int axis, int[] indices, Tensor source) {
        if (shape == null) {
            throw new IllegalArgumentException("shape: expected the shape of the result, got null");
        }
        int a = shape.axis(axis);
        int n = shape.dim(a);
        if (indices == null) {
            throw new IllegalArgumentException("indices: expected an array of entries in [0, " + (n - 1) + "], got null");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IllegalArgumentException("indices: expected entries in [0, " + (n - 1) + "] for axis " + axis
                    + " of shape " + shape + ", got " + indices[i] + " at position " + i);
            }
        }
        requireNonNull("source", source);
        int[] expected = shape.dims();
        expected[a] = indices.length;
        source.requireShape("source", Shape.of(expected));
        float[] out = new float[shape.size()];
        float[] src = source.toArray();
        int inner = 1;
        for (int d = a + 1; d < shape.rank(); d++) {
            inner *= shape.dim(d);
        }
        int outer = shape.size() == 0 ? 0 : shape.size() / (shape.dim(a) * inner);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < indices.length; i++) {
                int dst = (o * shape.dim(a) + indices[i]) * inner;
                int s = (o * indices.length + i) * inner;
                for (int j = 0; j < inner; j++) {
                    out[dst + j] += src[s + j];
                }
            }
        }
        return wrap(out, shape);
    }

    /** One-hot encoding of integral labels in [0, classes): shape becomes (..., classes). */
    public Tensor oneHot(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes: expected >= 1, got " + classes);
        }
        int[] dims = Arrays.copyOf(shape.dims(), rank() + 1);
        dims[rank()] = classes;
        Shape outShape = Shape.of(dims);
        float[] labels = toArray();
        float[] out = new float[outShape.size()];
        for (int i = 0; i < labels.length; i++) {
            float v = labels[i];
            if (v != Math.rint(v) || v < 0 || v >= classes) {
                throw new IllegalArgumentException("labels: expected integers in [0, " + (classes - 1) + "], got " + v
                    + " at position " + i);
            }
            out[i * classes + (int) v] = 1f;
        }
        return wrap(out, outShape);
    }

    // ----------------------------------------------------------------------------------------
    // Windows and linear algebra

    /**
     * {@code F.max_pool2d} over the last two axes of a tensor of rank >= 2 (padding acts as
     * -infinity; ties go to the first element of the window in row-major order).
     */
    public PoolResult maxPool2d(int kernel, int stride, int padding) {
        if (rank() < 2) {
            throw new IllegalArgumentException("input: expected rank >= 2 for max_pool2d, got shape " + shape);
        }
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("kernel, stride, padding: expected kernel >= 1, stride >= 1 and"
                + " 0 <= padding <= kernel/2, got " + kernel + ", " + stride + ", " + padding);
        }
        int h = dim(-2);
        int w = dim(-1);
        int outH = Pooling.outputSize(h, kernel, stride, padding);
        int outW = Pooling.outputSize(w, kernel, stride, padding);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("input: expected height and width >= " + (kernel - 2 * padding)
                + " for kernel " + kernel + " and padding " + padding + ", got shape " + shape);
        }
        int planes = h * w == 0 ? 0 : size() / (h * w);
        int[] dims = shape.dims();
        dims[rank() - 2] = outH;
        dims[rank() - 1] = outW;
        float[] out = new float[planes * outH * outW];
        int[] argmax = new int[out.length];
        if (planes > 0) {
            float[] x = contiguousData();
            backendFor(x).maxPool2d(x, planes, h, w, kernel, stride, padding, out, argmax);
        }
        return new PoolResult(wrap(out, Shape.of(dims)), argmax, shape);
    }

    /** The output of {@link #maxPool2d} and the winners' in-plane indices. */
    public static final class PoolResult {
        private final Tensor output;
        private final int[] argmax;
        private final Shape inputShape;

        PoolResult(Tensor output, int[] argmax, Shape inputShape) {
            this.output = output;
            this.argmax = argmax;
            this.inputShape = inputShape;
        }

        public Tensor output() {
            return output;
        }

        /**
         * The gradient with respect to the pooled input (of shape {@code inputShape}): each window's
         * gradient goes to its winner, added up where windows share one.
         */
        public Tensor backward(Tensor gradOutput, Shape inputShape) {
            requireNonNull("gradOutput", gradOutput);
            gradOutput.requireShape("gradOutput", output.shape);
            if (!this.inputShape.equals(inputShape)) {
                // The winners' indices are only valid in the plane they were computed on.
                throw new IllegalArgumentException("inputShape: expected " + this.inputShape
                    + ", the shape that was pooled, got " + inputShape);
            }
            int h = inputShape.dim(-2);
            int w = inputShape.dim(-1);
            float[] gradIn = new float[inputShape.size()];
            int planes = h * w == 0 ? 0 : gradIn.length / (h * w);
            if (planes > 0) {
                float[] g = gradOutput.contiguousData();
                backendFor(g, argmax).maxPool2dBackward(g, argmax, planes, h, w,
                    output.dim(-2), output.dim(-1), gradIn);
            }
            return wrap(gradIn, inputShape);
        }
    }

    /**
     * Matrix product: (m, k) @ (k, n), or batched (b, m, k) @ (b, k, n); a 2-d operand is
     * broadcast over the other's batch.
     */
    public Tensor matmul(Tensor other) {
        requireNonNull("other", other);
        if (rank() < 2 || rank() > 3 || other.rank() < 2 || other.rank() > 3) {
            throw new IllegalArgumentException("matmul: expected operands of rank 2 or 3, got " + shape + " and " + other.shape);
        }
        int m = dim(-2);
        int k = dim(-1);
        int n = other.dim(-1);
        if (other.dim(-2) != k) {
            throw new IllegalArgumentException("other: expected " + k + " rows to multiply " + shape + ", got shape " + other.shape);
        }
        int batch = rank() == 3 ? dim(0) : other.rank() == 3 ? other.dim(0) : 1;
        if (rank() == 3 && other.rank() == 3 && other.dim(0) != batch) {
            throw new IllegalArgumentException("other: expected batch " + batch + ", got shape " + other.shape);
        }
        boolean batched = rank() == 3 || other.rank() == 3;
        Shape outShape = batched ? Shape.of(batch, m, n) : Shape.of(m, n);
        Tensor a = rank() == 3 ? this : this.expand(batch, m, k);
        Tensor b = other.rank() == 3 ? other : other.expand(batch, k, n);
        float[] out = new float[outShape.size()];
        if (out.length > 0) {
            float[] aData = a.contiguousData();
            float[] bData = b.contiguousData();
            backendFor(aData, bData).matmul(aData, bData, out, batch, m, k, n);
        }
        return wrap(out, outShape);
    }

    // ----------------------------------------------------------------------------------------
    // Checks and comparison

    /** Whether the shapes are equal and every element satisfies {@code |a - b| <= atol + rtol |b|} (NaN equals NaN). */
    public boolean allClose(Tensor other, double rtol, double atol) {
        if (other == null || !shape.equals(other.shape)) {
            return false;
        }
        float[] a = contiguousData();
        float[] b = other.contiguousData();
        Backends.sync(a);
        Backends.sync(b);
        for (int i = 0; i < size(); i++) {
            if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
                if (Float.isNaN(a[i]) != Float.isNaN(b[i])) {
                    return false;
                }
            } else if (a[i] != b[i] && !(Math.abs((double) a[i] - b[i]) <= atol + rtol * Math.abs((double) b[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The largest |a - b| over the elements (shapes must be equal). */
    public double maxAbsDiff(Tensor other) {
        requireSameShape("other", other);
        float[] a = contiguousData();
        float[] b = other.contiguousData();
        Backends.sync(a);
        Backends.sync(b);
        double m = 0;
        for (int i = 0; i < size(); i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** Throws unless {@code other} has this tensor's shape. */
    public void requireSameShape(String name, Tensor other) {
        requireNonNull(name, other);
        other.requireShape(name, shape);
    }

    /** Throws unless this tensor has shape {@code expected}, naming the argument {@code name}. */
    public void requireShape(String name, Shape expected) {
        if (!shape.equals(expected)) {
            throw new IllegalArgumentException(name + ": expected shape " + expected + ", got " + shape);
        }
    }

    private static void requireNonNull(String name, Object o) {
        if (o == null) {
            throw new IllegalArgumentException(name + ": expected a tensor, got null");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor && shape.equals(((Tensor) o).shape)
            && Arrays.equals(toArray(), ((Tensor) o).toArray());
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(toArray());
    }

    /** {@code tensor([[1, 2], [3, 4]], shape=(2, 2))}, eliding the middle of long axes. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("tensor(");
        float[] d = toArray();
        appendNested(sb, d, 0, 0);
        return sb.append(", shape=").append(shape).append(')').toString();
    }

    private static final int EDGE = 3;

    private int appendNested(StringBuilder sb, float[] d, int axis, int pos) {
        if (axis == rank()) {
            sb.append(formatValue(d[pos]));
            return pos + 1;
        }
        int n = shape.dim(axis);
        int inner = 1;
        for (int a = axis + 1; a < rank(); a++) {
            inner *= shape.dim(a);
        }
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                sb.append("..., ");
                i = n - EDGE - 1;
                continue;
            }
            appendNested(sb, d, axis + 1, pos + i * inner);
            if (i < n - 1) {
                sb.append(", ");
            }
        }
        sb.append(']');
        return pos + n * inner;
    }

    private static String formatValue(float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7f) {
            return Integer.toString((int) v) + ".";
        }
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
