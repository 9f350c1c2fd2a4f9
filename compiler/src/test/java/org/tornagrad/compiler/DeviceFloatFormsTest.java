package org.tornagrad.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.kernels.Binary;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.kernels.Unary;
import org.tornagrad.tensor.Tensor;

/**
 * The float device forms of exp, log, pow, tanh, sigmoid and BCE ({@link DeviceSource}): run as
 * Java with {@link DeviceMathOnJvm}, each gives the shared body's bits ({@link Unary#apply},
 * {@link Binary#apply}) on special values (signed zeros, infinities, NaN, subnormals, the edges of
 * exp's range, BCE's saturated p = 0 and 1, squares that overflow); and for a device target every
 * one of them calls the target's math class, never a shared body's double function.
 */
class DeviceFloatFormsTest {
    private static final String TORNADO_MATH = "uk.ac.manchester.tornado.api.math.TornadoMath";

    /** Signed zeros, infinities, NaN, subnormals, the edges of exp's range and of float squares. */
    private static final List<Float> SPECIAL_VALUES = List.of(0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, 3e-39f, -3e-39f, Float.MIN_NORMAL, -Float.MIN_NORMAL,
        Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, -0.5f, 2f, -2f, 1e-8f, 1f - 0x1p-24f, 1f + 0x1p-23f,
        // exp's overflow and underflow edges, sigmoid's 1 + exp(-x) rounding to 1, log(-100) clamps.
        88.72283f, 88.72284f, -87.33655f, -103.97208f, -103.97209f, 16.635532f, 16.64f, -16.64f,
        3.7200760e-44f, 17.33f, 100f, -100f,
        // Squares near and past float's range, and past its subnormals.
        1.8446743e19f, 1.8446744e19f, -1.8446744e19f, 1e20f, 3e-23f, 1e-23f, 1e-30f, -1e-30f);
    private static final int SPECIALS = SPECIAL_VALUES.size();

    /** The special values, then random ones over many magnitudes and probabilities. */
    private static float[] grid() {
        List<Float> v = new ArrayList<>(SPECIAL_VALUES);
        Random r = new Random(42);
        for (int i = 0; i < 400; i++) {
            float mag = (float) Math.pow(10, r.nextDouble() * 20 - 10);
            v.add((r.nextBoolean() ? 1 : -1) * mag * r.nextFloat());
        }
        for (int i = 0; i < 100; i++) {
            v.add(r.nextFloat()); // probabilities, for BCE and pow's bases
        }
        return unboxed(v);
    }

    /** Exponents for the scalar and binary powers. */
    private static final float[] EXPONENTS = {2f, 3f, 0.5f, -1.5f, -2f, 0f, -0f, 1f, 2.5f, 1e10f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE};

    /** Probabilities for BCE: saturated, exact, just inside [0, 1], and out of it (NaN). */
    private static final float[] TARGETS = {0f, 1f, 0.5f, 0.25f, -0f, 1e-8f, 1f - 0x1p-24f, Float.MIN_VALUE, 2f, -1f,
        Float.NaN, Float.POSITIVE_INFINITY};

    private interface Scalar {
        float at(float x);
    }

    private interface Pair {
        float at(float x, float y);
    }

    @Test
    void unaryFormsAreTheSharedBodiesBitForBit() {
        check("exp", v -> v.get("x").exp(), x -> Unary.apply(Unary.EXP, x, 0f, 0f));
        check("log", v -> v.get("x").log(), x -> Unary.apply(Unary.LOG, x, 0f, 0f));
        check("tanh", v -> v.get("x").tanh(), x -> Unary.apply(Unary.TANH, x, 0f, 0f));
        check("sigmoid", v -> v.get("x").sigmoid(), x -> Unary.apply(Unary.SIGMOID, x, 0f, 0f));
        for (float p : EXPONENTS) {
            check("pow " + p, v -> v.get("x").pow(p), x -> Unary.apply(Unary.POW_SCALAR, x, p, 0f));
        }
    }

    @Test
    void binaryPowIsTheSharedBodyBitForBit() {
        float[] x = grid();
        for (float p : EXPONENTS) {
            check("pow(x, y) y = " + p, v -> v.get("x").pow(v.get("y")), x, filled(x.length, p),
                (a, b) -> Binary.apply(Binary.POW, a, b));
        }
        // Every pair of the special values (the first SPECIALS of the grid) and the exponents.
        List<Float> bases = new ArrayList<>();
        List<Float> powers = new ArrayList<>();
        for (int i = 0; i < SPECIALS; i++) {
            for (int j = 0; j < SPECIALS + EXPONENTS.length; j++) {
                bases.add(x[i]);
                powers.add(j < SPECIALS ? x[j] : EXPONENTS[j - SPECIALS]);
            }
        }
        check("pow(x, y) of special pairs", v -> v.get("x").pow(v.get("y")), unboxed(bases), unboxed(powers),
            (a, b) -> Binary.apply(Binary.POW, a, b));
    }

    @Test
    void bceIsTheSharedBodyBitForBitSaturatedPredictionsIncluded() {
        float[] p = grid();
        for (float t : TARGETS) {
            check("bce t = " + t, v -> v.get("x").binaryCrossEntropy(v.get("y")), p, filled(p.length, t),
                (a, b) -> Binary.apply(Binary.BCE, a, b));
        }
    }

    @Test
    void aDeviceTargetRunsEveryFormOnItsMathClass() {
        Map<String, Function<Map<String, Variable>, Variable>> ops = new LinkedHashMap<>();
        ops.put("exp", v -> v.get("x").exp());
        ops.put("log", v -> v.get("x").log());
        ops.put("tanh", v -> v.get("x").tanh());
        ops.put("sigmoid", v -> v.get("x").sigmoid());
        ops.put("pow", v -> v.get("x").pow(3f));
        ops.put("binary pow", v -> v.get("x").pow(v.get("y")));
        ops.put("bce", v -> v.get("x").binaryCrossEntropy(v.get("y")));
        DeviceSource.Options options = new DeviceSource.Options(DeviceSource.SERIAL_MAX, DeviceSource.MAX_PARAMETERS,
            false, TORNADO_MATH);
        for (Map.Entry<String, Function<Map<String, Variable>, Variable>> e : ops.entrySet()) {
            String source = render(e.getValue(), options);
            String fn = Map.of("sigmoid", "exp", "bce", "log", "binary pow", "pow").getOrDefault(e.getKey(), e.getKey());
            assertTrue(source.contains(TORNADO_MATH + "." + fn + "("), e.getKey() + ":\n" + source);
            assertFalse(source.contains("Unary.apply(") || source.contains("Binary.apply("), e.getKey() + ":\n" + source);
            assertFalse(source.contains(DeviceMathOnJvm.class.getName()), e.getKey() + ":\n" + source);
        }
        // BCE's clamp is Binary.maximum, which keeps a NaN on the device (OpenCL's fmax, which
        // TornadoVM makes of Math.max, drops it; on the JVM the two agree, so only the source tells).
        String bce = render(ops.get("bce"), options);
        assertTrue(bce.contains("org.tornagrad.kernels.Binary.maximum(" + TORNADO_MATH + ".log("), bce);
        assertFalse(bce.contains("Math.max("), bce);
        // Exponents 0, 1 and 2: no call at all. Other ops stay on the shared bodies.
        for (float exponent : new float[] {0f, 1f, 2f}) {
            String power = render(v -> v.get("x").pow(exponent), options);
            assertFalse(power.contains(TORNADO_MATH) || power.contains("Unary.apply("), exponent + ":\n" + power);
        }
        assertTrue(render(v -> v.get("x").sqrt(), options).contains("org.tornagrad.kernels.Unary.apply(" + Unary.SQRT + ", "));
        // The default is the JVM stand-in.
        assertTrue(render(v -> v.get("x").exp(), DeviceSource.Options.DEFAULT)
            .contains(DeviceMathOnJvm.class.getName() + ".exp("));
    }

    /** TornadoVM prints the constant Float.NaN as NaNF, which no OpenCL compiler takes. */
    @Test
    void nanConstantsAreComputedAtRunTimeAndStayNaN() {
        DeviceSource.Options options = new DeviceSource.Options(DeviceSource.SERIAL_MAX, DeviceSource.MAX_PARAMETERS,
            false, TORNADO_MATH);
        Map<Integer, Function<Map<String, Variable>, Variable>> ops = new LinkedHashMap<>();
        ops.put(Unary.POW_SCALAR, v -> v.get("x").pow(Float.NaN));
        ops.put(Unary.ADD_SCALAR, v -> v.get("x").add(Float.NaN));
        ops.put(Unary.MUL_SCALAR, v -> v.get("x").mul(Float.NaN));
        ops.put(Unary.RSUB_SCALAR, v -> v.get("x").rsub(Float.NaN));
        for (Map.Entry<Integer, Function<Map<String, Variable>, Variable>> e : ops.entrySet()) {
            int op = e.getKey();
            String source = render(e.getValue(), options);
            assertFalse(source.contains("NaN"), "op " + op + ":\n" + source);
            check("op " + op + " with NaN", e.getValue(), x -> Unary.apply(op, x, Float.NaN, 0f));
        }
    }

    @Test
    void theMathClassMustBeAQualifiedName() {
        for (String bad : new String[] {null, "", "a.", "Math.exp(x); //", "1a.B"}) {
            assertThrows(IllegalArgumentException.class,
                () -> new DeviceSource.Options(DeviceSource.SERIAL_MAX, DeviceSource.MAX_PARAMETERS, false, bad), bad);
        }
    }

    private static String render(Function<Map<String, Variable>, Variable> f, DeviceSource.Options options) {
        float[] x = grid();
        Map<String, Tensor> in = inputs(x, x);
        Program program = Tracer.trace(f, in, List.of(), new ReferenceBackend());
        return DeviceSource.render(JavaProgramCompiler.plan(program, 256), "K", "Parallel", options).source();
    }

    private static void check(String what, Function<Map<String, Variable>, Variable> f, Scalar reference) {
        float[] x = grid();
        check(what, f, x, x, (a, b) -> reference.at(a));
    }

    /** The generated kernels of {@code f} over x and y, run as Java, against {@code reference} element by element. */
    private static void check(String what, Function<Map<String, Variable>, Variable> f, float[] x, float[] y,
                              Pair reference) {
        Map<String, Tensor> in = inputs(x, y);
        Program program = Tracer.trace(f, in, List.of(), new ReferenceBackend());
        for (int tile : new int[] {8, 256}) {
            CompiledProgram device = DeviceSourceOnJvm.compile(program, tile, DeviceSource.Options.DEFAULT);
            float[] got = device.run(in).get("loss").toArray();
            assertEquals(x.length, got.length, what);
            for (int i = 0; i < x.length; i++) {
                float expected = reference.at(x[i], y[i]);
                // floatToIntBits: one NaN for all payloads; -0 and +0 apart.
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(got[i]),
                    what + " at x = " + x[i] + ", y = " + y[i] + ": expected " + expected + ", got " + got[i]);
            }
        }
    }

    private static Map<String, Tensor> inputs(float[] x, float[] y) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", Tensor.of(x.clone(), x.length));
        in.put("y", Tensor.of(y.clone(), y.length));
        return in;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private static float[] unboxed(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
