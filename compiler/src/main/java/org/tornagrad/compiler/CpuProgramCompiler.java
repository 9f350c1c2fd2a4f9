package org.tornagrad.compiler;

import org.tornagrad.autograd.trace.Program;

/**
 * The {@code compiled} path: programs fused by {@link JavaProgramCompiler} into generated vector
 * loops, run on a {@link WorkerTeam} (the process-wide one by default).
 */
public final class CpuProgramCompiler implements ProgramCompiler {
    public static final String NAME = "compiled";

    private final WorkerTeam team;

    /** On the process-wide worker team ({@code -Dtornagrad.threads}). */
    public CpuProgramCompiler() {
        this(null);
    }

    /** On {@code team} (null: the process-wide one, started at the first compilation). */
    public CpuProgramCompiler(WorkerTeam team) {
        this.team = team;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        String noLoops = CodeGenerator.disabledReason();
        return "traced and fused: a loss runs as one compiled program per shape, " + team().size() + " threads"
            + (noLoops == null ? ", vector API, generated loops"
            : (BlockMath.VECTOR ? ", vector API" : "") + "; no generated loops (slower): " + noLoops);
    }

    @Override
    public ExecutableProgram compile(Program program) {
        return JavaProgramCompiler.compile(program, team());
    }

    private WorkerTeam team() {
        return team != null ? team : WorkerTeam.shared();
    }
}
