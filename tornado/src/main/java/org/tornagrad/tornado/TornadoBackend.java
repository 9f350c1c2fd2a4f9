package org.tornagrad.tornado;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.tornagrad.autograd.trace.Program.Kernel;
import org.tornagrad.kernels.Backend;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * The TornadoVM backend, eager: each Backend call runs its device kernel (from
 * {@link DeviceKernels}) as a small task graph on TornadoVM's device. For whole losses the
 * compiled path ({@link TaskGraphCompiler}) is the fast one.
 *
 * <p>What eager mode copies, honestly: the SPI hands over Java heap arrays and hands them back
 * written, and host code may read any of them between two calls, so each call copies its inputs
 * to the device and its outputs back. The plan of each distinct call (kernel, scalars, shapes) is
 * built and compiled once and re-executed over staging arrays, so compilation is paid once per
 * shape; the copies are paid every call. Keeping tensors on the device between eager calls needs
 * the SPI to hand out device-resident buffers (see README-section.md).
 *
 * <p>Found through {@link java.util.ServiceLoader} as {@code tornado}. Where TornadoVM is absent it
 * still lists itself, with the reason in its description, and every kernel call throws an
 * IllegalStateException with that reason.
 */
public final class TornadoBackend implements Backend {
    public static final String NAME = "tornado";
    /** System property: how many eager plans (one per distinct call) stay compiled; default 256. */
    public static final String PLAN_CACHE_PROPERTY = "tornagrad.tornado.eagerPlans";
    /** System property: the most bytes of staging arrays the eager plans hold; default 512 MiB. */
    public static final String PLAN_BYTES_PROPERTY = "tornagrad.tornado.eagerPlanBytes";

    private static final AtomicLong GRAPH_IDS = new AtomicLong();

    private final int capacity = Integer.getInteger(PLAN_CACHE_PROPERTY, 256);
    private final long byteBudget = Long.getLong(PLAN_BYTES_PROPERTY, 512L << 20);
    /** In access order, so that the least recently used plan is dropped first. */
    private final Map<String, EagerPlan> plans = new LinkedHashMap<>(64, 0.75f, true);
    private long planBytes;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        String reason = TornadoSupport.unavailableReason();
        if (reason != null) {
            return "TornadoVM task graphs (unavailable: " + reason + ")";
        }
        return "TornadoVM " + TornadoSupport.version() + " task graphs on " + TornadoSupport.deviceDescription();
    }

    /** How many eager plans are compiled now. */
    public synchronized int compiledPlans() {
        return plans.size();
    }

    /** Frees every eager plan's device memory; later calls compile again. */
    public synchronized void clear() {
        plans.values().forEach(EagerPlan::close);
        plans.clear();
        planBytes = 0;
    }

    private synchronized void run(KernelCall call) {
        TornadoSupport.requireAvailable();
        if (call.work() == 0) {
            return;
        }
        String key = call.signature();
        EagerPlan plan = plans.get(key);
        if (plan == null) {
            plan = new EagerPlan(call, "eager" + GRAPH_IDS.incrementAndGet());
            plans.put(key, plan);
            planBytes += plan.bytes;
            // Each plan holds device buffers as large as its call's arrays: drop the least
            // recently used ones (never the new one) beyond the count and byte budgets.
            var it = plans.entrySet().iterator();
            while ((plans.size() > capacity || planBytes > byteBudget) && plans.size() > 1) {
                EagerPlan eldest = it.next().getValue();
                it.remove();
                planBytes -= eldest.bytes;
                eldest.close();
            }
        }
        plan.run(call);
    }

    /** One call's compiled plan over its own staging arrays. */
    private static final class EagerPlan {
        private final KernelCall staged;
        private final TornadoExecutionPlan plan;
        final long bytes;

        EagerPlan(KernelCall template, String name) {
            Object[] staging = new Object[template.slots.length];
            long total = 0;
            for (int s = 0; s < staging.length; s++) {
                // Never an empty array: TornadoVM cannot allocate a 0-byte device buffer.
                int n = Math.max(1, KernelCall.length(template.slots[s]));
                staging[s] = template.slots[s] instanceof int[] ? new int[n] : new float[n];
                total += 4L * n;
            }
            bytes = total;
            staged = template.withSlots(staging);
            TaskGraph graph = new TaskGraph(name);
            if (!staged.fixedArrays().isEmpty()) {
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, staged.fixedArrays().toArray());
            }
            List<Object> in = new ArrayList<>();
            List<Object> out = new ArrayList<>();
            for (int s = 0; s < staging.length; s++) {
                if (staged.reads(s)) {
                    in.add(staging[s]);
                }
                if (staged.writes(s)) {
                    out.add(staging[s]);
                }
            }
            if (!in.isEmpty()) {
                graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, in.toArray());
            }
            staged.addTasks(graph, staged.label());
            graph.transferToHost(DataTransferMode.EVERY_EXECUTION, out.toArray());
            plan = TornadoSupport.configure(new TornadoExecutionPlan(graph.snapshot()));
        }

        void run(KernelCall call) {
            for (int s = 0; s < call.slots.length; s++) {
                if (staged.reads(s)) {
                    copy(call.slots[s], staged.slots[s]);
                }
            }
            plan.execute();
            for (int s = 0; s < call.slots.length; s++) {
                if (staged.writes(s)) {
                    copy(staged.slots[s], call.slots[s]);
                }
            }
        }

        /** Copies the shorter of the two lengths (staging arrays are at least one element long). */
        private static void copy(Object from, Object to) {
            int n = Math.min(KernelCall.length(from), KernelCall.length(to));
            System.arraycopy(from, 0, to, 0, n);
        }

        void close() {
            try {
                plan.close();
            } catch (Exception e) {
                // Freeing device memory of a plan we drop: nothing useful to do if it fails.
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // The Backend SPI: each call in the layout of Program.Instruction.

    @Override
    public void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
        run(KernelCall.of(Kernel.UNARY, new int[] {op, xOffset, n}, new float[] {a, b}, null, null, null, x, out));
    }

    @Override
    public void unaryBackward(int op, float a, float b, float[] x, float[] y, float[] g, float[] out, int n) {
        run(KernelCall.of(Kernel.UNARY_BACKWARD, new int[] {op, n}, new float[] {a, b}, null, null, null, x, y, g, out));
    }

    @Override
    public void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides, float[] y, int yOffset,
                       int[] yStrides, float[] out) {
        run(KernelCall.of(Kernel.BINARY, new int[] {op, xOffset, yOffset}, null, shape, xStrides, yStrides, x, y, out));
    }

    @Override
    public void binaryGrad(int op, boolean left, int[] shape, float[] x, int xOffset, int[] xStrides, float[] y,
                           int yOffset, int[] yStrides, float[] z, float[] g, float[] out) {
        run(KernelCall.of(Kernel.BINARY_GRAD, new int[] {op, left ? 1 : 0, xOffset, yOffset}, null, shape, xStrides,
            yStrides, x, y, z, g, out));
    }

    @Override
    public void copy(int[] shape, float[] src, int offset, int[] strides, float[] out) {
        run(KernelCall.of(Kernel.COPY, new int[] {offset}, null, shape, strides, null, src, out));
    }

    @Override
    public void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides) {
        run(KernelCall.of(Kernel.SCATTER, new int[] {dstOffset}, null, shape, dstStrides, null, src, dst));
    }

    @Override
    public void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out) {
        run(KernelCall.of(Kernel.GATHER_ROWS, new int[] {rowLength, n}, null, null, null, null, src, index, out));
    }

    @Override
    public void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows) {
        run(KernelCall.of(Kernel.SCATTER_ADD_ROWS, new int[] {rowLength, n, rows}, null, null, null, null, g, index, out));
    }

    @Override
    public void sumRows(float[] x, int rows, int cols, float[] out) {
        run(KernelCall.of(Kernel.SUM_ROWS, new int[] {rows, cols}, null, null, null, null, x, out));
    }

    @Override
    public void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex) {
        run(KernelCall.of(Kernel.MAX_ROWS, new int[] {rows, cols}, null, null, null, null, x, outMax, outIndex));
    }

    @Override
    public void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out) {
        run(KernelCall.of(Kernel.MAX_ROWS_BACKWARD, new int[] {rows, cols}, null, null, null, null, g, index, out));
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int kernel, int stride, int padding, float[] out,
                          int[] argmax) {
        run(KernelCall.of(Kernel.MAX_POOL2D, new int[] {planes, h, w, kernel, stride, padding}, null, null, null, null,
            x, out, argmax));
    }

    @Override
    public void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW,
                                  float[] gradIn) {
        run(KernelCall.of(Kernel.MAX_POOL2D_BACKWARD, new int[] {planes, h, w, outH, outW}, null, null, null, null,
            g, argmax, gradIn));
    }

    @Override
    public void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n) {
        run(KernelCall.of(Kernel.MATMUL, new int[] {batch, m, k, n}, null, null, null, null, a, b, out));
    }
}
