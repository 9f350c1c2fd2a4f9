package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Backends;

/**
 * {@code --backend tornado} where TornadoVM is absent (the tornado module is never on this module's
 * test class path): exit 2 and one line saying what is missing. The TornadoVM side is tested in
 * the tornado module and by running ./tornagrad with TORNADOVM_HOME set.
 */
class TornadoBackendOptionTest {
    static void assumeNoTornado() {
        Assumptions.assumeFalse(Backends.names().contains("tornado"), "the tornado backend is on the class path");
    }

    @Test
    void backendTornadoWithoutTornadoVmSaysWhatIsMissing() {
        assumeNoTornado();
        for (String[] args : new String[][] {
            {"eval", "dice", "inputs=a.npy", "targets=b.npy", "--backend", "tornado"},
            {"graph", "dice", "--backend", "tornado"},
            {"demo", "--loss", "dice", "--steps", "1", "--backend", "tornado"}}) {
            Cli.Run run = Cli.run(args);
            assertEquals(2, run.code(), run::toString);
            assertEquals(1, run.errLines().size(), run::toString);
            assertTrue(run.err().contains("--backend tornado: TornadoVM is not available: TORNADOVM_HOME is"), run.err());
        }
    }

    @Test
    void kernelsNeedTheTornadoBackend() {
        Cli.Run run = Cli.run("graph", "dice", "--kernels", "--backend", "java");
        assertEquals(2, run.code(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().contains("--kernels: expected a compiler (--backend compiled, tornado or tornado-compiled)"),
            run.err());
    }
}
