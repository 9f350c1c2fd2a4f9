package org.tornagrad.compiler;

import org.tornagrad.autograd.trace.Program;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.Pooling;
import org.tornagrad.kernels.Reduction;

/**
 * The steps that are not elementwise (pooling, row gathers and scatters, arg-max, matrix
 * products, slice assembly): each the loop of the reference backend, split into fixed chunks of
 * rows or planes for the worker team and written without allocation. Every element is written
 * by one chunk with the reference's arithmetic in the reference's order, so results are the
 * java backend's bits for any number of threads.
 */
final class Barriers {
    /** Elements per chunk: large enough to amortise a hand-off, small enough to balance two cores. */
    static final int CHUNK = 1 << 15;

    private Barriers() {
    }

    /**
     * The step for barrier {@code in}; kernels without a specialised loop run on {@code fallback}.
     * {@code argmaxRead} says whether anything reads a pooling's argmax (a pooling of a constant,
     * such as a target's boundary, has no backward to route).
     */
    static Step of(Program.Instruction in, WorkerTeam team, Backend fallback, boolean argmaxRead) {
        if (in instanceof Program.MaxPool2d p) {
            return new MaxPool(p, team, argmaxRead);
        } else if (in instanceof Program.MaxPool2dBackward p) {
            return new MaxPoolBackward(p, team);
        } else if (in instanceof Program.GatherRows g) {
            return new GatherRows(g, team);
        } else if (in instanceof Program.ScatterAddRows s) {
            return new ScatterAddRows(s, team);
        } else if (in instanceof Program.MaxRows m) {
            return new MaxRows(m, team);
        } else if (in instanceof Program.MaxRowsBackward m) {
            return new MaxRowsBackward(m, team);
        } else if (in instanceof Program.Scatter s) {
            return new Scatter(s);
        } else if (in instanceof Program.Matmul m) {
            return new Matmul(m, team);
        }
        return new OnBackend(in, fallback);
    }

    private static int chunksOf(int units, int unitsPerChunk) {
        return (units + unitsPerChunk - 1) / unitsPerChunk;
    }

    private static int perChunk(int unitSize) {
        return Math.max(1, CHUNK / Math.max(1, unitSize));
    }

    /** A step parallel over units (rows, planes) in fixed chunks. */
    private abstract static class Chunked implements Step, WorkerTeam.Task {
        final WorkerTeam team;
        final int units;
        final int unitsPerChunk;
        Object[] buffers;

        Chunked(WorkerTeam team, int units, int unitSize) {
            this.team = team;
            this.units = units;
            this.unitsPerChunk = perChunk(unitSize);
        }

        @Override
        public void run(Object[] buffers) {
            this.buffers = buffers;
            before();
            int chunks = chunksOf(units, unitsPerChunk);
            if (chunks == 1) {
                run(0, 0);
            } else {
                team.run(this, chunks);
            }
            after();
            this.buffers = null;
        }

        void before() {
        }

        void after() {
        }

        @Override
        public void run(int chunk, int member) {
            int from = chunk * unitsPerChunk;
            range(from, Math.min(units, from + unitsPerChunk), member);
        }

        /** Units [from, to), run by team member {@code member}. */
        abstract void range(int from, int to, int member);
    }

    static final class MaxPool extends Chunked {
        private final int x;
        private final int out;
        private final int argmax;
        private final int h;
        private final int w;
        private final int kernel;
        private final int stride;
        private final int padding;
        private final int outH;
        private final int outW;
        /** Whether the argmax is written: when nothing reads it, stride-1 pooling keeps values only. */
        private final boolean withArgmax;
        /** Per member: the row pass's maxima and their columns (the separable pooling's middle). */
        private final float[][] rowMax;
        private final int[][] rowArg;

        MaxPool(Program.MaxPool2d in, WorkerTeam team, boolean withArgmax) {
            super(team, in.planes(), in.h() * in.w() * in.kernel() * in.kernel());
            x = in.x();
            out = in.out();
            argmax = in.argmax();
            h = in.h();
            w = in.w();
            kernel = in.kernel();
            stride = in.stride();
            padding = in.padding();
            this.withArgmax = withArgmax;
            outH = Pooling.outputSize(h, kernel, stride, padding);
            outW = Pooling.outputSize(w, kernel, stride, padding);
            rowMax = new float[team.size()][stride == 1 ? h * outW : 0];
            rowArg = new int[team.size()][stride == 1 ? h * outW : 0];
        }

        @Override
        void range(int from, int to, int member) {
            float[] xs = (float[]) buffers[x];
            float[] os = (float[]) buffers[out];
            int[] am = (int[]) buffers[argmax];
            for (int p = from; p < to; p++) {
                if (stride == 1) {
                    separable(xs, p * h * w, os, withArgmax ? am : null, p * outH * outW, rowMax[member],
                        withArgmax ? rowArg[member] : null);
                    continue;
                }
                int inOffset = p * h * w;
                int outOffset = p * outH * outW;
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        int idx = Pooling.windowArgMax(xs, inOffset, h, w, oy, ox, kernel, stride, padding);
                        am[outOffset + oy * outW + ox] = idx;
                        os[outOffset + oy * outW + ox] = xs[inOffset + idx];
                    }
                }
            }
        }

        /**
         * One plane with stride 1, in two passes of k comparisons (not k^2): each row's window
         * maxima first, then the maxima of those down each column. Same winner as
         * {@link Pooling#windowArgMax}: the first maximum in row-major order is the leftmost in the
         * topmost row that holds it (each pass keeps its first maximum), and the last NaN in
         * row-major order is the last NaN of the last row holding one (each pass lets a NaN take
         * over); padding is left out of the windows, so it never wins. With {@code am} and
         * {@code ra} null, values only: the same comparisons (so the same winner's value, -0
         * against +0 included) without tracking indices, about half the work.
         */
        private void separable(float[] xs, int in, float[] os, int[] am, int outOffset, float[] rm, int[] ra) {
            boolean indices = am != null;
            // Outputs whose windows lie inside the row: [padding, w - kernel + padding].
            int innerFrom = Math.min(padding, outW);
            int innerTo = Math.max(innerFrom, Math.min(outW, w - kernel + padding + 1));
            for (int y = 0; y < h; y++) {
                int row = in + y * w;
                int at = y * outW;
                int ox = !BlockMath.VECTOR ? innerFrom : indices
                    ? VectorMath.rowWindowMax(xs, row, innerFrom, innerTo, kernel, padding, rm, ra, at)
                    : VectorMath.rowWindowMaxValues(xs, row, innerFrom, innerTo, kernel, padding, rm, at);
                rowWindows(xs, row, 0, innerFrom, rm, ra, at);
                rowWindows(xs, row, ox, outW, rm, ra, at);
            }
            for (int oy = 0; oy < outH; oy++) {
                int r0 = Math.max(oy - padding, 0);
                int r1 = Math.min(oy - padding + kernel, h);
                int o = outOffset + oy * outW;
                int ox = !BlockMath.VECTOR ? 0 : indices
                    ? VectorMath.columnWindowMax(rm, ra, outW, w, r0, r1, 0, outW, os, am, o)
                    : VectorMath.columnWindowMaxValues(rm, outW, r0, r1, 0, outW, os, o);
                for (; ox < outW; ox++) {
                    int bestRow = r0;
                    float bestValue = rm[r0 * outW + ox];
                    for (int r = r0 + 1; r < r1; r++) {
                        float v = rm[r * outW + ox];
                        if (v > bestValue || v != v) {
                            bestRow = r;
                            bestValue = v;
                        }
                    }
                    if (indices) {
                        am[o + ox] = bestRow * w + ra[bestRow * outW + ox];
                    }
                    os[o + ox] = bestValue;
                }
            }
        }

        /** Row-pass outputs [from, to) of one row, element by element (borders, and without the vector module); ra may be null. */
        private void rowWindows(float[] xs, int row, int from, int to, float[] rm, int[] ra, int at) {
            for (int ox = from; ox < to; ox++) {
                int c0 = Math.max(ox - padding, 0);
                int c1 = Math.min(ox - padding + kernel, w);
                int best = c0;
                float bestValue = xs[row + c0];
                for (int c = c0 + 1; c < c1; c++) {
                    float v = xs[row + c];
                    if (v > bestValue || v != v) {
                        best = c;
                        bestValue = v;
                    }
                }
                rm[at + ox] = bestValue;
                if (ra != null) {
                    ra[at + ox] = best;
                }
            }
        }

        @Override
        public String describe() {
            return "max_pool2d(%" + x + ") -> %" + out + ", %" + argmax + " k=" + kernel;
        }
    }

    static final class MaxPoolBackward extends Chunked {
        private final int g;
        private final int argmax;
        private final int gradIn;
        private final int h;
        private final int w;
        private final int outH;
        private final int outW;

        MaxPoolBackward(Program.MaxPool2dBackward in, WorkerTeam team) {
            super(team, in.planes(), in.h() * in.w());
            g = in.g();
            argmax = in.argmax();
            gradIn = in.gradIn();
            h = in.h();
            w = in.w();
            outH = in.outH();
            outW = in.outW();
        }

        @Override
        void range(int from, int to, int member) {
            float[] gs = (float[]) buffers[g];
            int[] am = (int[]) buffers[argmax];
            float[] gi = (float[]) buffers[gradIn];
            for (int p = from; p < to; p++) {
                int inOffset = p * h * w;
                int outOffset = p * outH * outW;
                java.util.Arrays.fill(gi, inOffset, inOffset + h * w, 0f);
                for (int o = 0; o < outH * outW; o++) {
                    gi[inOffset + am[outOffset + o]] += gs[outOffset + o];
                }
            }
        }

        @Override
        public String describe() {
            return "max_pool2d_backward(%" + g + ", %" + argmax + ") -> %" + gradIn;
        }
    }

    static final class GatherRows extends Chunked {
        private final int src;
        private final int index;
        private final int out;
        private final int rowLength;

        GatherRows(Program.GatherRows in, WorkerTeam team) {
            super(team, in.n(), in.rowLength());
            src = in.src();
            index = in.index();
            out = in.out();
            rowLength = in.rowLength();
        }

        @Override
        void range(int from, int to, int member) {
            float[] s = (float[]) buffers[src];
            float[] idx = (float[]) buffers[index];
            float[] o = (float[]) buffers[out];
            for (int i = from; i < to; i++) {
                System.arraycopy(s, (int) idx[i] * rowLength, o, i * rowLength, rowLength);
            }
        }

        @Override
        public String describe() {
            return "gather_rows(%" + src + ", %" + index + ") -> %" + out;
        }
    }

    /**
     * Zeroes the (rows, rowLength) output in parallel row chunks (it is usually large and mostly
     * zero), then adds the n gathered rows back in index order, so repeated indices add up in the
     * same order on every backend.
     */
    static final class ScatterAddRows extends Chunked {
        private final int g;
        private final int index;
        private final int out;
        private final int rowLength;
        private final int n;

        ScatterAddRows(Program.ScatterAddRows in, WorkerTeam team) {
            super(team, in.rows(), in.rowLength());
            g = in.g();
            index = in.index();
            out = in.out();
            rowLength = in.rowLength();
            n = in.n();
        }

        @Override
        void range(int from, int to, int member) {
            java.util.Arrays.fill((float[]) buffers[out], from * rowLength, to * rowLength, 0f);
        }

        @Override
        void after() {
            float[] gs = (float[]) buffers[g];
            float[] idx = (float[]) buffers[index];
            float[] o = (float[]) buffers[out];
            for (int i = 0; i < n; i++) {
                int to = (int) idx[i] * rowLength;
                int from = i * rowLength;
                for (int j = 0; j < rowLength; j++) {
                    o[to + j] += gs[from + j];
                }
            }
        }

        @Override
        public String describe() {
            return "scatter_add_rows(%" + g + ", %" + index + ") -> %" + out;
        }
    }

    static final class MaxRows extends Chunked {
        private final int x;
        private final int outMax;
        private final int outIndex;
        private final int cols;

        MaxRows(Program.MaxRows in, WorkerTeam team) {
            super(team, in.rows(), in.cols());
            x = in.x();
            outMax = in.outMax();
            outIndex = in.outIndex();
            cols = in.cols();
        }

        @Override
        void range(int from, int to, int member) {
            float[] xs = (float[]) buffers[x];
            float[] m = (float[]) buffers[outMax];
            int[] ix = (int[]) buffers[outIndex];
            for (int r = from; r < to; r++) {
                int j = Reduction.rowArgMax(xs, r * cols, cols);
                ix[r] = j;
                m[r] = xs[r * cols + j];
            }
        }

        @Override
        public String describe() {
            return "max_rows(%" + x + ") -> %" + outMax + ", %" + outIndex;
        }
    }

    static final class MaxRowsBackward extends Chunked {
        private final int g;
        private final int index;
        private final int out;
        private final int cols;

        MaxRowsBackward(Program.MaxRowsBackward in, WorkerTeam team) {
            super(team, in.rows(), in.cols());
            g = in.g();
            index = in.index();
            out = in.out();
            cols = in.cols();
        }

        @Override
        void range(int from, int to, int member) {
            float[] gs = (float[]) buffers[g];
            int[] ix = (int[]) buffers[index];
            float[] o = (float[]) buffers[out];
            for (int r = from; r < to; r++) {
                java.util.Arrays.fill(o, r * cols, (r + 1) * cols, 0f);
                o[r * cols + ix[r]] = gs[r];
            }
        }

        @Override
        public String describe() {
            return "max_rows_backward(%" + g + ", %" + index + ") -> %" + out;
        }
    }

    static final class Matmul extends Chunked {
        private final int a;
        private final int b;
        private final int out;
        private final int m;
        private final int k;
        private final int n;

        Matmul(Program.Matmul in, WorkerTeam team) {
            super(team, in.batch() * in.m(), in.k() * in.n());
            a = in.a();
            b = in.b();
            out = in.out();
            m = in.m();
            k = in.k();
            n = in.n();
        }

        @Override
        void range(int from, int to, int member) {
            float[] as = (float[]) buffers[a];
            float[] bs = (float[]) buffers[b];
            float[] os = (float[]) buffers[out];
            // The reference's i-k-j order, accumulated in float: the same bits.
            for (int row = from; row < to; row++) {
                int batch = row / m;
                int aOffset = row * k;
                int bOffset = batch * k * n;
                int outOffset = row * n;
                java.util.Arrays.fill(os, outOffset, outOffset + n, 0f);
                for (int kk = 0; kk < k; kk++) {
                    float av = as[aOffset + kk];
                    int bRow = bOffset + kk * n;
                    for (int j = 0; j < n; j++) {
                        os[outOffset + j] += av * bs[bRow + j];
                    }
                }
            }
        }

        @Override
        public String describe() {
            return "matmul(%" + a + ", %" + b + ") -> %" + out;
        }
    }

    /** Writes src into a strided view of dst (slice assembly); views never overlap themselves. */
    static final class Scatter implements Step {
        private final int src;
        private final int dst;
        private final StridedView view;
        private final int[] index;

        Scatter(Program.Scatter in) {
            src = in.src();
            dst = in.dst();
            view = new StridedView(in.shape(), in.dstStrides(), in.dstOffset());
            index = new int[Math.max(1, view.rank())];
        }

        @Override
        public void run(Object[] buffers) {
            view.scatter((float[]) buffers[src], 0, 0, view.size, (float[]) buffers[dst], index);
        }

        @Override
        public String describe() {
            return "scatter(%" + src + ") -> %" + dst;
        }
    }

    /** Any other kernel, called on a backend as {@link org.tornagrad.autograd.trace.ProgramRunner} does. */
    static final class OnBackend implements Step {
        private final Program.Instruction in;
        private final Backend backend;

        OnBackend(Program.Instruction in, Backend backend) {
            this.in = in;
            this.backend = backend;
        }

        @Override
        public void run(Object[] b) {
            in.callOn(backend, b);
        }

        @Override
        public String describe() {
            return in + " (on " + backend.name() + ")";
        }
    }
}
