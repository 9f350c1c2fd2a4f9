package org.tornagrad.tornado;

import java.util.List;
import uk.ac.manchester.tornado.api.TaskGraph;

/** One launch (or a few) of a compiled task graph: a kernel call, or a generated fused kernel. */
interface DeviceTask {
    /** The number of work-items of its main kernel: 0 means there is nothing to launch. */
    int work();

    /** The program buffers' arrays it takes, in parameter order. */
    Object[] slots();

    /** The program buffer of each slot, in the same order. */
    int[] buffers();

    /** Whether it writes the array in {@code slot}. */
    boolean writes(int slot);

    /** The arrays it needs besides the slots, fixed for the call (metadata, scratch). */
    List<Object> fixedArrays();

    /** Short text for task names. */
    String label();

    /** One line for a listing: what it launches. */
    String describe();

    /** How many tasks {@link #addTasks} adds. */
    int taskCount();

    /** Adds its tasks to {@code graph}, named {@code prefix} plus a suffix; the caller declares transfers. */
    void addTasks(TaskGraph graph, String prefix);
}
