package org.tornagrad.tornado;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Backends;

/**
 * The TornadoVM backend, eager: each Backend call is a device kernel (from {@link DeviceKernels}).
 * For whole losses the compiled path ({@link TaskGraphCompiler}) is the fast one.
 *
 * <p>Data stays on the device between the ops of a graph. A call is queued, not run; its output
 * arrays are {@linkplain Backends#claim claimed} (their host copies are stale). When host code
 * reads a claimed array ({@link Backends#hostRead}, which reaches this backend whatever backend is
 * current on the reading thread), the queued calls run as one task graph (a segment): its inputs
 * are copied in once, the arrays passed between its ops never leave the device, and of its
 * results only the array read is copied back; the others stay on the device until read. A segment
 * also runs when it reaches {@value #DEFAULT_SEGMENT_CALLS} calls ({@link #SEGMENT_PROPERTY}).
 *
 * <p>The plan of each distinct segment (calls, scalars, shapes and how the arrays connect) is
 * compiled once and re-executed over staging arrays; the plans are kept in a bounded LRU cache.
 * Where device copies are kept track of weakly, a result nobody holds any more is never copied back.
 * TornadoVM 5.2 shares device buffers only between the graphs of one execution plan, so a result
 * that a later segment uses is copied back and in again at that boundary.
 *
 * <p>Found through {@link java.util.ServiceLoader} as {@code tornado}. Where TornadoVM is absent it
 * still lists itself, with the reason in its description, and every kernel call throws an
 * IllegalStateException with that reason.
 */
public final class TornadoBackend implements Backend {
    public static final String NAME = "tornado";
    /** System property: how many segment plans stay compiled; default 256. */
    public static final String PLAN_CACHE_PROPERTY = "tornagrad.tornado.eagerPlans";
    /** System property: the most bytes of staging arrays the segment plans hold; default 512 MiB. */
    public static final String PLAN_BYTES_PROPERTY = "tornagrad.tornado.eagerPlanBytes";
    /** System property: the most calls queued before a segment runs without a host read; default 128. */
    public static final String SEGMENT_PROPERTY = "tornagrad.tornado.segmentCalls";
    static final int DEFAULT_SEGMENT_CALLS = 128;

    private static final AtomicLong GRAPH_IDS = new AtomicLong();

    private final int capacity = Integer.getInteger(PLAN_CACHE_PROPERTY, 256);
    private final long byteBudget = Long.getLong(PLAN_BYTES_PROPERTY, 512L << 20);
    private final int segmentCalls = Math.max(1, Integer.getInteger(SEGMENT_PROPERTY, DEFAULT_SEGMENT_CALLS));
    /** In access order, so that the least recently used plan is dropped first. */
    private final Map<String, SegmentPlan> plans = new LinkedHashMap<>(64, 0.75f, true);
    private long planBytes;
    private PendingCalls pending = new PendingCalls();
    /** Arrays whose value is on the device only, and the plan holding it; weak keys (identity: arrays). */
    private final Map<Object, SegmentPlan> residentIn = new WeakHashMap<>();
    /** Arrays copied host to device and back, and segments run: for tests of what moves. */
    private long copiesIn;
    private long copiesOut;
    private long segmentsRun;

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

    /** How many segment plans are compiled now. */
    public synchronized int compiledPlans() {
        return plans.size();
    }

    /** Runs the queued calls, copies every live result back and frees every plan's device memory. */
    public synchronized void clear() {
        flush();
        for (SegmentPlan p : plans.values()) {
            fetchAll(p);
            p.close();
        }
        plans.clear();
        planBytes = 0;
    }

    synchronized long copiesToDevice() {
        return copiesIn;
    }

    synchronized long copiesToHost() {
        return copiesOut;
    }

    synchronized long segmentsRun() {
        return segmentsRun;
    }

    /** How many live arrays have their value on the device only (queued results included). */
    synchronized int deviceOnlyArrays() {
        return residentIn.size() + pending.outputs.size();
    }

    private synchronized void run(KernelCall call) {
        TornadoSupport.requireAvailable();
        if (call.work() == 0) {
            return;
        }
        pending.add(call, residentIn::containsKey);
        for (int s = 0; s < call.slots.length; s++) {
            if (call.writes(s)) {
                Backends.claim(call.slots[s], this);
            }
        }
        if (pending.calls.size() >= segmentCalls) {
            flush();
        }
    }

    @Override
    public synchronized void syncToHost(Object buffer, boolean forWrite) {
        // A queued call may read the array too: it must see the value from before a host write.
        if (pending.uses(buffer)) {
            flush();
        }
        bringHomeIfResident(buffer);
        // Nothing else keeps a copy: a queued call read a snapshot, and a later call copies it in anew.
        Backends.release(buffer);
    }

    /** Runs the queued calls as one segment; their results stay on the device. */
    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        PendingCalls segment = pending;
        pending = new PendingCalls();
        // Inputs whose value is on the device of an earlier segment come back to the host first.
        for (int id : segment.inputs) {
            bringHomeIfResident(segment.arrays.get(id));
        }
        String key = segment.signature();
        SegmentPlan plan = plans.get(key);
        if (plan == null) {
            plan = new SegmentPlan(segment, "eager" + GRAPH_IDS.incrementAndGet());
            plans.put(key, plan);
            planBytes += plan.bytes;
            // Each plan holds device buffers as large as its segment's arrays: drop the least
            // recently used ones (never the new one) beyond the count and byte budgets, after
            // copying back any result still on their devices.
            var it = plans.entrySet().iterator();
            while ((plans.size() > capacity || planBytes > byteBudget) && plans.size() > 1) {
                SegmentPlan eldest = it.next().getValue();
                it.remove();
                planBytes -= eldest.bytes;
                fetchAll(eldest);
                eldest.close();
            }
        } else {
            // The execution overwrites the plan's buffers: results of its last run still alive come home.
            fetchAll(plan);
        }
        copiesIn += plan.execute(segment);
        segmentsRun++;
        for (int id : segment.outputs) {
            residentIn.put(segment.arrays.get(id), plan);
        }
    }

    private void fetchAll(SegmentPlan plan) {
        for (Object a : plan.residents()) {
            residentIn.remove(a);
            bringHome(plan, a);
        }
    }

    /** Copies {@code array}'s value back from the device where a segment left it, if one did. */
    private void bringHomeIfResident(Object array) {
        SegmentPlan holder = residentIn.remove(array);
        if (holder != null) {
            bringHome(holder, array);
        }
    }

    /** Copies {@code array}'s value back from {@code holder}'s device; its host copy is current again. */
    private void bringHome(SegmentPlan holder, Object array) {
        holder.fetch(array);
        copiesOut++;
        Backends.release(array);
    }

    // ---------------------------------------------------------------------------------------
    // The Backend SPI: each call as its Program.Instruction, whose buffer ids are the arrays' positions.

    @Override
    public void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
        run(KernelCall.of(new Program.Unary(op, a, b, 0, xOffset, n, 1), x, out));
    }

    @Override
    public void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides, float[] y, int yOffset,
                       int[] yStrides, float[] out) {
        run(KernelCall.of(new Program.Binary(op, shape, 0, xOffset, xStrides, 1, yOffset, yStrides, 2), x, y, out));
    }

    @Override
    public void copy(int[] shape, float[] src, int offset, int[] strides, float[] out) {
        run(KernelCall.of(new Program.Copy(shape, 0, offset, strides, 1), src, out));
    }

    @Override
    public void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides) {
        run(KernelCall.of(new Program.Scatter(shape, 0, 1, dstOffset, dstStrides), src, dst));
    }

    @Override
    public void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out) {
        run(KernelCall.of(new Program.GatherRows(0, rowLength, 1, n, 2), src, index, out));
    }

    @Override
    public void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows) {
        run(KernelCall.of(new Program.ScatterAddRows(0, rowLength, 1, n, 2, rows), g, index, out));
    }

    @Override
    public void sumRows(float[] x, int rows, int cols, float[] out) {
        run(KernelCall.of(new Program.SumRows(0, rows, cols, 1), x, out));
    }

    @Override
    public void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex) {
        run(KernelCall.of(new Program.MaxRows(0, rows, cols, 1, 2), x, outMax, outIndex));
    }

    @Override
    public void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out) {
        run(KernelCall.of(new Program.MaxRowsBackward(0, 1, rows, cols, 2), g, index, out));
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int kernel, int stride, int padding, float[] out,
                          int[] argmax) {
        run(KernelCall.of(new Program.MaxPool2d(0, planes, h, w, kernel, stride, padding, 1, 2), x, out, argmax));
    }

    @Override
    public void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW,
                                  float[] gradIn) {
        run(KernelCall.of(new Program.MaxPool2dBackward(0, 1, planes, h, w, outH, outW, 2), g, argmax, gradIn));
    }

    @Override
    public void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n) {
        run(KernelCall.of(new Program.Matmul(0, 1, 2, batch, m, k, n), a, b, out));
    }
}
