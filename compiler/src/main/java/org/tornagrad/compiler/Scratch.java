package org.tornagrad.compiler;

/**
 * Per-member scratch of a compiled program, allocated once: the tile-sized blocks its fused
 * kernels keep values in (plus {@link #EXTRA} for the multi-step functions of {@link BlockMath}),
 * and an int block for multi-indices of strided views.
 */
final class Scratch {
    static final int EXTRA = 3;

    private final float[][][] slots;
    private final int[][] index;

    Scratch(int members, int slotCount, int tileSize, int maxRank) {
        slots = new float[members][slotCount + EXTRA][tileSize];
        index = new int[members][Math.max(1, maxRank)];
    }

    float[][] slots(int member) {
        return slots[member];
    }

    int[] index(int member) {
        return index[member];
    }
}
