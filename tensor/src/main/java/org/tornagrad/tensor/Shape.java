package org.tornagrad.tensor;

import java.util.Arrays;

/** The dimensions of an n-d tensor, immutable; a scalar has rank 0 and size 1. */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        this.dims = dims;
        long s = 1;
        for (int d : dims) {
            s *= d;
        }
        this.size = (int) s;
    }

    /** A shape; every dimension must be >= 0 and the element count must fit in an int. */
    public static Shape of(int... dims) {
        if (dims == null) {
            throw new IllegalArgumentException("shape: expected dimensions, got null");
        }
        long s = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("shape: expected every dimension >= 0, got "
                    + Arrays.toString(dims) + " (dimension " + i + " is " + dims[i] + ")");
            }
            s *= dims[i];
            if (s > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape: expected at most " + (Integer.MAX_VALUE - 8)
                    + " elements, got " + Arrays.toString(dims));
            }
        }
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    public int size() {
        return size;
    }

    /** Dimension {@code axis}; negative axes count from the end, as in NumPy. */
    public int dim(int axis) {
        return dims[axis(axis)];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** The index of row-major flat position {@code flat}, as {@code [n, c, y, x]} (for messages). */
    public int[] unravel(int flat) {
        if (flat < 0 || flat >= size) {
            throw new IllegalArgumentException("flat position: expected [0, " + size + ") for shape " + this
                + ", got " + flat);
        }
        int[] index = new int[dims.length];
        int rest = flat;
        for (int d = dims.length - 1; d >= 0; d--) {
            index[d] = rest % dims[d];
            rest /= dims[d];
        }
        return index;
    }

    /** Normalises a possibly negative axis into [0, rank), or throws naming the valid range. */
    public int axis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis: expected in [" + (-dims.length) + ", " + (dims.length - 1)
                + "] for shape " + this + ", got " + axis);
        }
        return a;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public int[] contiguousStrides() {
        int[] s = new int[dims.length];
        int step = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            s[d] = step;
            step *= dims[d];
        }
        return s;
    }

    /** NumPy broadcasting of two shapes, or an IllegalArgumentException naming both. */
    public static Shape broadcast(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes: expected broadcastable shapes, got " + a + " and " + b
                    + " (dimension " + i + " of the result: " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return of(out);
    }

    /** Whether this shape broadcasts to {@code target} (NumPy rules, this on the left). */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) {
            return false;
        }
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + off]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** As PyTorch prints it: {@code (2, 3)}, {@code (5,)}, {@code ()}. */
    @Override
    public String toString() {
        if (dims.length == 1) {
            return "(" + dims[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return sb.append(')').toString();
    }
}
