package org.tornagrad.autograd.trace;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tornagrad.kernels.Backend;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/**
 * Replays a {@link Program} call by call on a backend, over buffers allocated once: the
 * unfused baseline of the compiled path, and the reference its compilers are tested against.
 * Not thread-safe: one runner per thread.
 */
public final class ProgramRunner {
    private final Program program;
    private final Backend backend;
    private final Object[] arrays;

    public ProgramRunner(Program program, Backend backend) {
        if (program == null || backend == null) {
            throw new IllegalArgumentException("program, backend: expected non-null arguments");
        }
        this.program = program;
        this.backend = backend;
        this.arrays = new Object[program.buffers().size()];
        for (Program.Buffer b : program.buffers()) {
            switch (b.role) {
                case CONSTANT:
                    arrays[b.id] = b.isInt ? b.intValue() : b.floatValue();
                    break;
                default:
                    arrays[b.id] = b.isInt ? new int[b.length] : new float[b.length];
                    break;
            }
        }
    }

    public Program program() {
        return program;
    }

    /**
     * Runs the program on {@code inputs} (every input name, with its traced shape). The returned
     * tensors share the runner's buffers: they are valid until the next run.
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        for (Map.Entry<String, Integer> e : program.inputs().entrySet()) {
            Tensor t = inputs == null ? null : inputs.get(e.getKey());
            Shape expected = program.inputShapes().get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("inputs: expected '" + e.getKey() + "' of shape " + expected + ", missing");
            }
            t.requireShape(e.getKey(), expected);
            float[] buffer = t.bufferOrNull();
            if (buffer == null) {
                buffer = t.toArray();
            }
            arrays[e.getValue()] = buffer;
        }
        for (Program.Instruction in : program.instructions()) {
            in.callOn(backend, arrays);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : program.outputs().entrySet()) {
            out.put(e.getKey(), Tensor.fromBuffer((float[]) arrays[e.getValue()],
                program.outputShapes().get(e.getKey()).dims()));
        }
        return out;
    }
}
