package org.tornagrad.compiler;

/**
 * Per-member scratch of a compiled program, allocated once: the tile-sized blocks its fused
 * kernels keep values in, scratch blocks for the multi-step functions of {@link BlockMath}, an
 * int block for multi-indices of strided views, and the lanes of a lane sum.
 */
final class Scratch {
    private final TileOp.Tile[] tiles;

    Scratch(int members, int slotCount, int tileSize, int maxRank) {
        tiles = new TileOp.Tile[members];
        for (int m = 0; m < members; m++) {
            TileOp.Tile t = new TileOp.Tile();
            t.slots = new float[slotCount][tileSize];
            t.s1 = new float[tileSize];
            t.s2 = new float[tileSize];
            t.index = new int[Math.max(1, maxRank)];
            t.lanes = new double[8];
            t.sums = new double[8 * CodeGenerator.MAX_SUMS];
            t.runs = new float[8 * CodeGenerator.MAX_SUMS];
            tiles[m] = t;
        }
    }

    /** Member {@code member}'s tile context (its slots and scratch). */
    TileOp.Tile tile(int member) {
        return tiles[member];
    }
}
