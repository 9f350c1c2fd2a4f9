package org.tornagrad.losses.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.autograd.trace.ProgramRunner;
import org.tornagrad.compiler.CompiledProgram;
import org.tornagrad.compiler.DeviceSource;
import org.tornagrad.compiler.DeviceSourceOnJvm;
import org.tornagrad.kernels.ReferenceBackend;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

/**
 * The fused device kernels ({@link DeviceSource}, what TornadoVM compiles for the GPU) run as plain
 * Java give what the traced program gives call by call on the Java reference, for every value
 * case of the parity suite: forward and backward, with tiles small enough that the cases' rows
 * span several tiles (partial sums finished in tile order) and with the serial grouping of small
 * passes on and off. This checks the generated code itself on any machine; the tornado module's
 * tests check the same kernels on a device.
 */
class DeviceKernelsOnJvmTest {
    /**
     * Tile sizes that split every row of these small cases and the device default; small passes
     * serial or not; TornadoVM's parameter limit, and one so low that most passes fall back to
     * separate calls and serial groups split; sums over contiguous tiles and strided.
     */
    private static final int[] TILES = {8, 8, 256, 256, 8, 8};
    private static final DeviceSource.Options[] OPTIONS = {
        new DeviceSource.Options(0, DeviceSource.MAX_PARAMETERS, false),
        new DeviceSource.Options(DeviceSource.SERIAL_MAX, DeviceSource.MAX_PARAMETERS, false),
        new DeviceSource.Options(0, DeviceSource.MAX_PARAMETERS, false),
        DeviceSource.Options.DEFAULT,
        new DeviceSource.Options(DeviceSource.SERIAL_MAX, 4, false),
        new DeviceSource.Options(0, DeviceSource.MAX_PARAMETERS, true)};

    @TestFactory
    Stream<DynamicTest> fusedDeviceKernelsMatchTheReferenceOnEveryParityCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ParityCase c : ParityCases.all()) {
            tests.add(DynamicTest.dynamicTest(c.id(), () -> check(c)));
        }
        return tests.stream();
    }

    private static void check(ParityCase c) {
        Map<String, Tensor> prepared;
        Program program;
        Map<String, Tensor> expected;
        try {
            Loss loss = Losses.create(c.loss(), c.options());
            prepared = loss.prepareUnchecked(c.inputs());
            program = CompiledLoss.trace(loss, prepared, true, new ReferenceBackend());
            expected = new ProgramRunner(program, new ReferenceBackend()).run(prepared);
        } catch (IllegalArgumentException e) {
            return; // an error case: refused before any kernel runs, on every path
        }
        if (expected.get("loss").hasNonFinite()) {
            return; // a failed guard: every compiled path redoes the call eagerly
        }
        for (int k = 0; k < TILES.length; k++) {
            CompiledProgram device = DeviceSourceOnJvm.compile(program, TILES[k], OPTIONS[k]);
            Map<String, Tensor> actual = device.run(prepared);
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                String where = c.id() + " " + e.getKey() + " tile " + TILES[k] + " " + OPTIONS[k];
                Tensor got = actual.get(e.getKey());
                assertEquals(e.getValue().shape(), got.shape(), where);
                assertClose(e.getValue().toArray(), got.toArray(), where);
            }
        }
    }

    /** Within float rounding of sums added in another order: 2e-6 absolute plus 1e-5 relative. */
    private static void assertClose(float[] expected, float[] actual, String where) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean same = Float.compare(e, a) == 0 || Math.abs(e - a) <= 2e-6 + 1e-5 * Math.abs(e);
            assertTrue(same, where + " [" + i + "]: expected " + e + ", got " + a);
        }
    }

    @Test
    void diceRunsAsThreeLaunchesAndItsPassesKeepTheirSums() {
        Loss dice = Losses.create("dice");
        Map<String, Tensor> inputs = Map.of("inputs", Tensor.randn(1, 2, 1, 64, 64),
            "targets", Tensor.uniform(2, 0f, 1f, 2, 1, 64, 64).gt(Tensor.scalar(0.5f)));
        Map<String, Tensor> prepared = dice.prepareUnchecked(inputs);
        Program program = CompiledLoss.trace(dice, prepared, true, new ReferenceBackend());
        // The forward pass with its four sums, the scalar arithmetic (finishing the sums), the backward pass.
        assertEquals(3, DeviceSourceOnJvm.launches(program, 256).size());
        Map<String, Tensor> expected = new ProgramRunner(program, new ReferenceBackend()).run(prepared);
        Map<String, Tensor> actual = DeviceSourceOnJvm.compile(program, 256, DeviceSource.Options.DEFAULT).run(prepared);
        assertClose(expected.get("loss").toArray(), actual.get("loss").toArray(), "dice loss");
        assertClose(expected.get("grad:inputs").toArray(), actual.get("grad:inputs").toArray(), "dice grad");
        assertArrayEquals(expected.get("grad:inputs").shape().dims(), actual.get("grad:inputs").shape().dims());
    }

    @Test
    void boundaryRunsItsPoolsInsideItsPassesInTenLaunches() {
        Loss boundary = Losses.create("boundary");
        Map<String, Tensor> inputs = Map.of("pred", Tensor.randn(3, 2, 1, 64, 64),
            "gt", Tensor.uniform(4, 0f, 1f, 2, 64, 64).gt(Tensor.scalar(0.5f)));
        Map<String, Tensor> prepared = boundary.prepareUnchecked(inputs);
        Program program = CompiledLoss.trace(boundary, prepared, true, new ReferenceBackend());
        List<DeviceSource.Launch> launches = DeviceSourceOnJvm.launches(program, 256);
        // Four max-pools and two backwards run at the start of the passes that read them; the
        // one call left is softmax's max over the channels.
        List<String> calls = new ArrayList<>();
        for (DeviceSource.Launch l : launches) {
            if (l instanceof DeviceSource.Call c) {
                calls.add(c.instruction.kind().toString());
            }
        }
        assertEquals(List.of("MAX_ROWS"), calls);
        assertEquals(10, launches.size());
        Map<String, Tensor> expected = new ProgramRunner(program, new ReferenceBackend()).run(prepared);
        Map<String, Tensor> actual = DeviceSourceOnJvm.compile(program, 256, DeviceSource.Options.DEFAULT).run(prepared);
        assertClose(expected.get("loss").toArray(), actual.get("loss").toArray(), "boundary loss");
        assertClose(expected.get("grad:pred").toArray(), actual.get("grad:pred").toArray(), "boundary grad");
    }
}
