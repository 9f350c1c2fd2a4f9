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
            execute(in);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : program.outputs().entrySet()) {
            out.put(e.getKey(), Tensor.fromBuffer((float[]) arrays[e.getValue()],
                program.outputShapes().get(e.getKey()).dims()));
        }
        return out;
    }

    private float[] f(Program.Instruction in, int slot) {
        return (float[]) arrays[in.buffer(slot)];
    }

    private int[] i(Program.Instruction in, int slot) {
        return (int[]) arrays[in.buffer(slot)];
    }

    private void execute(Program.Instruction in) {
        switch (in.kernel) {
            case UNARY:
                backend.unary(in.ints(0), in.floats(0), in.floats(1), f(in, 0), in.ints(1), f(in, 1), in.ints(2));
                break;
            case UNARY_BACKWARD:
                backend.unaryBackward(in.ints(0), in.floats(0), in.floats(1), f(in, 0), f(in, 1), f(in, 2), f(in, 3), in.ints(1));
                break;
            case BINARY:
                backend.binary(in.ints(0), in.shape(), f(in, 0), in.ints(1), in.strides(), f(in, 1), in.ints(2),
                    in.strides2(), f(in, 2));
                break;
            case BINARY_GRAD:
                backend.binaryGrad(in.ints(0), in.ints(1) == 1, in.shape(), f(in, 0), in.ints(2), in.strides(), f(in, 1),
                    in.ints(3), in.strides2(), f(in, 2), f(in, 3), f(in, 4));
                break;
            case COPY:
                backend.copy(in.shape(), f(in, 0), in.ints(0), in.strides(), f(in, 1));
                break;
            case SCATTER:
                backend.scatter(in.shape(), f(in, 0), f(in, 1), in.ints(0), in.strides());
                break;
            case SUM_ROWS:
                backend.sumRows(f(in, 0), in.ints(0), in.ints(1), f(in, 1));
                break;
            case MAX_ROWS:
                backend.maxRows(f(in, 0), in.ints(0), in.ints(1), f(in, 1), i(in, 2));
                break;
            case MAX_ROWS_BACKWARD:
                backend.maxRowsBackward(f(in, 0), i(in, 1), in.ints(0), in.ints(1), f(in, 2));
                break;
            case GATHER_ROWS:
                backend.gatherRows(f(in, 0), in.ints(0), f(in, 1), in.ints(1), f(in, 2));
                break;
            case SCATTER_ADD_ROWS:
                backend.scatterAddRows(f(in, 0), in.ints(0), f(in, 1), in.ints(1), f(in, 2), in.ints(2));
                break;
            case MAX_POOL2D:
                backend.maxPool2d(f(in, 0), in.ints(0), in.ints(1), in.ints(2), in.ints(3), in.ints(4), in.ints(5),
                    f(in, 1), i(in, 2));
                break;
            case MAX_POOL2D_BACKWARD:
                backend.maxPool2dBackward(f(in, 0), i(in, 1), in.ints(0), in.ints(1), in.ints(2), in.ints(3), in.ints(4),
                    f(in, 2));
                break;
            case MATMUL:
                backend.matmul(f(in, 0), f(in, 1), f(in, 2), in.ints(0), in.ints(1), in.ints(2), in.ints(3));
                break;
            default:
                throw new IllegalStateException("program: unknown kernel " + in.kernel);
        }
    }
}
