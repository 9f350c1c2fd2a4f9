package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {
    @Test
    void versionNamesTheProjectVersionFromTheBuild() {
        Cli.Run run = Cli.run("--version");
        assertEquals(0, run.code(), run::toString);
        assertTrue(run.out().startsWith("tornagrad 0."), run.out());
        assertTrue(!run.out().contains("unknown") && !run.out().contains("${"), run.out());
        assertTrue(run.out().contains("backends: java, parallel"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eval", "demo", "graph", "backends"})
    void eachCommandHasHelp(String command) {
        Cli.Run run = Cli.run(command, "--help");
        assertEquals(0, run.code(), run::toString);
        assertTrue(run.out().startsWith("Usage: tornagrad " + command), run.out());
        assertEquals("", run.err());
    }

    @Test
    void topLevelHelpListsTheCommandsAndExitCodes() {
        Cli.Run run = Cli.run("--help");
        assertEquals(0, run.code(), run::toString);
        for (String s : List.of("eval", "demo", "graph", "backends", "Exit codes", "2   bad usage")) {
            assertTrue(run.out().contains(s), () -> s + " in " + run.out());
        }
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Run run = Cli.run();
        assertEquals(2, run.code(), run::toString);
        assertEquals(List.of("tornagrad: command: expected one of eval, demo, graph, backends, bench-report (see tornagrad --help), got none"),
            run.errLines());
    }

    @Test
    void unknownCommandIsAUsageError() {
        Cli.Run run = Cli.run("evaluate");
        assertEquals(2, run.code(), run::toString);
        assertEquals(List.of("tornagrad: Unmatched argument at index 0: 'evaluate'"), run.errLines());
    }

    @Test
    void anythingButAnIllegalArgumentExceptionIsAnInternalErrorWithExitCode1AndOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        int code = Errors.onExecutionException(new IllegalStateException("boom\nsecond line"), cl.getSubcommands().get("eval"), null);
        assertEquals(1, code);
        assertEquals(List.of("tornagrad eval: internal error: java.lang.IllegalStateException: boom; second line"),
            err.toString().lines().toList());
    }

    @Test
    void illegalArgumentExceptionIsExitCode2WithItsMessage() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        int code = Errors.onExecutionException(new IllegalArgumentException("x: expected 1, got 2"), cl, null);
        assertEquals(2, code);
        assertEquals(List.of("tornagrad: x: expected 1, got 2"), err.toString().lines().toList());
    }
}
