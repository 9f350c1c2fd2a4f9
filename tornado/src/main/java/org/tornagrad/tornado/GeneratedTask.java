package org.tornagrad.tornado;

import java.util.ArrayList;
import java.util.List;
import org.tornagrad.compiler.DeviceSource;
import uk.ac.manchester.tornado.api.TaskGraph;

/** A fused kernel of a {@link DeviceSource}, bound to a program's arrays: one task. */
final class GeneratedTask implements DeviceTask {
    private final DeviceSource.Kernel kernel;
    private final Object task;
    private final Object[] args;
    private final Object[] slots;
    private final int[] buffers;
    private final boolean[] written;
    private final List<Object> fixed = new ArrayList<>();

    /** {@code arrays}: the program's device arrays, by buffer id. */
    GeneratedTask(DeviceSource.Kernel kernel, Object task, Object[] arrays) {
        this.kernel = kernel;
        this.task = task;
        this.args = new Object[kernel.params.size()];
        List<DeviceSource.Param> bound = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            DeviceSource.Param p = kernel.params.get(i);
            if (p.buffer >= 0) {
                args[i] = arrays[p.buffer];
                bound.add(p);
            } else {
                args[i] = p.array;
                fixed.add(p.array);
            }
        }
        this.slots = new Object[bound.size()];
        this.buffers = new int[bound.size()];
        this.written = new boolean[bound.size()];
        for (int s = 0; s < slots.length; s++) {
            buffers[s] = bound.get(s).buffer;
            slots[s] = arrays[buffers[s]];
            written[s] = bound.get(s).written;
        }
    }

    @Override
    public int work() {
        return 1;
    }

    @Override
    public Object[] slots() {
        return slots;
    }

    @Override
    public int[] buffers() {
        return buffers.clone();
    }

    @Override
    public boolean writes(int slot) {
        return written[slot];
    }

    @Override
    public List<Object> fixedArrays() {
        return fixed;
    }

    @Override
    public String label() {
        return kernel.kind;
    }

    @Override
    public String describe() {
        return kernel.kind + " kernel " + kernel.method + "(" + kernel.params.size() + " arrays)";
    }

    @Override
    public int taskCount() {
        return 1;
    }

    @Override
    public void addTasks(TaskGraph graph, String prefix) {
        GeneratedKernels.addTask(graph, prefix, task, args);
    }
}
