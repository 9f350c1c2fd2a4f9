package org.tornagrad.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The multi-core plain-Java backend: the reference loops run over fixed chunks on a fork-join
 * pool. Chunk boundaries depend only on the problem size, never on the number of threads, and
 * sums combine their blocks in block order, so results are bit-identical to {@link ReferenceBackend}
 * for any pool size.
 */
public final class ParallelBackend implements Backend {
    public static final String NAME = "parallel";
    /** System property giving the number of threads (default: available processors). */
    public static final String THREADS_PROPERTY = "tornagrad.threads";
    /**
     * The most threads {@value #THREADS_PROPERTY} may ask for: several times the hardware threads
     * of today's largest servers, yet low enough that a typo (100000) is refused instead of
     * starting that many OS threads (the compiled backend's team starts all of its threads at once,
     * and a fork-join pool refuses more than 32767).
     */
    public static final int MAX_THREADS = 1024;
    /** Elements per task for elementwise loops; below two chunks the loop runs inline. */
    static final int CHUNK = 1 << 15;
    /** The fewest columns per task of a scattered add: 16 floats, one 64-byte cache line. */
    static final int ADD_COLUMNS = 16;

    private final ForkJoinPool pool;

    /** The instance {@link java.util.ServiceLoader} creates: threads from {@value #THREADS_PROPERTY}. */
    public ParallelBackend() {
        this(configuredThreads());
    }

    /**
     * The number of threads {@value #THREADS_PROPERTY} asks for, else the available processors; an
     * IllegalArgumentException for anything but an integer in [1, {@value #MAX_THREADS}]. The one
     * parser of the property, so the parallel and compiled backends agree on what it means
     * (Integer.getInteger ignored "abc" silently).
     */
    public static int configuredThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null) {
            return Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors());
        }
        int threads;
        try {
            threads = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            threads = 0;
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": expected an integer in [1, " + MAX_THREADS
                + "], got '" + value + "'");
        }
        return threads;
    }

    public ParallelBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected >= 1, got " + threads);
        }
        this.pool = new ForkJoinPool(threads);
    }

    public int threads() {
        return pool.getParallelism();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "multi-core plain Java, " + threads() + " threads, same bits as java";
    }

    /** Runs body(t) for t in [0, tasks), in parallel when there is more than one task. */
    private void forEachTask(int tasks, IntConsumer body) {
        if (tasks <= 1 || pool.getParallelism() == 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(body)).join();
    }

    /** Splits [0, n) into chunks of {@code chunk} and runs range(from, to) for each. */
    private void forChunks(int n, int chunk, RangeBody range) {
        int tasks = (n + chunk - 1) / chunk;
        forEachTask(tasks, t -> range.run(t * chunk, Math.min(n, (t + 1) * chunk)));
    }

    private interface RangeBody {
        void run(int from, int to);
    }

    /** Rows per task so that each task touches about {@link #CHUNK} elements. */
    private static int rowsPerTask(int rowLength) {
        return Math.max(1, CHUNK / Math.max(1, rowLength));
    }

    @Override
    public void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
        forChunks(n, CHUNK, (from, to) -> JavaLoops.unary(op, a, b, x, xOffset, out, from, to));
    }

    @Override
    public void binary(int op, int[] shape, float[] x, int xOffset, int[] xStrides,
                       float[] y, int yOffset, int[] yStrides, float[] out) {
        forChunks(out.length, CHUNK, (from, to) ->
            JavaLoops.binary(op, shape, x, xOffset, xStrides, y, yOffset, yStrides, out, from, to));
    }

    @Override
    public void copy(int[] shape, float[] src, int offset, int[] strides, float[] out) {
        forChunks(out.length, CHUNK, (from, to) -> JavaLoops.copy(shape, src, offset, strides, out, from, to));
    }

    @Override
    public void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides) {
        // A view never maps two positions to one element, so chunks write disjoint elements.
        forChunks(src.length, CHUNK, (from, to) -> JavaLoops.scatter(shape, src, dst, dstOffset, dstStrides, from, to));
    }

    @Override
    public void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out) {
        forChunks(rows, rowsPerTask(cols), (from, to) -> JavaLoops.maxRowsBackward(g, index, cols, out, from, to));
    }

    @Override
    public void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out) {
        forChunks(n, rowsPerTask(rowLength), (from, to) -> JavaLoops.gatherRows(src, rowLength, index, out, from, to));
    }

    @Override
    public void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows) {
        // Zero the whole output in contiguous chunks, then add in blocks of whole-cache-line
        // columns: every element still adds its rows in increasing index order, as java does.
        // (Zeroing column by column strode through all rows once per column.)
        forChunks(rows * rowLength, CHUNK, (from, to) -> java.util.Arrays.fill(out, from, to, 0f));
        int columnsPerTask = Math.max(ADD_COLUMNS, CHUNK / Math.max(1, n));
        forChunks(rowLength, columnsPerTask, (from, to) -> JavaLoops.addRows(g, rowLength, index, n, out, from, to));
    }

    @Override
    public void sumRows(float[] x, int rows, int cols, float[] out) {
        if (rows >= 2 * pool.getParallelism() || cols <= Reduction.BLOCK) {
            forChunks(rows, rowsPerTask(cols), (from, to) -> JavaLoops.sumRows(x, cols, out, from, to));
            return;
        }
        // Few long rows: sum the blocks in parallel, then add them in block order, as rowSum does.
        int blocks = Reduction.blocks(cols);
        double[] partial = new double[rows * blocks];
        forEachTask(rows * blocks, t -> {
            int r = t / blocks;
            int from = (t % blocks) * Reduction.BLOCK;
            partial[t] = Reduction.blockSum(x, r * cols, from, Math.min(cols, from + Reduction.BLOCK));
        });
        for (int r = 0; r < rows; r++) {
            double total = 0.0;
            for (int b = 0; b < blocks; b++) {
                total += partial[r * blocks + b];
            }
            out[r] = (float) total;
        }
    }

    @Override
    public void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex) {
        forChunks(rows, rowsPerTask(cols), (from, to) -> JavaLoops.maxRows(x, cols, outMax, outIndex, from, to));
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int kernel, int stride, int padding,
                          float[] out, int[] argmax) {
        forChunks(planes, rowsPerTask(h * w), (from, to) ->
            JavaLoops.maxPool2d(x, h, w, kernel, stride, padding, out, argmax, from, to));
    }

    @Override
    public void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW,
                                  float[] gradIn) {
        forChunks(planes, rowsPerTask(h * w), (from, to) ->
            JavaLoops.maxPool2dBackward(g, argmax, h, w, outH, outW, gradIn, from, to));
    }

    @Override
    public void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n) {
        // An output row costs k * n multiply-adds.
        int rowsPerTask = (int) Math.max(1, CHUNK / Math.max(1L, (long) k * n));
        forChunks(batch * m, rowsPerTask, (from, to) -> JavaLoops.matmul(a, b, out, m, k, n, from, to));
    }
}
