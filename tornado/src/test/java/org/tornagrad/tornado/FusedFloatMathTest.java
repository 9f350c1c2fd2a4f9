package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tornagrad.autograd.Variable;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.ProgramRunner;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.tensor.Tensor;

/**
 * The fused kernels' float exp, log, pow and tanh on the device ({@code TornadoMath}, the device's
 * float functions) against the Java reference's double functions rounded to float, element by
 * element, within OpenCL's float bounds: exp and log 3 ulps, tanh 5, pow 16 (OpenCL C 1.2, 7.4);
 * sigmoid and BCE, built from them, a few ulps more for their own roundings; pow with exponent 2
 * is a square, Java's bits. Special values included: NaN where Java gives NaN, infinities and
 * signed zeros, BCE's saturated p = 0 and 1 at its -100 clamp.
 */
class FusedFloatMathTest {
    private static final int N = 4096;

    @BeforeAll
    static void device() {
        TornadoTests.assumeTornado();
    }

    private static final float[] SPECIAL = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, 0.5f, 2f, -2f, 1e-8f, 1f - 0x1p-24f,
        80f, -80f, -100f, 16.64f, -16.64f, 3.7200760e-44f, 1e19f, -1e19f, 1e-30f};

    /** The special values, then Gaussians of scale 10 (exp's and sigmoid's working range). */
    private static float[] values() {
        float[] g = TornadoTests.gaussian(11, N, 10f);
        System.arraycopy(SPECIAL, 0, g, 0, SPECIAL.length);
        return g;
    }

    /** The special values in [0, 1], then uniform probabilities. */
    private static float[] probabilities(long seed) {
        float[] p = TornadoTests.uniform(seed, N, 0f, 1f);
        float[] edge = {0f, 1f, -0f, Float.MIN_VALUE, 1e-8f, 1f - 0x1p-24f, 0.5f, 3.7200760e-44f, 1e-30f};
        System.arraycopy(edge, 0, p, 0, edge.length);
        return p;
    }

    @Test
    void unaryFloatFormsAreWithinTheDeviceLibmBounds() {
        float[] x = values();
        float[] positive = TornadoTests.uniform(12, N, 0f, 8f);
        check("exp", v -> v.get("x").exp(), x, x, 3);
        check("log of |x|", v -> v.get("x").abs().log(), x, x, 3);
        check("log of (0, 8)", v -> v.get("x").log(), positive, x, 3);
        check("tanh", v -> v.get("x").tanh(), x, x, 5);
        check("sigmoid", v -> v.get("x").sigmoid(), x, x, 6);
        check("pow 3", v -> v.get("x").pow(3f), x, x, 16);
        check("pow -1.5", v -> v.get("x").pow(-1.5f), positive, x, 16);
        check("pow 2", v -> v.get("x").pow(2f), x, x, 0);
    }

    @Test
    void binaryFloatFormsAreWithinTheDeviceLibmBounds() {
        float[] base = TornadoTests.uniform(13, N, 0f, 4f);
        float[] exponent = TornadoTests.gaussian(14, N, 3f);
        check("pow(x, y)", v -> v.get("x").pow(v.get("y")), base, exponent, 16);
        float[] target = probabilities(15);
        for (int i = 0; i < 20; i++) {
            target[i] = i % 3 == 0 ? 0f : i % 3 == 1 ? 1f : 0.5f; // saturated p against each kind of target
        }
        check("bce", v -> v.get("x").binaryCrossEntropy(v.get("y")), probabilities(16), target, 8);
    }

    /** TornadoVM prints a NaN constant as {@code NaNF}, not OpenCL C: PoCL fails to build such a kernel. */
    @Test
    void nanConstantsCompileAndGiveNaN() {
        float[] x = values();
        check("pow NaN", v -> v.get("x").pow(Float.NaN), x, x, 0);
        check("add NaN", v -> v.get("x").add(Float.NaN), x, x, 0);
        check("rsub NaN", v -> v.get("x").rsub(Float.NaN), x, x, 0);
    }

    private static void check(String what, Function<Map<String, Variable>, Variable> f, float[] x, float[] y,
                              long maxUlps) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", Tensor.of(x.clone(), x.length));
        in.put("y", Tensor.of(y.clone(), y.length));
        Program p = Tracer.trace(f, in, List.of(), new ReferenceBackend());
        float[] want = new ProgramRunner(p, new ReferenceBackend()).run(in).get("loss").toArray();
        try (CompiledTaskGraph compiled = TaskGraphCompiler.compile(p, true)) {
            float[] got = compiled.run(in).get("loss").toArray();
            // Float code only: no double (the shared bodies' Math.exp would be).
            String openCl = compiled.kernelSource();
            assertTrue(!openCl.contains("double"), what + ":\n" + openCl);
            long worst = 0;
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, TornadoTests.ulps(want[i], got[i]));
            }
            System.out.println("fused " + what + ": at most " + worst + " ulps from Java");
            TornadoTests.assertUlps("fused " + what, want, got, maxUlps);
        }
    }
}
