package org.tornagrad.compiler;

import static org.tornagrad.compiler.BlockMath.EP0;
import static org.tornagrad.compiler.BlockMath.EP1;
import static org.tornagrad.compiler.BlockMath.EP2;
import static org.tornagrad.compiler.BlockMath.EP3;
import static org.tornagrad.compiler.BlockMath.EP4;
import static org.tornagrad.compiler.BlockMath.LN2_HI;
import static org.tornagrad.compiler.BlockMath.LN2_LO;
import static org.tornagrad.compiler.BlockMath.LOG2E;
import static org.tornagrad.compiler.BlockMath.LP0;
import static org.tornagrad.compiler.BlockMath.LP1;
import static org.tornagrad.compiler.BlockMath.LP2;
import static org.tornagrad.compiler.BlockMath.LP3;
import static org.tornagrad.compiler.BlockMath.LP4;
import static org.tornagrad.compiler.BlockMath.LP5;
import static org.tornagrad.compiler.BlockMath.LP6;
import static org.tornagrad.compiler.BlockMath.LP7;
import static org.tornagrad.compiler.BlockMath.LP8;
import static org.tornagrad.compiler.BlockMath.MAGIC;
import static org.tornagrad.compiler.BlockMath.MAGIC_BITS;
import static org.tornagrad.compiler.BlockMath.SQRT_HALF_BITS;
import static org.tornagrad.compiler.BlockMath.SQRT_HALF_OFFSET;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BlockMath}'s fast paths eight lanes at a time with the JDK's vector API: the same float
 * operations in the same order as the scalar formulas (no fused multiply-add), so the same bits.
 * HotSpot's C2 in JDK 17 does not auto-vectorize the float/int bit casts these need; the vector
 * API compiles them to AVX2 (a sigmoid drops from about 3 ns to under 1 ns an element). Only
 * loaded when {@link VectorSupport#available()}.
 */
final class VectorMath {
    /** 256-bit vectors: eight float lanes, matching the eight double lanes of {@link BlockMath#laneSum}. */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
    private static final int LANES = 8;
    /**
     * Lanes 4-7 moved to 0-3 (one permute), to widen the high half of a float vector: through a
     * store and an unaligned reload it stalled store-to-load forwarding, and convertShape's part 1
     * (a slice) is not always intrinsified on JDK 17 in generated loops, where it then allocates.
     */
    static final VectorShuffle<Float> HIGH_HALF = VectorShuffle.fromValues(F, 4, 5, 6, 7, 0, 1, 2, 3);

    private VectorMath() {
    }

    /** Runs each function once on values with a known scalar result (also forces class loading). */
    static boolean selfTest() {
        float[] x = new float[LANES + 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.25f * i;
        }
        float[] out = new float[x.length];
        exp(x, out, x.length);
        for (int i = 0; i < x.length; i++) {
            if (out[i] != BlockMath.expFast(x[i])) {
                return false;
            }
        }
        return laneSum(x, x.length, new double[LANES]) == 9.0 && allInExpRange(x, x.length);
    }

    static boolean allInExpRange(float[] x, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        VectorMask<Float> bad = F.maskAll(false);
        for (; i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            // |v| >= 87, or v != v (NaN).
            bad = bad.or(v.abs().compare(VectorOperators.GE, BlockMath.EXP_LIMIT)).or(v.compare(VectorOperators.NE, v));
        }
        if (bad.anyTrue()) {
            return false;
        }
        for (; i < n; i++) {
            if (!BlockMath.inExpRange(x[i])) {
                return false;
            }
        }
        return true;
    }

    static boolean allInLogRange(float[] x, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        VectorMask<Float> good = F.maskAll(true);
        for (; i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            good = good.and(v.compare(VectorOperators.GE, Float.MIN_NORMAL)).and(v.compare(VectorOperators.LE, Float.MAX_VALUE));
        }
        if (!good.allTrue()) {
            return false;
        }
        for (; i < n; i++) {
            if (!BlockMath.inLogRange(x[i])) {
                return false;
            }
        }
        return true;
    }

    private static FloatVector exp(FloatVector v) {
        FloatVector t = v.fma(LOG2E, MAGIC);
        FloatVector k = t.sub(MAGIC);
        FloatVector r = k.lanewise(VectorOperators.FMA, -LN2_HI, v);
        r = k.lanewise(VectorOperators.FMA, -LN2_LO, r);
        FloatVector p = r.fma(EP0, EP1);
        p = p.lanewise(VectorOperators.FMA, r, EP2);
        p = p.lanewise(VectorOperators.FMA, r, EP3);
        p = p.lanewise(VectorOperators.FMA, r, EP4);
        p = p.fma(r.mul(r), r).add(1f);
        // p * 2^k as BlockMath.expFast makes it: k added to p's exponent.
        IntVector k23 = ((IntVector) t.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23);
        return (FloatVector) ((IntVector) p.reinterpretAsInts()).add(k23).reinterpretAsFloats();
    }

    private static FloatVector log(FloatVector v) {
        IntVector b = ((IntVector) v.reinterpretAsInts()).add(SQRT_HALF_OFFSET);
        IntVector ebits = b.lanewise(VectorOperators.ASHR, 23).add(MAGIC_BITS - 127);
        FloatVector e = ((FloatVector) ebits.reinterpretAsFloats()).sub(MAGIC);
        FloatVector m = ((FloatVector) b.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats()).sub(1f);
        FloatVector z = m.mul(m);
        FloatVector y = m.fma(LP0, LP1);
        y = y.lanewise(VectorOperators.FMA, m, LP2);
        y = y.lanewise(VectorOperators.FMA, m, LP3);
        y = y.lanewise(VectorOperators.FMA, m, LP4);
        y = y.lanewise(VectorOperators.FMA, m, LP5);
        y = y.lanewise(VectorOperators.FMA, m, LP6);
        y = y.lanewise(VectorOperators.FMA, m, LP7);
        y = y.lanewise(VectorOperators.FMA, m, LP8);
        y = y.mul(m).mul(z);
        y = e.lanewise(VectorOperators.FMA, LN2_LO, y);
        y = z.lanewise(VectorOperators.FMA, -0.5f, y);
        return e.lanewise(VectorOperators.FMA, LN2_HI, m.add(y));
    }

    static void exp(float[] x, float[] out, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            exp(FloatVector.fromArray(F, x, i)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = BlockMath.expFast(x[i]);
        }
    }

    static void sigmoid(float[] x, float[] out, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector e = exp(FloatVector.fromArray(F, x, i).neg());
            // The constant is made inside the loop: a vector kept live across iterations is boxed by JDK 17's C2.
            FloatVector.broadcast(F, 1f).div(e.add(1f)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = 1f / (1f + BlockMath.expFast(-x[i]));
        }
    }

    static void log(float[] x, float[] out, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            log(FloatVector.fromArray(F, x, i)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = BlockMath.logFast(x[i]);
        }
    }

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    /**
     * Window maxima along one row, for the outputs ox in [from, to) whose windows lie wholly
     * inside the row ({@code x[row + ox - padding .. + kernel)}): eight outputs at a time,
     * keeping the first maximum (a later element wins only if greater) and letting a NaN take
     * over, as {@link org.tornagrad.kernels.Pooling#windowArgMax}. Returns the first ox not done.
     */
    static int rowWindowMax(float[] x, int row, int from, int to, int kernel, int padding, float[] rm, int[] ra, int at) {
        int ox = from;
        for (; ox + LANES <= to; ox += LANES) {
            int c = ox - padding;
            FloatVector best = FloatVector.fromArray(F, x, row + c);
            IntVector bestIdx = IntVector.broadcast(I, c).addIndex(1);
            for (int d = 1; d < kernel; d++) {
                FloatVector v = FloatVector.fromArray(F, x, row + c + d);
                VectorMask<Float> take = takesOver(v, best);
                best = best.blend(v, take);
                bestIdx = bestIdx.blend(IntVector.broadcast(I, c + d).addIndex(1), take.cast(I));
            }
            best.intoArray(rm, at + ox);
            bestIdx.intoArray(ra, at + ox);
        }
        return ox;
    }

    /**
     * The lanes where a pooling window's next value replaces the best so far: a greater value (so
     * the first maximum stays on ties) or a NaN (so the last NaN wins), as {@link
     * org.tornagrad.kernels.Pooling#windowArgMax} scans a window.
     */
    private static VectorMask<Float> takesOver(FloatVector v, FloatVector best) {
        return v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v));
    }

    /** {@link #rowWindowMax} without the argmax: the same comparisons, values only. */
    static int rowWindowMaxValues(float[] x, int row, int from, int to, int kernel, int padding, float[] rm, int at) {
        int ox = from;
        for (; ox + LANES <= to; ox += LANES) {
            int c = ox - padding;
            FloatVector best = FloatVector.fromArray(F, x, row + c);
            for (int d = 1; d < kernel; d++) {
                FloatVector v = FloatVector.fromArray(F, x, row + c + d);
                best = best.blend(v, takesOver(v, best));
            }
            best.intoArray(rm, at + ox);
        }
        return ox;
    }

    /** {@link #columnWindowMax} without the argmax. */
    static int columnWindowMaxValues(float[] rm, int outW, int r0, int r1, int from, int to, float[] out, int o) {
        int ox = from;
        for (; ox + LANES <= to; ox += LANES) {
            FloatVector best = FloatVector.fromArray(F, rm, r0 * outW + ox);
            for (int r = r0 + 1; r < r1; r++) {
                FloatVector v = FloatVector.fromArray(F, rm, r * outW + ox);
                best = best.blend(v, takesOver(v, best));
            }
            best.intoArray(out, o + ox);
        }
        return ox;
    }

    /**
     * The column pass: for outputs ox in [from, to) of output row oy, the maximum over rows
     * [r0, r1) of the row maxima (first maximum kept, a NaN takes over), written as the winner's
     * value and its in-plane index {@code row * w + column}. Returns the first ox not done.
     */
    static int columnWindowMax(float[] rm, int[] ra, int outW, int w, int r0, int r1, int from, int to,
                               float[] out, int[] argmax, int o) {
        int ox = from;
        for (; ox + LANES <= to; ox += LANES) {
            FloatVector best = FloatVector.fromArray(F, rm, r0 * outW + ox);
            IntVector bestIdx = IntVector.fromArray(I, ra, r0 * outW + ox).add(r0 * w);
            for (int r = r0 + 1; r < r1; r++) {
                FloatVector v = FloatVector.fromArray(F, rm, r * outW + ox);
                VectorMask<Float> take = takesOver(v, best);
                best = best.blend(v, take);
                bestIdx = bestIdx.blend(IntVector.fromArray(I, ra, r * outW + ox).add(r * w), take.cast(I));
            }
            best.intoArray(out, o + ox);
            bestIdx.intoArray(argmax, o + ox);
        }
        return ox;
    }

    /**
     * Adds the float lanes {@code runs[from, to)}, widened, to the double lanes {@code acc[from, to)},
     * eight at a time: how a generated loop ends a float run of its sums ({@link BlockMath#laneSum}).
     * Arrays in, no vector: should C2 not inline the call (it did not, in dice's loop), nothing is
     * boxed; once per run for all the loop's sums it costs little, while written out per sum it
     * took bytecode that the loop's budget ({@link CodeGenerator}) needs for the body.
     */
    static void widenLanes(float[] runs, double[] acc, int from, int to) {
        for (int at = from; at < to; at += LANES) {
            FloatVector r = FloatVector.fromArray(F, runs, at);
            DoubleVector.fromArray(D, acc, at).add((DoubleVector) r.convertShape(VectorOperators.F2D, D, 0)).intoArray(acc, at);
            DoubleVector.fromArray(D, acc, at + 4).add((DoubleVector) r.rearrange(HIGH_HALF).convertShape(VectorOperators.F2D, D, 0))
                .intoArray(acc, at + 4);
        }
    }

    /** {@link BlockMath#laneSum}: lanes 0-3 in {@code lo}, 4-7 in {@code hi}. */
    static double laneSum(float[] x, int n, double[] lanes) {
        DoubleVector lo = DoubleVector.zero(D);
        DoubleVector hi = DoubleVector.zero(D);
        int i = 0;
        final int blocks = n & ~(4 * LANES - 1);
        while (i < blocks) {
            final int end = Math.min(i + BlockMath.FLOAT_RUN, blocks);
            FloatVector run = FloatVector.zero(F);
            for (; i < end; i += 4 * LANES) {
                FloatVector a = FloatVector.fromArray(F, x, i);
                FloatVector b = FloatVector.fromArray(F, x, i + LANES);
                FloatVector c = FloatVector.fromArray(F, x, i + 2 * LANES);
                FloatVector d = FloatVector.fromArray(F, x, i + 3 * LANES);
                run = run.add(a.add(b).add(c.add(d)));
            }
            // One vector shape only (8 float lanes) in this class: mixing shapes makes the vector
            // types polymorphic and C2 (JDK 17) then falls back to the boxed, allocating code.
            lo = lo.add((DoubleVector) run.convertShape(VectorOperators.F2D, D, 0));
            hi = hi.add((DoubleVector) run.convertShape(VectorOperators.F2D, D, 1));
        }
        for (; i + LANES <= n; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            lo = lo.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            hi = hi.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
        }
        // Lanes out through a store, not lane(i), which JDK 17 may compile to a boxing array copy.
        lo.intoArray(lanes, 0);
        hi.intoArray(lanes, 4);
        return BlockMath.combine(lanes[0], lanes[1], lanes[2], lanes[3], lanes[4], lanes[5], lanes[6], lanes[7], x, i, n);
    }
}
