package org.tornagrad.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.kernels.Pooling;
import org.tornagrad.kernels.Reduction;
import uk.ac.manchester.tornado.api.TaskGraph;

/**
 * One call of a {@link org.tornagrad.kernels.Backend} method, in the argument layout of
 * {@link Program.Instruction} ({@code ints}, {@code floats}, shape and strides, and the arrays in
 * buffer order), and the TornadoVM tasks that compute it. The eager backend and the task-graph
 * compiler both go through here, so a kernel is wired to its device loop in one place.
 */
final class KernelCall implements DeviceTask {
    final Program.Kernel kernel;
    private final int[] ints;
    private final float[] floats;
    /** {@code [rank, shape, strides, strides2]} for the strided kernels, else null. */
    final int[] meta;
    /** The buffers, in the Program's order for this kernel: float[] or int[]. */
    final Object[] slots;
    /** Device-only scratch, allocated here: block partials, row chains, max-pool row spans. */
    final Object[] temps;

    private KernelCall(Program.Kernel kernel, int[] ints, float[] floats, int[] meta, Object[] slots) {
        this.kernel = kernel;
        this.ints = ints;
        this.floats = floats == null ? new float[0] : floats;
        this.meta = meta;
        this.slots = slots;
        this.temps = scratch();
    }

    static KernelCall of(Program.Kernel kernel, int[] ints, float[] floats, int[] shape, int[] strides,
                         int[] strides2, Object... slots) {
        return new KernelCall(kernel, ints.clone(), floats == null ? null : floats.clone(),
            shape == null ? null : meta(shape, strides, strides2), slots);
    }

    /** The same call over other arrays of the same kinds and lengths (the eager backend's staging copies). */
    KernelCall withSlots(Object[] others) {
        return new KernelCall(kernel, ints, floats, meta, others);
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
        switch (kernel) {
            case UNARY: return ints[2];
            case UNARY_BACKWARD: return ints[1];
            case BINARY: case BINARY_GRAD: case COPY: case SCATTER: return shapeSize();
            case SUM_ROWS: return ints[0];
            // A max over no elements has no answer (the tensor layer rejects it): launch nothing.
            case MAX_ROWS: return ints[1] == 0 ? 0 : ints[0];
            case MAX_ROWS_BACKWARD: return ints[0] * ints[1];
            case GATHER_ROWS: return ints[0] * ints[1];
            case SCATTER_ADD_ROWS: return ints[0] * ints[2];
            case MAX_POOL2D: return ints[0] * pooledH() * pooledW();
            // One work-item per input row of each plane.
            case MAX_POOL2D_BACKWARD: return ints[2] == 0 ? 0 : ints[0] * ints[1];
            case MATMUL: return ints[0] * ints[1] * ints[3];
            default: throw new IllegalStateException("kernel: unknown " + kernel);
        }
    }

    private int pooledH() {
        return Pooling.outputSize(ints[1], ints[3], ints[4], ints[5]);
    }

    private int pooledW() {
        return Pooling.outputSize(ints[2], ints[3], ints[4], ints[5]);
    }

    private Object[] scratch() {
        if (kernel == Program.Kernel.SUM_ROWS) {
            return new Object[] {new double[Math.max(1, ints[0] * Reduction.blocks(ints[1]))]};
        }
        if (kernel == Program.Kernel.MAX_ROWS) {
            int n = Math.max(1, ints[0] * Reduction.blocks(ints[1]));
            return new Object[] {new float[n], new int[n]};
        }
        if (kernel == Program.Kernel.SCATTER_ADD_ROWS && chained()) {
            // next and head of each gathered row (DeviceKernels.rowChains).
            return new Object[] {new int[ints[1]], new int[ints[1]]};
        }
        if (kernel == Program.Kernel.MAX_POOL2D_BACKWARD && work() > 0) {
            // The input-row span of each output row's winners (DeviceKernels.poolRowSpans).
            return new Object[] {new int[Math.max(1, 2 * ints[0] * ints[3])]};
        }
        return new Object[0];
    }

    /** Whether a scatterAddRows call has rows to add, beyond zeroing its output. */
    private boolean chained() {
        return ints[1] > 0 && work() > 0;
    }

    /** How many tasks {@link #addTasks} adds: 0 without work, more than one for the multi-step kernels. */
    @Override
    public String describe() {
        return "call " + label() + " (" + taskCount() + (taskCount() == 1 ? " kernel)" : " kernels)");
    }

    @Override
    public int taskCount() {
        if (work() == 0) {
            return 0;
        }
        switch (kernel) {
            case SUM_ROWS:
                return Reduction.blocks(ints[1]) > 0 ? 2 : 1;
            case MAX_ROWS:
                return 2;
            case SCATTER_ADD_ROWS:
                return chained() ? 3 : 1;
            case MAX_POOL2D_BACKWARD:
                return ints[0] * ints[3] > 0 ? 2 : 1;
            default:
                return 1;
        }
    }

    /** Whether the kernel writes the buffer in {@code slot} (as {@link Program.Instruction#writes}). */
    @Override
    public boolean writes(int slot) {
        if (kernel == Program.Kernel.MAX_ROWS || kernel == Program.Kernel.MAX_POOL2D) {
            return slot >= slots.length - 2;
        }
        return slot == slots.length - 1;
    }

    /** Whether the kernel reads the buffer in {@code slot}: the inputs, and the destination of a scatter. */
    boolean reads(int slot) {
        return !writes(slot) || kernel == Program.Kernel.SCATTER;
    }

    @Override
    public Object[] slots() {
        return slots;
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

    /** A key equal for calls that one compiled plan can run: kernel, scalars, metadata and array kinds and lengths. */
    String signature() {
        StringBuilder sb = new StringBuilder(kernel.name()).append(Arrays.toString(ints));
        for (float f : floats) {
            sb.append(',').append(Integer.toHexString(Float.floatToRawIntBits(f)));
        }
        sb.append(Arrays.toString(meta));
        for (Object s : slots) {
            sb.append(s instanceof int[] ? ";i" : ";f").append(length(s));
        }
        return sb.toString();
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
        return kernel.name().toLowerCase();
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
        switch (kernel) {
            case UNARY:
                graph.task(prefix, DeviceKernels::unary, ints[0], floats[0], floats[1], f(0), ints[1], f(1), n);
                break;
            case UNARY_BACKWARD:
                graph.task(prefix, DeviceKernels::unaryBackward, ints[0], floats[0], floats[1], f(0), f(1), f(2), f(3), n);
                break;
            case BINARY:
                graph.task(prefix, DeviceKernels::binary, ints[0], meta, f(0), ints[1], f(1), ints[2], f(2), n);
                break;
            case BINARY_GRAD:
                graph.task(prefix, DeviceKernels::binaryGrad, ints[0], ints[1], meta, f(0), ints[2], f(1), ints[3],
                    f(2), f(3), f(4), n);
                break;
            case COPY:
                graph.task(prefix, DeviceKernels::copy, meta, f(0), ints[0], f(1), n);
                break;
            case SCATTER:
                graph.task(prefix, DeviceKernels::scatter, meta, f(0), f(1), ints[0], n);
                break;
            case SUM_ROWS: {
                int blocks = Reduction.blocks(ints[1]);
                double[] partial = (double[]) temps[0];
                if (blocks > 0) {
                    graph.task(prefix + "_blocks", DeviceKernels::sumBlocks, f(0), ints[0], ints[1], blocks, partial);
                }
                graph.task(prefix + "_total", DeviceKernels::sumBlockTotals, partial, ints[0], blocks, f(1));
                break;
            }
            case MAX_ROWS: {
                int blocks = Reduction.blocks(ints[1]);
                float[] blockMax = (float[]) temps[0];
                int[] blockIndex = (int[]) temps[1];
                graph.task(prefix + "_blocks", DeviceKernels::maxBlocks, f(0), ints[0], ints[1], blocks, blockMax,
                    blockIndex);
                graph.task(prefix + "_winner", DeviceKernels::maxBlockWinners, blockMax, blockIndex, ints[0], blocks,
                    f(1), i(2));
                break;
            }
            case MAX_ROWS_BACKWARD:
                graph.task(prefix, DeviceKernels::maxRowsBackward, f(0), i(1), ints[1], f(2), n);
                break;
            case GATHER_ROWS:
                graph.task(prefix, DeviceKernels::gatherRows, f(0), ints[0], f(1), f(2), n);
                break;
            case SCATTER_ADD_ROWS: {
                int[] next = chained() ? (int[]) temps[0] : null;
                int[] head = chained() ? (int[]) temps[1] : null;
                if (chained()) {
                    graph.task(prefix + "_chains", DeviceKernels::rowChains, f(1), ints[1], next, head);
                }
                graph.task(prefix + "_zero", DeviceKernels::zero, f(2), n);
                if (chained()) {
                    graph.task(prefix + "_add", DeviceKernels::addRowChains, f(0), ints[0], f(1), next, head, f(2),
                        ints[1] * ints[0]);
                }
                break;
            }
            case MAX_POOL2D:
                graph.task(prefix, DeviceKernels::maxPool2d, f(0), ints[1], ints[2], ints[3], ints[4], ints[5],
                    pooledH(), pooledW(), f(1), i(2), n);
                break;
            case MAX_POOL2D_BACKWARD: {
                int[] span = (int[]) temps[0];
                int outRows = ints[0] * ints[3];
                if (outRows > 0) {
                    graph.task(prefix + "_spans", DeviceKernels::poolRowSpans, i(1), ints[2], ints[4], span, outRows);
                }
                graph.task(prefix, DeviceKernels::maxPool2dBackward, f(0), i(1), span, ints[1], ints[2], ints[3],
                    ints[4], f(2), n);
                break;
            }
            case MATMUL:
                graph.task(prefix, DeviceKernels::matmul, f(0), f(1), f(2), ints[1], ints[2], ints[3], n);
                break;
            default:
                throw new IllegalStateException("kernel: unknown " + kernel);
        }
    }
}
