package org.tornagrad.compiler;

/**
 * A run of a fused kernel's tile ops compiled into one loop ({@link LoopSource} writes its Java
 * source, {@link LoopClasses} compiles it): the loop keeps the run's values in vector registers and
 * writes only what later ops or the program's buffers need. The generated class reads everything
 * that varies between programs (slots, buffer ids, offsets, scalars) from {@link #ints} and
 * {@link #floats}, so one class serves every run of the same shape.
 */
abstract class GeneratedLoop extends TileOp {
    /** Slot numbers, buffer ids and offsets, in the order the source reads them. */
    final int[] ints;
    /** The ops' scalar operands, in the order the source reads them. */
    final float[] floats;
    /** The Java source this loop was compiled from (for listings). */
    final String source;
    /** The interpreter ops this loop replaces, one line (for listings). */
    final String summary;

    GeneratedLoop(int[] ints, float[] floats, String source, String summary) {
        super(new int[0], -1);
        this.ints = ints;
        this.floats = floats;
        this.source = source;
        this.summary = summary;
    }

    @Override
    String name() {
        return "generated loop {" + summary + "}";
    }
}
