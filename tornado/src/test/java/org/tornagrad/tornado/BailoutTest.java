package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * TornadoVM runs a kernel it cannot compile as sequential Java on the host and prints one line
 * ("[Bailout]"), which would let every test here pass without touching the device. This backend
 * turns bailouts off (tornado.recover.bailout=False), so that they fail instead; this test makes
 * sure that setting is in force in the test JVM.
 */
class BailoutTest {
    /**
     * Compiles to OpenCL C that the device compiler rejects: TornadoVM keeps Java's parameter
     * names, and {@code kernel} is a keyword there. (A kernel that allocates an object would be a
     * more obvious choice, but TornadoVM 5.2 hangs analysing it instead of bailing out.)
     */
    static void rejectedByOpenCl(float[] out, int kernel) {
        for (@Parallel int i = 0; i < kernel; i++) {
            out[i] = i;
        }
    }

    @Test
    void aKernelTornadoCannotCompileFailsInsteadOfRunningOnTheHost() {
        TornadoTests.assumeTornado();
        assertEquals("False", System.getProperty("tornado.recover.bailout"));
        float[] out = new float[16];
        TaskGraph g = new TaskGraph(TaskGraphCompiler.nextName("bailout"))
            .task("rejected", BailoutTest::rejectedByOpenCl, out, out.length)
            .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = TornadoSupport.configure(new TornadoExecutionPlan(g.snapshot()))) {
            assertThrows(RuntimeException.class, plan::execute);
        } catch (Exception e) {
            throw new AssertionError("closing the plan failed", e);
        }
        assertEquals(0f, out[5], "nothing ran on the host (it would write 5)");
    }
}
