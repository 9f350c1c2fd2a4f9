package org.tornagrad.compiler;

/**
 * A chain of elementwise ops over one index space [0, n), evaluated tile by tile: each tile's
 * values stay in small per-thread scratch blocks (in L1/L2), only the kernel's materialized
 * results are written to memory, and row sums of any value are taken from the tile as it passes.
 * Tiles are grouped into fixed chunks handed to the worker team; each tile's partial sums land in
 * their own slot and are added in tile order afterwards, so results do not depend on the number
 * of threads or on which thread ran which chunk.
 */
final class FusedKernel implements Step, WorkerTeam.Task {
    /** A row sum the kernel takes: rows of {@code cols} elements into {@code out}. */
    static final class Sink {
        final int out;
        final int rows;
        final int cols;
        /** Rows longer than a tile: one partial sum per tile, combined after the tiles. */
        final boolean partial;
        final double[] partials;

        Sink(int out, int rows, int cols, boolean partial, int tiles) {
            this.out = out;
            this.rows = rows;
            this.cols = cols;
            this.partial = partial;
            this.partials = partial ? new double[tiles] : null;
        }
    }

    private final int n;
    private final int[] tileStart;
    private final TileOp[] ops;
    private final Sink[] sinks;
    private final int chunkTiles;
    private final int chunks;
    private final WorkerTeam team;
    private final Scratch scratch;
    private Object[] buffers;

    FusedKernel(int n, int[] tileStart, TileOp[] ops, Sink[] sinks, int chunkElements, WorkerTeam team,
                Scratch scratch) {
        this.n = n;
        this.tileStart = tileStart;
        this.ops = ops;
        this.sinks = sinks;
        int tiles = tileStart.length - 1;
        int tileSize = tiles == 0 ? 1 : Math.max(1, tileStart[1] - tileStart[0]);
        this.chunkTiles = Math.max(1, chunkElements / tileSize);
        this.chunks = (tiles + chunkTiles - 1) / chunkTiles;
        this.team = team;
        this.scratch = scratch;
    }

    @Override
    public void run(Object[] buffers) {
        this.buffers = buffers;
        if (chunks == 1) {
            run(0, 0);
        } else {
            team.run(this, chunks);
        }
        for (Sink s : sinks) {
            if (s.partial) {
                combine(s, (float[]) buffers[s.out]);
            }
        }
        this.buffers = null;
    }

    /** Adds each row's tile partials in tile order. */
    private void combine(Sink s, float[] out) {
        int tiles = tileStart.length - 1;
        int t = 0;
        for (int r = 0; r < s.rows; r++) {
            int end = (r + 1) * s.cols;
            double total = 0.0;
            while (t < tiles && tileStart[t] < end) {
                total += s.partials[t];
                t++;
            }
            out[r] = (float) total;
        }
    }

    @Override
    public void run(int chunk, int member) {
        TileOp.Tile t = scratch.tile(member);
        t.buffers = buffers;
        t.sinks = sinks;
        int tiles = tileStart.length - 1;
        int from = chunk * chunkTiles;
        int to = Math.min(tiles, from + chunkTiles);
        for (int k = from; k < to; k++) {
            t.tile = k;
            t.start = tileStart[k];
            t.length = tileStart[k + 1] - tileStart[k];
            for (TileOp op : ops) {
                op.run(t);
            }
        }
        t.buffers = null;
    }

    /** The Java sources of this kernel's generated loops, in tile order (none when it is interpreted). */
    java.util.List<String> generatedSources() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (TileOp op : ops) {
            TileOp[] inner = op instanceof GuardedTileProgram ? ((GuardedTileProgram) op).fast : new TileOp[] {op};
            for (TileOp o : inner) {
                if (o instanceof GeneratedLoop) {
                    out.add(((GeneratedLoop) o).source);
                }
            }
        }
        return out;
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("fused n=").append(n).append(" tiles=").append(tileStart.length - 1)
            .append(" chunks=").append(chunks).append(" {");
        for (TileOp op : ops) {
            sb.append("\n      ").append(op);
        }
        return sb.append("\n    }").toString();
    }
}
