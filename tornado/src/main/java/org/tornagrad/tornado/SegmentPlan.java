package org.tornagrad.tornado;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * One compiled task graph for a shape of {@link PendingCalls}, over staging arrays of its own
 * (TornadoVM binds device buffers to the Java arrays of a plan, so a plan re-executed for a new
 * batch needs fixed arrays). The segment's inputs are copied in at each execution; its results
 * stay on the device ({@code UNDER_DEMAND}) until host code reads one, when only that one is
 * copied back ({@link #fetch}).
 *
 * <p>TornadoVM 5.2 shares device buffers only between task graphs of one execution plan, so a
 * result used by a later segment is fetched to the host and copied in again there.
 */
final class SegmentPlan {
    private final Object[] staging;
    private final List<Integer> inputs;
    private final TornadoExecutionPlan plan;
    private TornadoExecutionResult lastResult;
    final long bytes;
    /** The callers' arrays whose current value is in this plan's device buffers, and their numbers. */
    private final Map<Object, Integer> residents = new WeakHashMap<>();

    SegmentPlan(PendingCalls template, String name) {
        staging = new Object[template.arrays.size()];
        long total = 0;
        for (int id = 0; id < staging.length; id++) {
            Object a = template.arrays.get(id);
            // Never an empty array: TornadoVM cannot allocate a 0-byte device buffer.
            int n = Math.max(1, KernelCall.length(a));
            staging[id] = a instanceof int[] ? new int[n] : new float[n];
            total += 4L * n;
        }
        inputs = template.inputs;
        TaskGraph graph = new TaskGraph(name);
        List<KernelCall> staged = new ArrayList<>();
        List<Object> fixed = new ArrayList<>();
        for (KernelCall c : template.calls) {
            int[] ids = template.slotIds(c);
            Object[] slots = new Object[ids.length];
            for (int s = 0; s < ids.length; s++) {
                slots[s] = staging[ids[s]];
            }
            KernelCall k = c.withSlots(slots);
            staged.add(k);
            fixed.addAll(k.fixedArrays());
        }
        for (Object f : fixed) {
            total += 8L * java.lang.reflect.Array.getLength(f);
        }
        bytes = total;
        if (!fixed.isEmpty()) {
            graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, fixed.toArray());
        }
        if (!inputs.isEmpty()) {
            graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, inputs.stream().map(id -> staging[id]).toArray());
        }
        for (int i = 0; i < staged.size(); i++) {
            staged.get(i).addTasks(graph, "t" + i + "_" + staged.get(i).label());
        }
        graph.transferToHost(DataTransferMode.UNDER_DEMAND,
            template.outputs.stream().map(id -> staging[id]).toArray());
        plan = TornadoSupport.configure(new TornadoExecutionPlan(graph.snapshot()));
    }

    /** The arrays whose value is only on this plan's device now (live ones; garbage ones are gone). */
    List<Object> residents() {
        return new ArrayList<>(residents.keySet());
    }

    /**
     * Runs {@code segment} (of this plan's signature): copies its inputs in, executes, and leaves
     * its results on the device. Every array still resident from the previous execution must have
     * been fetched first (the execution overwrites the buffers). Returns how many arrays it copied in.
     */
    int execute(PendingCalls segment) {
        // Live arrays only: WeakHashMap.size() still counts an array the GC has cleared until its
        // reference is enqueued (another thread, some time later), so right after a collection it
        // would report unread garbage as unfetched results.
        List<Object> unfetched = residents();
        if (!unfetched.isEmpty()) {
            throw new IllegalStateException("segment plan: " + unfetched.size() + " results of the last execution not fetched");
        }
        // The cleared ones nobody can read: forget them before this execution's results come in.
        residents.clear();
        for (int id : inputs) {
            Object source = segment.snapshots.getOrDefault(id, segment.arrays.get(id));
            copy(source, staging[id]);
        }
        lastResult = plan.execute();
        for (int id : segment.outputs) {
            residents.put(segment.arrays.get(id), id);
        }
        return inputs.size();
    }

    /** Copies {@code array}'s value back from the device (this one only) into it; it is no longer resident. */
    void fetch(Object array) {
        Integer id = residents.remove(array);
        if (id == null) {
            throw new IllegalStateException("segment plan: the array is not resident here");
        }
        lastResult.transferToHost(staging[id]);
        copy(staging[id], array);
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
