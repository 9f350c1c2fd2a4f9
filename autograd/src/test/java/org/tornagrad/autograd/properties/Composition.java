package org.tornagrad.autograd.properties;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * A random composition of primitives: a chain of steps applied to the input {@code x}, some of
 * which bring in side inputs (broadcast operands, a matmul factor, a second concat part). Each
 * step is drawn from an op code (so a property-testing library can shrink the list of codes) and
 * a seeded {@link Random} for its parameters (axes, constants, indices, side shapes). The chain
 * is built once on the real inputs so that every step knows its operand's shape; after that
 * {@link #apply} replays the same steps on any leaves (params for backward, constants for finite
 * differences).
 *
 * <p>Smooth domains are kept by construction where a primitive has a singularity: log, sqrt and
 * reciprocal see {@code v^2 + 1}, pow a positive base, div a divisor {@code w^2 + 1}. Kinks (abs,
 * relu, clamp, maximum, max, max_pool2d, norm) are left in: the finite-difference check detects
 * them and skips the affected elements. Element counts stay at most {@link #MAX_SIZE}.
 */
public final class Composition {
    /** How many op codes there are: codes are taken modulo this. */
    public static final int OPS = 40;
    static final int MAX_SIZE = 48;

    /** One step: the next value from the current one and the leaves (x first, then the side inputs). */
    private interface Step {
        Variable apply(Variable v, Variable[] leaves);
    }

    private final List<Step> steps = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> inputs = new ArrayList<>();

    private Composition() {
    }

    /** The composition of {@code ops} on an input of shape {@code dims}, parameters drawn from {@code seed}. */
    public static Composition of(int[] dims, List<Integer> ops, long seed) {
        Composition c = new Composition();
        Random r = new Random(seed);
        c.inputs.add(Tensor.uniform(r.nextLong(), -1.5f, 1.5f, dims));
        Variable v = Variable.constant(c.inputs.get(0));
        for (int op : ops) {
            v = c.add(Math.floorMod(op, OPS), v, r);
        }
        return c;
    }

    /** The inputs: x, then each side input in the order the steps use them. */
    public List<Tensor> inputs() {
        return inputs;
    }

    /** The steps, for failure messages. */
    public String describe() {
        return "x" + inputs.get(0).shape() + " -> " + String.join(" -> ", names) + " (side inputs "
            + inputs.subList(1, inputs.size()).stream().map(t -> t.shape().toString()).toList() + ")";
    }

    /** Runs the composition on {@code leaves} (one per input, in {@link #inputs()} order). */
    public Variable apply(Variable[] leaves) {
        Variable v = leaves[0];
        for (Step s : steps) {
            v = s.apply(v, leaves);
        }
        return v;
    }

    /** Params (every input differentiated) for a backward pass. */
    public Variable[] params() {
        return inputs.stream().map(Variable::param).toArray(Variable[]::new);
    }

    /** Applies op {@code code} to {@code v} (which holds the real data), records it and returns the result. */
    private Variable add(int code, Variable v, Random r) {
        Step step = step(code, v, r);
        if (step == null) {
            // Not applicable to this shape (or would grow too large): a neutral smooth step instead.
            step = (x, l) -> x.tanh();
            code = -1;
        }
        Variable[] leaves = inputs.stream().map(Variable::constant).toArray(Variable[]::new);
        Variable out = step.apply(v, leaves);
        if (out.data().size() > MAX_SIZE || out.data().size() == 0) {
            step = (x, l) -> x.tanh();
            code = -1;
            out = v.tanh();
        }
        steps.add(step);
        names.add(code < 0 ? "tanh" : name);
        return out;
    }

    private String name;

    private Step step(int code, Variable v, Random r) {
        int[] dims = v.shape().dims();
        int rank = dims.length;
        float c = Math.round((r.nextFloat() * 3 - 1.5f) * 8) / 8f + 0.25f;
        switch (code) {
            case 0: name = "neg"; return (x, l) -> x.neg();
            case 1: name = "tanh"; return (x, l) -> x.tanh();
            case 2: name = "sigmoid"; return (x, l) -> x.sigmoid();
            case 3: name = "exp(tanh)"; return (x, l) -> x.tanh().exp();
            case 4: name = "log(v^2+1)"; return (x, l) -> x.square().add(1f).log();
            case 5: name = "sqrt(v^2+1)"; return (x, l) -> x.square().add(1f).sqrt();
            case 6: name = "reciprocal(v^2+1)"; return (x, l) -> x.square().add(1f).reciprocal();
            case 7: {
                float p = c;
                name = "pow(v^2+0.5, " + p + ")";
                return (x, l) -> x.square().add(0.5f).pow(p);
            }
            case 8: name = "mul " + c; return (x, l) -> x.mul(c);
            case 9: {
                int which = r.nextInt(3);
                name = new String[] {"add ", "sub ", "rsub "}[which] + c;
                return (x, l) -> which == 0 ? x.add(c) : which == 1 ? x.sub(c) : x.rsub(c);
            }
            case 10: name = "abs"; return (x, l) -> x.abs();
            case 11: name = "relu"; return (x, l) -> x.relu();
            case 12: name = "clamp(-0.5, 0.5)"; return (x, l) -> x.clamp(-0.5f, 0.5f);
            case 13: case 14: case 15: case 16: case 17: case 18: case 19: {
                int side = sideInput(broadcastShape(dims, r), r);
                String[] ops = {"add", "sub", "mul", "div(w^2+1)", "maximum", "minimum", "pow(sigmoid(v)+0.5, tanh(w))"};
                name = ops[code - 13] + " w" + inputs.get(side).shape();
                switch (code) {
                    case 13: return (x, l) -> x.add(l[side]);
                    case 14: return (x, l) -> l[side].sub(x);
                    case 15: return (x, l) -> x.mul(l[side]);
                    case 16: return (x, l) -> x.div(l[side].square().add(1f));
                    case 17: return (x, l) -> x.maximum(l[side]);
                    case 18: return (x, l) -> l[side].minimum(x);
                    default: return (x, l) -> x.sigmoid().add(0.5f).pow(l[side].tanh());
                }
            }
            case 20: case 21: {
                if (rank == 0) {
                    return null;
                }
                int[] axes = randomAxes(rank, r);
                boolean keep = r.nextBoolean();
                name = (code == 20 ? "sum" : "mean") + Arrays.toString(axes) + (keep ? " keep" : "");
                return code == 20 ? (x, l) -> x.sum(axes, keep) : (x, l) -> x.mean(axes, keep);
            }
            case 22: case 23: case 24: case 25: {
                if (rank == 0) {
                    return null;
                }
                int axis = r.nextInt(rank) - (r.nextBoolean() ? rank : 0);
                boolean keep = r.nextBoolean();
                switch (code) {
                    case 22: name = "max(" + axis + ")"; return (x, l) -> x.max(axis, keep);
                    case 23: name = "softmax(" + axis + ")"; return (x, l) -> x.softmax(axis);
                    case 24: name = "logSoftmax(" + axis + ")"; return (x, l) -> x.logSoftmax(axis);
                    default: name = "norm(" + axis + ")"; return (x, l) -> x.norm(axis, keep);
                }
            }
            case 26: {
                int[] to = reshapeTarget(dims, r);
                name = "reshape" + Arrays.toString(to);
                return (x, l) -> x.reshape(to);
            }
            case 27: case 28: {
                if (rank < 2) {
                    return null;
                }
                if (code == 27) {
                    int[] order = permutation(rank, r);
                    name = "permute" + Arrays.toString(order);
                    return (x, l) -> x.permute(order);
                }
                int a = r.nextInt(rank);
                int b = r.nextInt(rank) - rank;
                name = "transpose(" + a + ", " + b + ")";
                return (x, l) -> x.transpose(a, b);
            }
            case 29: {
                if (rank == 0) {
                    return null;
                }
                int axis = r.nextInt(rank);
                int n = dims[axis];
                int start = r.nextInt(n);
                int stop = start + 1 + r.nextInt(n - start);
                int stepSize = 1 + r.nextInt(2);
                // Python-style negative start now and then.
                int s0 = r.nextBoolean() ? start : start - n;
                name = "slice(" + axis + ", " + s0 + ":" + stop + ":" + stepSize + ")";
                return (x, l) -> x.slice(axis, s0, stop, stepSize);
            }
            case 30: {
                if (rank == 0) {
                    return null;
                }
                int axis = r.nextInt(rank) - (r.nextBoolean() ? rank : 0);
                int before = r.nextInt(3);
                int after = r.nextInt(3);
                float value = c;
                name = "pad(" + axis + ", " + before + ", " + after + ", " + value + ")";
                return (x, l) -> x.pad(axis, before, after, value);
            }
            case 31: {
                int at = r.nextInt(rank + 1);
                int k = 2 + r.nextInt(2);
                int[] target = new int[rank + 1];
                for (int i = 0, j = 0; i <= rank; i++) {
                    target[i] = i == at ? k : dims[j++];
                }
                name = "unsqueeze(" + at + ").expand" + Arrays.toString(target);
                return (x, l) -> x.unsqueeze(at).expand(target);
            }
            case 32: case 33: {
                if (rank == 0) {
                    return null;
                }
                int axis = r.nextInt(rank);
                if (code == 32) {
                    int[] sideDims = dims.clone();
                    sideDims[axis] = 1 + r.nextInt(2);
                    int side = sideInput(sideDims, r);
                    boolean first = r.nextBoolean();
                    name = "concat(" + axis + ", " + (first ? "v, w" : "w, v") + ")";
                    return (x, l) -> first ? Variable.concat(axis, x, l[side]) : Variable.concat(axis, l[side], x, x.neg());
                }
                int side = sideInput(dims, r);
                name = "stack(" + axis + ", v, w)";
                return (x, l) -> Variable.stack(axis, x, l[side]);
            }
            case 34: {
                if (rank == 0) {
                    return null;
                }
                int axis = r.nextInt(rank);
                int[] idx = new int[1 + r.nextInt(dims[axis] + 2)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = r.nextInt(dims[axis]);
                }
                name = "indexSelect(" + axis + ", " + Arrays.toString(idx) + ")";
                return (x, l) -> x.indexSelect(axis, idx);
            }
            case 35: {
                int rows = rank == 0 ? 1 : dims[0];
                int size = Math.max(1, v.data().size());
                float[] index = new float[1 + r.nextInt(rows + 2)];
                for (int i = 0; i < index.length; i++) {
                    index[i] = r.nextInt(rows);
                }
                Tensor idx = Tensor.vector(index);
                name = "reshape(" + rows + ", -1).gatherRows(" + Arrays.toString(index) + ")";
                return (x, l) -> x.reshape(rows, size / rows).gatherRows(Variable.constant(idx));
            }
            case 36: {
                if (rank < 2 || dims[rank - 1] < 2 || dims[rank - 2] < 2) {
                    return null;
                }
                int k = 1 + r.nextInt(3);
                int stride = 1 + r.nextInt(2);
                int padding = r.nextInt(k / 2 + 1);
                if (k > Math.min(dims[rank - 1], dims[rank - 2]) + 2 * padding) {
                    return null;   // PyTorch refuses a window larger than the padded input too
                }
                name = "maxPool2d(" + k + ", " + stride + ", " + padding + ")";
                return (x, l) -> x.maxPool2d(k, stride, padding);
            }
            case 37: {
                if (rank != 2 && rank != 3) {
                    return null;
                }
                int m = 1 + r.nextInt(3);
                int[] sideDims = rank == 2 ? new int[] {dims[1], m} : new int[] {dims[0], dims[2], m};
                int side = sideInput(sideDims, r);
                name = "matmul w" + Arrays.toString(sideDims);
                return (x, l) -> x.matmul(l[side]);
            }
            case 38: {
                int axis = -1;
                for (int i = 0; i < rank; i++) {
                    if (dims[i] == 1) {
                        axis = i;
                    }
                }
                if (axis < 0) {
                    return null;
                }
                int a = axis;
                name = "squeeze(" + a + ")";
                return (x, l) -> x.squeeze(a);
            }
            default: {
                Tensor target = Tensor.uniform(r.nextLong(), 0f, 1f, dims);
                name = "bce(sigmoid(v), t)";
                return (x, l) -> x.sigmoid().binaryCrossEntropy(Variable.constant(target));
            }
        }
    }

    /** Adds a side input of shape {@code dims} and returns its leaf index. */
    private int sideInput(int[] dims, Random r) {
        inputs.add(Tensor.uniform(r.nextLong(), -1.5f, 1.5f, dims));
        return inputs.size() - 1;
    }

    /** A shape that broadcasts with {@code dims}: some dims set to 1, some leading dims dropped. */
    static int[] broadcastShape(int[] dims, Random r) {
        int drop = dims.length == 0 ? 0 : r.nextInt(dims.length + 1);
        int[] out = Arrays.copyOfRange(dims, drop, dims.length);
        for (int i = 0; i < out.length; i++) {
            if (r.nextInt(3) == 0) {
                out[i] = 1;
            }
        }
        return out;
    }

    private static int[] randomAxes(int rank, Random r) {
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            if (r.nextBoolean()) {
                axes.add(r.nextBoolean() ? i : i - rank);
            }
        }
        if (axes.isEmpty()) {
            axes.add(r.nextInt(rank));
        }
        return axes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] permutation(int rank, Random r) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, r);
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] reshapeTarget(int[] dims, Random r) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        switch (r.nextInt(3)) {
            case 0:
                return new int[] {-1};
            case 1: {
                for (int f = 2; f <= n; f++) {
                    if (n % f == 0 && r.nextBoolean()) {
                        return new int[] {f, -1};
                    }
                }
                return new int[] {1, n};
            }
            default:
                return new int[] {n, 1};
        }
    }
}
