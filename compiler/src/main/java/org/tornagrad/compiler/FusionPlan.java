package org.tornagrad.compiler;

import java.util.Collections;
import java.util.List;
import org.tornagrad.autograd.trace.Program;

/**
 * What {@link JavaProgramCompiler#plan} decided for a {@link Program}, free of any target: an
 * ordered list of fused passes and of the kernel calls that stay on their own. Each code
 * generator renders the same plan: the CPU one into vector loops ({@link JavaProgramCompiler}),
 * the device one into TornadoVM kernels ({@link DeviceSource}).
 */
public final class FusionPlan {
    /** One step of the plan. */
    public interface Step {
    }

    /**
     * One pass over the index space {@code [0, n)}: per element, the tile ops in order (loads,
     * formulas, stores), and the row sums taken from values as they pass. {@code tileStart}
     * cuts the space into tiles that hold whole short rows and never straddle a long row.
     */
    public static final class Pass implements Step {
        public final int n;
        final int[] tileStart;
        final List<TileOp> ops;
        final List<FusedKernel.Sink> sinks;
        /** The same work as separate calls, in program order: for a target that cannot take the fused form. */
        public final List<Program.Instruction> instructions;

        Pass(int n, int[] tileStart, List<TileOp> ops, List<FusedKernel.Sink> sinks,
             List<Program.Instruction> instructions) {
            this.n = n;
            this.tileStart = tileStart.clone();
            this.ops = List.copyOf(ops);
            this.sinks = List.copyOf(sinks);
            this.instructions = List.copyOf(instructions);
        }

        /** The number of tiles. */
        public int tiles() {
            return tileStart.length - 1;
        }

        /** The number of row sums this pass takes. */
        public int sums() {
            return sinks.size();
        }
    }

    /** A kernel call that no pass absorbs (a pooling, a gather, a matmul, a max over rows...). */
    public static final class Call implements Step {
        public final Program.Instruction instruction;
        /** Whether anything reads a max-pool's arg-max output. */
        public final boolean argmaxRead;

        Call(Program.Instruction instruction, boolean argmaxRead) {
            this.instruction = instruction;
            this.argmaxRead = argmaxRead;
        }
    }

    private final Program program;
    private final List<Step> steps;

    FusionPlan(Program program, List<Step> steps) {
        this.program = program;
        this.steps = Collections.unmodifiableList(List.copyOf(steps));
    }

    public Program program() {
        return program;
    }

    public List<Step> steps() {
        return steps;
    }

    /** One line per step: what a reader needs to see the schedule. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            if (s instanceof Pass) {
                Pass p = (Pass) s;
                sb.append("pass n=").append(p.n).append(" tiles=").append(p.tiles()).append(" sums=").append(p.sums())
                    .append(" {");
                for (int i = 0; i < p.ops.size(); i++) {
                    sb.append(i == 0 ? "" : "; ").append(p.ops.get(i));
                }
                sb.append("}\n");
            } else {
                sb.append("call ").append(((Call) s).instruction).append('\n');
            }
        }
        return sb.toString();
    }
}
