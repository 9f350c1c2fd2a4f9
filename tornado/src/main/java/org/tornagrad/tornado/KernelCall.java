package org.tornagrad.tornado;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.kernels.Pooling;
import org.tornagrad.kernels.Reduction;
import uk.ac.manchester.tornado.api.TaskGraph;

/**
 * One call of a {@link org.tornagrad.kernels.Backend} method, as its {@link Program.Instruction}
 * with the arrays in the instruction's buffer order ({@link Program.Instruction#buffers()}), and
 * the TornadoVM tasks that compute it. The eager backend and the task-graph compiler both go
 * through here, so a kernel is wired to its device loop in one place.
 */
final class KernelCall implements DeviceTask {
    /** The kernel and its arguments; its buffer ids are not read here: {@link #slots} holds the arrays. */
    final Program.Instruction in;
    /** {@code [rank, shape, strides, strides2]} for the strided kernels, else null. */
    final int[] meta;
    /** The buffers, in the instruction's buffer order: float[] or int[]. */
    final Object[] slots;
    /** Device-only scratch, allocated here: block partials, row chains, max-pool row spans. */
    final Object[] temps;

    private KernelCall(Program.Instruction in, int[] meta, Object[] slots) {
        this.in = in;
        this.meta = meta;
        this.slots = slots;
        this.temps = scratch();
    }

    /** The call of {@code in} on {@code slots}: one array for each of its buffers, in their order. */
    static KernelCall of(Program.Instruction in, Object... slots) {
        int buffers = in.buffers().length;
        if (slots.length != buffers) {
            throw new IllegalArgumentException("slots: expected " + buffers + " arrays for " + in.label() + ", got "
                + slots.length);
        }
        return new KernelCall(in, meta(in), slots);
    }

    /** The same call over other arrays of the same kinds and lengths (the eager backend's staging copies). */
    KernelCall withSlots(Object[] others) {
        return new KernelCall(in, meta, others);
    }

    /** The strided kernels' shape and strides, as one array for the device. */
    private static int[] meta(Program.Instruction in) {
        return switch (in) {
            case Program.Binary b -> meta(b.shape(), b.xStrides(), b.yStrides());
            case Program.Copy c -> meta(c.shape(), c.strides(), null);
            case Program.Scatter s -> meta(s.shape(), s.dstStrides(), null);
            default -> null;
        };
    }

    private static int[] meta(int[] shape, int[] strides, int[] strides2) {
        int rank = shape.length;
        int[] m = new int[1 + 3 * rank];
        m[0] = rank;
        for (int d = 0; d < rank; d++) {
            m[1 + d] = shape[d];
            m[1 + rank + d] = strides[d];
            m[1 + 2 * rank + d] = strides2 == null ? 0 : strides2[d];
        }
        return m;
    }

    private int shapeSize() {
        int n = 1;
        for (int d = 0; d < meta[0]; d++) {
            n *= meta[1 + d];
        }
        return n;
    }

    /** The number of output elements: 0 means there is nothing to launch. */
    @Override
    public int work() {
        return switch (in) {
            case Program.Unary u -> u.n();
            case Program.Binary _, Program.Copy _, Program.Scatter _ -> shapeSize();
            case Program.SumRows s -> s.rows();
            // A max over no elements has no answer (the tensor layer rejects it): launch nothing.
            case Program.MaxRows m -> m.cols() == 0 ? 0 : m.rows();
            case Program.MaxRowsBackward m -> m.rows() * m.cols();
            case Program.GatherRows g -> g.rowLength() * g.n();
            case Program.ScatterAddRows s -> s.rowLength() * s.rows();
            case Program.MaxPool2d p -> p.planes() * pooledH(p) * pooledW(p);
            // One work-item per input row of each plane.
            case Program.MaxPool2dBackward p -> p.w() == 0 ? 0 : p.planes() * p.h();
            case Program.Matmul m -> m.batch() * m.m() * m.n();
        };
    }

    private static int pooledH(Program.MaxPool2d p) {
        return Pooling.outputSize(p.h(), p.kernel(), p.stride(), p.padding());
    }

    private static int pooledW(Program.MaxPool2d p) {
        return Pooling.outputSize(p.w(), p.kernel(), p.stride(), p.padding());
    }

    private Object[] scratch() {
        if (in instanceof Program.SumRows s) {
            return new Object[] {new double[Math.max(1, s.rows() * Reduction.blocks(s.cols()))]};
        }
        if (in instanceof Program.MaxRows m && Reduction.blocks(m.cols()) > 1) {
            int n = Math.max(1, m.rows() * Reduction.blocks(m.cols()));
            return new Object[] {new float[n], new int[n]};
        }
        if (in instanceof Program.ScatterAddRows s && chained(s)) {
            // next and head of each gathered row (DeviceKernels.rowChains).
            return new Object[] {new int[s.n()], new int[s.n()]};
        }
        if (in instanceof Program.MaxPool2dBackward p && work() > 0) {
            // The input-row span of each output row's winners (DeviceKernels.poolRowSpans).
            return new Object[] {new int[Math.max(1, 2 * p.planes() * p.outH())]};
        }
        return new Object[0];
    }

    /** Whether a scatterAddRows call has rows to add, beyond zeroing its output. */
    private boolean chained(Program.ScatterAddRows s) {
        return s.n() > 0 && work() > 0;
    }

    @Override
    public String describe() {
        return "call " + label() + " (" + taskCount() + (taskCount() == 1 ? " kernel)" : " kernels)");
    }

    /** How many tasks {@link #addTasks} adds: 0 without work, more than one for the multi-step kernels. */
    @Override
    public int taskCount() {
        if (work() == 0) {
            return 0;
        }
        return switch (in) {
            case Program.SumRows s -> Reduction.blocks(s.cols()) > 0 ? 2 : 1;
            case Program.MaxRows m -> Reduction.blocks(m.cols()) > 1 ? 2 : 1;
            case Program.ScatterAddRows s -> chained(s) ? 3 : 1;
            case Program.MaxPool2dBackward p -> p.planes() * p.outH() > 0 ? 2 : 1;
            default -> 1;
        };
    }

    /** Whether the kernel writes the buffer in {@code slot} ({@link Program.Instruction#writes}). */
    @Override
    public boolean writes(int slot) {
        return in.writes(slot);
    }

    /** Whether the kernel reads the buffer in {@code slot}: the inputs, and the destination of a scatter. */
    boolean reads(int slot) {
        return in.reads(slot);
    }

    @Override
    public Object[] slots() {
        return slots;
    }

    /** The instruction's buffer ids (in the eager backend, the arguments' positions). */
    @Override
    public int[] buffers() {
        return in.buffers();
    }

    /** The arrays the device needs besides the slots, fixed for the call: shape metadata and scratch. */
    @Override
    public List<Object> fixedArrays() {
        List<Object> out = new ArrayList<>(Arrays.asList(temps));
        if (meta != null) {
            out.add(meta);
        }
        return out;
    }

    /**
     * A key equal for calls that one compiled plan can run: kernel, arguments (scalars, shapes and
     * strides) and array kinds and lengths.
     */
    String signature() {
        StringBuilder sb = arguments(in);
        for (Object s : slots) {
            sb.append(s instanceof int[] ? ";i" : ";f").append(length(s));
        }
        return sb.toString();
    }

    /**
     * The kernel and the value of each of the instruction's components, floats by their bits (so
     * that -0 and each NaN stay apart): every record kind alike, read through its accessors.
     */
    private static StringBuilder arguments(Program.Instruction in) {
        StringBuilder sb = new StringBuilder(in.kind().name());
        for (RecordComponent c : in.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(in);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("kernel: cannot read " + in.kind() + "." + c.getName(), e);
            }
            sb.append(',');
            if (v instanceof int[] a) {
                sb.append(Arrays.toString(a));
            } else if (v instanceof Float f) {
                sb.append(Integer.toHexString(Float.floatToRawIntBits(f)));
            } else {
                sb.append(v);
            }
        }
        return sb;
    }

    static int length(Object array) {
        return array instanceof int[] ? ((int[]) array).length : ((float[]) array).length;
    }

    private float[] f(int slot) {
        return (float[]) slots[slot];
    }

    private int[] i(int slot) {
        return (int[]) slots[slot];
    }

    /** Short text for task names: the kernel in lower case. */
    @Override
    public String label() {
        return in.kind().name().toLowerCase();
    }

    /**
     * Adds the call's tasks to {@code graph}, named {@code prefix} plus a suffix; the caller has
     * declared every array's transfers. Does nothing when {@link #work()} is 0: OpenCL rejects an
     * empty launch, and there is nothing to compute.
     */
    @Override
    public void addTasks(TaskGraph graph, String prefix) {
        int n = work();
        if (n == 0) {
            return;
        }
        switch (in) {
            case Program.Unary u ->
                graph.task(prefix, DeviceKernels::unary, u.op(), u.a(), u.b(), f(0), u.xOffset(), f(1), n);
            case Program.Binary b ->
                graph.task(prefix, DeviceKernels::binary, b.op(), meta, f(0), b.xOffset(), f(1), b.yOffset(), f(2), n);
            case Program.Copy c ->
                graph.task(prefix, DeviceKernels::copy, meta, f(0), c.offset(), f(1), n);
            case Program.Scatter s ->
                graph.task(prefix, DeviceKernels::scatter, meta, f(0), f(1), s.dstOffset(), n);
            case Program.SumRows s -> {
                int blocks = Reduction.blocks(s.cols());
                double[] partial = (double[]) temps[0];
                if (blocks > 0) {
                    graph.task(prefix + "_blocks", DeviceKernels::sumBlocks, f(0), s.rows(), s.cols(), blocks, partial);
                }
                graph.task(prefix + "_total", DeviceKernels::sumBlockTotals, partial, s.rows(), blocks, f(1));
            }
            case Program.MaxRows m -> {
                int blocks = Reduction.blocks(m.cols());
                if (blocks == 1) {
                    // Rows of one block (softmax over a few channels, say): its winner is the row's.
                    graph.task(prefix, DeviceKernels::maxBlocks, f(0), m.rows(), m.cols(), 1, f(1), i(2));
                    return;
                }
                float[] blockMax = (float[]) temps[0];
                int[] blockIndex = (int[]) temps[1];
                graph.task(prefix + "_blocks", DeviceKernels::maxBlocks, f(0), m.rows(), m.cols(), blocks, blockMax,
                    blockIndex);
                graph.task(prefix + "_winner", DeviceKernels::maxBlockWinners, blockMax, blockIndex, m.rows(), blocks,
                    f(1), i(2));
            }
            case Program.MaxRowsBackward m ->
                graph.task(prefix, DeviceKernels::maxRowsBackward, f(0), i(1), m.cols(), f(2), n);
            case Program.GatherRows g ->
                graph.task(prefix, DeviceKernels::gatherRows, f(0), g.rowLength(), f(1), f(2), n);
            case Program.ScatterAddRows s -> {
                boolean chained = chained(s);
                int[] next = chained ? (int[]) temps[0] : null;
                int[] head = chained ? (int[]) temps[1] : null;
                if (chained) {
                    graph.task(prefix + "_chains", DeviceKernels::rowChains, f(1), s.n(), next, head);
                }
                graph.task(prefix + "_zero", DeviceKernels::zero, f(2), n);
                if (chained) {
                    graph.task(prefix + "_add", DeviceKernels::addRowChains, f(0), s.rowLength(), f(1), next, head,
                        f(2), s.n() * s.rowLength());
                }
            }
            case Program.MaxPool2d p ->
                graph.task(prefix, DeviceKernels::maxPool2d, f(0), p.h(), p.w(), p.kernel(), p.stride(), p.padding(),
                    pooledH(p), pooledW(p), f(1), i(2), n);
            case Program.MaxPool2dBackward p -> {
                int[] span = (int[]) temps[0];
                int outRows = p.planes() * p.outH();
                if (outRows > 0) {
                    graph.task(prefix + "_spans", DeviceKernels::poolRowSpans, i(1), p.w(), p.outW(), span, outRows);
                }
                graph.task(prefix, DeviceKernels::maxPool2dBackward, f(0), i(1), span, p.h(), p.w(), p.outH(),
                    p.outW(), f(2), n);
            }
            case Program.Matmul m ->
                graph.task(prefix, DeviceKernels::matmul, f(0), f(1), f(2), m.m(), m.k(), m.n(), n);
        }
    }
}
