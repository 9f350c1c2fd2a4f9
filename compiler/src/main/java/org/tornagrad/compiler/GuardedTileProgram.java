package org.tornagrad.compiler;

/**
 * A fused kernel's tile program with generated loops, and the interpreter's ops as a fallback
 * for the whole tile. A generated loop computes exp, log and sigmoid on their fast path only; when
 * it meets a value outside the fast range it sets {@link TileOp.Tile#outOfRange} and stops, and the
 * tile is redone by the interpreter's ops, which choose the fast or the exact scalar path per tile
 * exactly as before. Both paths thus give the same bits. Redoing a tile is safe: the interpreter
 * reads only the program's buffers (which this kernel does not write: checked when built) and
 * its own scratch, and every write it makes (stores, sums) overwrites the generated loops' writes.
 */
final class GuardedTileProgram extends TileOp {
    final TileOp[] fast;
    final TileOp[] interpreted;

    GuardedTileProgram(TileOp[] fast, TileOp[] interpreted) {
        super(new int[0], -1);
        this.fast = fast;
        this.interpreted = interpreted;
    }

    @Override
    void run(Tile t) {
        t.outOfRange = false;
        for (TileOp op : fast) {
            op.run(t);
            if (t.outOfRange) {
                t.outOfRange = false;
                for (TileOp o : interpreted) {
                    o.run(t);
                }
                return;
            }
        }
    }

    @Override
    String name() {
        return "tile program";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fast.length; i++) {
            sb.append(i == 0 ? "" : "\n      ").append(fast[i]);
        }
        return sb.toString();
    }
}
