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
        float[][] slots = scratch.slots(member);
        int[] index = scratch.index(member);
        int tiles = tileStart.length - 1;
        int from = chunk * chunkTiles;
        int to = Math.min(tiles, from + chunkTiles);
        for (int t = from; t < to; t++) {
            tile(t, tileStart[t], tileStart[t + 1] - tileStart[t], slots, index);
        }
    }

    private void tile(int t, int s, int len, float[][] slots, int[] index) {
        int base = slots.length - Scratch.EXTRA;
        float[] s1 = slots[base];
        float[] s2 = slots[base + 1];
        float[] s3 = slots[base + 2];
        for (TileOp op : ops) {
            int[] in = op.in;
            float[] o = op.out >= 0 ? slots[op.out] : null;
            switch (op.code) {
                case UNARY:
                    TileLoops.unary(op.op, op.a, op.b, slots[in[0]], o, len, s1, s2, s3);
                    break;
                case UNARY_BACKWARD:
                    TileLoops.unaryBackward(op.op, op.a, op.b, slots[in[0]], slots[in[1]], slots[in[2]], o, len);
                    break;
                case BINARY:
                    TileLoops.binary(op.op, slots[in[0]], slots[in[1]], o, len, s1, s2, s3);
                    break;
                case BINARY_GRAD:
                    TileLoops.binaryGrad(op.op, op.left, slots[in[0]], slots[in[1]], slots[in[2]], slots[in[3]], o, len,
                        s1, s2, s3);
                    break;
                case LOAD:
                    System.arraycopy((float[]) buffers[op.buffer], op.offset + s, o, 0, len);
                    break;
                case STORE:
                    System.arraycopy(slots[in[0]], 0, (float[]) buffers[op.buffer], s, len);
                    break;
                case FILL:
                    java.util.Arrays.fill(o, 0, len, ((float[]) buffers[op.buffer])[op.offset]);
                    break;
                case GATHER:
                    op.view.gather((float[]) buffers[op.buffer], s, len, o, 0, index);
                    break;
                case SUM_PARTIAL:
                    sinks[op.sink].partials[t] = BlockMath.laneSum(slots[in[0]], len);
                    break;
                case SUM_ROWS: {
                    Sink sink = sinks[op.sink];
                    float[] xs = slots[in[0]];
                    float[] target = (float[]) buffers[sink.out];
                    int cols = sink.cols;
                    for (int r = s / cols, at = 0; at < len; r++, at += cols) {
                        target[r] = (float) TileLoops.sequentialSum(xs, at, cols);
                    }
                    break;
                }
                default:
                    throw new IllegalStateException("fused kernel: unknown tile op " + op.code);
            }
        }
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
