package org.tornagrad.compiler;

/** One step of a compiled program: a fused kernel or one kernel call. */
interface Step {
    /** Runs the step over the program's current buffers. */
    void run(Object[] buffers);

    /** One line for the program's listing. */
    String describe();
}
