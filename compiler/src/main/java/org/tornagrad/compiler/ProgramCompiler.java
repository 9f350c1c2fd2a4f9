package org.tornagrad.compiler;

import org.tornagrad.autograd.trace.Program;

/**
 * Compiles a traced {@link Program} (a loss's forward and backward, static shapes) for one
 * target: the CPU's generated vector loops ({@link CpuProgramCompiler}, {@code compiled}) or a
 * device's task graph (the tornado module's, {@code tornado-compiled}). Both start from the same
 * fusion plan ({@link JavaProgramCompiler#plan}). Found by name through {@link ProgramCompilers}.
 */
public interface ProgramCompiler {
    /** The name users select it by ({@code --backend NAME}). */
    String name();

    /** One line for {@code tornagrad backends}: what it runs on and how. */
    String description();

    /** {@code program} ready to run on any inputs of its shapes. */
    ExecutableProgram compile(Program program);
}
