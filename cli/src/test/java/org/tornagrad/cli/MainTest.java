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
import picocli.CommandLine.Command;

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

    @ParameterizedTest
    @ValueSource(strings = {"eval", "demo", "graph", "backends", "bench-report"})
    void eachDescriptionLineFitsTheHelpsWidthSoThatPicocliDoesNotBreakItMidSentence(String command) {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        CommandLine.Model.UsageMessageSpec usage = cl.getSubcommands().get(command).getCommandSpec().usageMessage();
        for (String line : usage.description()) {
            assertTrue(line.length() <= usage.width(), () -> command + " --help wraps a line of " + line.length()
                + " columns (the rest lands alone on the next line): " + line);
        }
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
        assertEquals(List.of("tornagrad: command: expected one of eval, demo, graph, backends, bench-report"
            + " (see tornagrad --help), got 'evaluate'"), run.errLines());
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "evaluate", "--foo"})
    void helpForAnUnknownCommandNamesTheCommandsAsAnUnknownCommandDoes(String topic) {
        Cli.Run run = Cli.run("help", topic);
        assertEquals(2, run.code(), run::toString);
        assertEquals(List.of("tornagrad: command: expected one of eval, demo, graph, backends, bench-report"
            + " (see tornagrad --help), got '" + topic + "'"), run.errLines());
        assertEquals("", run.out());
    }

    @Test
    void helpForAKnownCommandStillPrintsItsUsage() {
        for (String topic : List.of("eval", "help")) {
            Cli.Run run = Cli.run("help", topic);
            assertEquals(0, run.code(), run::toString);
            assertTrue(run.out().contains("Usage: tornagrad " + topic), run::toString);
        }
    }

    @Test
    void anArgumentToACommandThatTakesNoneSaysSo() {
        Cli.Run run = Cli.run("backends", "extra");
        assertEquals(2, run.code(), run::toString);
        assertEquals(List.of("tornagrad backends: unexpected argument 'extra': expected no arguments"
            + " (see tornagrad backends --help)"), run.errLines());
        Cli.Run demo = Cli.run("demo", "dice", "iou");
        assertEquals(List.of("tornagrad demo: unexpected arguments 'dice', 'iou': expected no arguments"
            + " (see tornagrad demo --help)"), demo.errLines());
    }

    @Test
    void anArgumentBeyondACommandsLastParameterNamesWhatItTakes() {
        Cli.Run run = Cli.run("bench-report", "a.json", "b.json");
        assertEquals(2, run.code(), run::toString);
        assertEquals(List.of("tornagrad bench-report: unexpected argument 'b.json': expected only RESULTS.json"
            + " (see tornagrad bench-report --help)"), run.errLines());
    }

    @Test
    void unknownOptionListsTheOptionsOfItsCommand() {
        Cli.Run run = Cli.run("graph", "dice", "--shap", "3");
        assertEquals(2, run.code(), run::toString);
        assertEquals(List.of("tornagrad graph: Unknown option: '--shap'; expected one of --shape, --option, --format,"
            + " --out, --kernels, --backend, --help, --version"), run.errLines());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "100000", "abc"})
    void badThreadsPropertyIsOneUsageLineOnEveryCommandAndBackend(String threads) {
        String old = System.getProperty("tornagrad.threads");
        System.setProperty("tornagrad.threads", threads);
        try {
            for (String[] args : List.of(new String[] {"backends"}, new String[] {"graph", "dice"},
                     new String[] {"graph", "dice", "--backend", "java"})) {
                Cli.Run run = Cli.run(args);
                assertEquals(2, run.code(), run::toString);
                assertEquals(List.of("tornagrad " + args[0] + ": tornagrad.threads: expected an integer in [1, 1024], got '"
                    + threads + "'"), run.errLines());
            }
        } finally {
            if (old == null) {
                System.clearProperty("tornagrad.threads");
            } else {
                System.setProperty("tornagrad.threads", old);
            }
        }
    }

    @Command(name = "throws")
    static final class Throws implements Runnable {
        static Error error;

        @Override
        public void run() {
            throw error;
        }
    }

    private static Cli.Run runThrowing(Error error) {
        Throws.error = error;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        cl.addSubcommand(new Throws());
        cl.setErr(new PrintWriter(err, true)); // again, to reach the new subcommand
        int code = cl.execute("throws");
        return new Cli.Run(code, out.toString(), err.toString());
    }

    @Test
    void outOfMemoryIsOneLineSayingHowToRaiseTheHeap() {
        Cli.Run run = runThrowing(new OutOfMemoryError("Java heap space"));
        assertEquals(2, run.code(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.errLines().get(0).matches("tornagrad throws: out of memory: the input needs more memory than the"
            + " Java heap \\(\\d+ MiB\\) allows; raise it, e\\.g\\. TORNAGRAD_JAVA_OPTS=-Xmx\\d+g"), run::toString);
    }

    @Test
    void anIllegalArgumentExceptionInsideAnErrorIsExitCode2WithItsMessage() {
        Cli.Run run = runThrowing(new java.util.ServiceConfigurationError("provider failed",
            new IllegalArgumentException("x: expected 1, got 2")));
        assertEquals(2, run.code(), run::toString);
        assertEquals(List.of("tornagrad throws: x: expected 1, got 2"), run.errLines());
        Cli.Run init = runThrowing(new ExceptionInInitializerError(new IllegalStateException("boom")));
        assertEquals(1, init.code(), init::toString);
        assertEquals(List.of("tornagrad throws: internal error: java.lang.ExceptionInInitializerError"), init.errLines());
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
