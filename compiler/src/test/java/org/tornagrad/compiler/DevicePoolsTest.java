package org.tornagrad.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.tornagrad.autograd.trace.ProgramRunner;
import org.tornagrad.autograd.trace.Tracer;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.tensor.Tensor;

/**
 * Max-pooling in the device source: a pool or its backward runs inside a later pass where every
 * element of that pass reads its output at the element itself, and stays a call of its own where
 * not. Run as plain Java ({@link DeviceSourceOnJvm}), work-items go in index order, so a pool
 * moved into a pass that read its output elsewhere would read elements not yet written.
 */
class DevicePoolsTest {
    private static final Random RANDOM = new Random(21);

    /** Ties, and NaN where {@code nan}, so that which window wins matters. */
    private static Tensor image(boolean nan, int... dims) {
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        float[] v = new float[size];
        for (int i = 0; i < v.length; i++) {
            v[i] = nan && RANDOM.nextInt(12) == 0 ? Float.NaN : RANDOM.nextInt(3);
        }
        return Tensor.of(v, dims);
    }

    /** The calls left for {@code f}'s device source, by kind, after checking it against the reference. */
    private static List<String> callsLeft(Function<Map<String, Variable>, Variable> f, Map<String, Tensor> in) {
        Program p = Tracer.trace(f, in, List.of("y"), new ReferenceBackend());
        Map<String, Tensor> expected = new ProgramRunner(p, new ReferenceBackend()).run(in);
        DeviceSource.Options[] options = {DeviceSource.Options.DEFAULT,
            new DeviceSource.Options(0, DeviceSource.MAX_PARAMETERS, false),
            new DeviceSource.Options(DeviceSource.SERIAL_MAX, 4, false)};
        for (DeviceSource.Options option : options) {
            Map<String, Tensor> got = DeviceSourceOnJvm.compile(p, 8, option).run(in);
            for (String k : expected.keySet()) {
                float[] e = expected.get(k).toArray();
                float[] a = got.get(k).toArray();
                for (int i = 0; i < e.length; i++) {
                    boolean same = Float.compare(e[i], a[i]) == 0
                        || Math.abs(e[i] - a[i]) <= 1e-5 * (1 + Math.abs(e[i]));
                    assertTrue(same, k + " [" + i + "] with " + option + ": expected " + e[i] + ", got " + a[i]);
                }
            }
        }
        List<String> calls = new ArrayList<>();
        for (DeviceSource.Launch l : DeviceSourceOnJvm.launches(p, 8)) {
            if (l instanceof DeviceSource.Call c) {
                calls.add(c.instruction.kind().toString());
            }
        }
        return calls;
    }

    private static Map<String, Tensor> inputs(Tensor y, Tensor w) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("y", y);
        in.put("w", w);
        return in;
    }

    @Test
    void poolsAndTheirBackwardsReadAtTheElementRunInsidePasses() {
        Map<String, Tensor> in = inputs(image(true, 2, 3, 12, 13), Tensor.randn(5, 2, 3, 12, 13));
        List<String> calls = callsLeft(v -> {
            Variable y = v.get("y").mul(v.get("w"));
            Variable a = y.maxPool2d(3, 1, 1);
            Variable b = a.sub(y).maxPool2d(5, 1, 2);
            Variable c = y.maxPool2d(3, 2, 1);
            return a.mul(v.get("w")).sum().add(b.mul(v.get("w")).sum()).add(c.square().sum());
        }, in);
        assertEquals(List.of(), calls);
    }

    @Test
    void aPassThatReadsThePooledImageTransposedKeepsThePoolACall() {
        // No NaN: the loss is a sum, and one NaN would hide a wrong element.
        Map<String, Tensor> in = inputs(image(false, 2, 1, 9, 9), Tensor.randn(6, 2, 1, 9, 9));
        List<String> calls = callsLeft(v -> {
            Variable pooled = v.get("y").mul(v.get("w")).maxPool2d(3, 1, 1);
            return pooled.transpose(2, 3).mul(v.get("w")).sum();
        }, in);
        assertTrue(calls.contains("MAX_POOL2D"), calls.toString());
    }

    @Test
    void aBackwardWhoseWindowsOverlapTooMuchStaysACall() {
        // A 19x19 window at stride 1: each pixel is in 361 windows, more than the 81 a gather visits.
        Map<String, Tensor> in = inputs(image(false, 1, 2, 20, 20), Tensor.randn(7, 1, 2, 20, 20));
        List<String> calls = callsLeft(v -> v.get("y").mul(v.get("w")).maxPool2d(19, 1, 9).mul(v.get("w")).sum(), in);
        assertEquals(List.of("MAX_POOL2D_BACKWARD"), calls);
    }
}
