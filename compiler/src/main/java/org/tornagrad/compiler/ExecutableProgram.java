package org.tornagrad.compiler;

import java.util.Map;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.tensor.Tensor;

/** A {@link Program} compiled for a target by a {@link ProgramCompiler}, run again for each batch of its shapes. */
public interface ExecutableProgram extends AutoCloseable {
    Program program();

    /**
     * Runs the program on {@code inputs} (each input name, with its traced shape): {@code loss}
     * and {@code grad:NAME}, tensors that share the program's buffers, valid until the next run.
     */
    Map<String, Tensor> run(Map<String, Tensor> inputs);

    /**
     * The last run again, on the inputs it already holds, with no copy between host and device
     * and nothing read back: the target's compute time alone, for benchmarks.
     */
    void rerun();

    /** The compiled schedule, one step per line: what a learner reads. */
    String listing();

    /** The source the target generated for this program (Java loops, or device kernels), or why there is none. */
    String generatedSource();

    /** Frees what the program holds (device memory); nothing on the CPU. */
    @Override
    void close();
}
