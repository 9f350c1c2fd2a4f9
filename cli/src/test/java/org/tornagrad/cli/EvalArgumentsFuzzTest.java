package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;

/**
 * Fuzzes the parsing of {@code tornagrad eval}: the loss name, {@code NAME=FILE} inputs,
 * {@code --option KEY=VALUE} (and {@code -o}) and {@code --backend}. The fuzz input is text, one
 * argument per line, so seeds and findings read as command lines; {@code $S/} at the start of a
 * path stands for a sandbox folder holding valid inputs of every loss ({@code <loss>-<input>.npy},
 * {@code mc-inputs.npy}/{@code mc-targets.npy} for multiclass) and a few bad files.
 *
 * <p>Whatever the arguments, the command must end as its contract says: exit 0 with one JSON line
 * on stdout (or the help/version text), or exit 2 with exactly one line on stderr; never exit 1
 * (an internal error: an exception other than IllegalArgumentException escaped), never an
 * exception out of {@code execute}, and never longer than 10 seconds (a hang). The command always
 * gets {@code --grads} into the sandbox, so gradient files cannot land elsewhere; arguments
 * starting with {@code @} (picocli's argument files) are dropped so that an input cannot make the
 * test read {@code /dev/stdin}.
 *
 * <p>Regression mode replays {@code src/test/resources/org/tornagrad/cli/EvalArgumentsFuzzTestInputs/
 * evalEndsWithAResultOrOneUsageLine/}; fuzzing: {@code JAZZER_FUZZ=1 mvn -B test -pl cli
 * -Dtest=EvalArgumentsFuzzTest#evalEndsWithAResultOrOneUsageLine '-Djazzer.instrumentation_includes=org.tornagrad.**'}
 * (coverage of the options, the reader and the losses too; docs/robustness.md).
 */
class EvalArgumentsFuzzTest {
    static final String SEEDS = "src/test/resources/org/tornagrad/cli/EvalArgumentsFuzzTestInputs/"
        + "evalEndsWithAResultOrOneUsageLine";
    private static final Path SANDBOX = sandbox();
    /** No command may take this long: the inputs are small (a boundary theta of 1.6e9 once hung). */
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private static Path sandbox() {
        try {
            Path dir = Files.createTempDirectory("tornagrad-cli-fuzz-");
            for (String loss : Losses.names()) {
                for (Map.Entry<String, Tensor> e : TestData.inputs(loss).entrySet()) {
                    Npy.write(dir.resolve(loss + "-" + e.getKey() + ".npy"), e.getValue());
                }
            }
            Map<String, Tensor> mc = SyntheticInputs.complete(Losses.create("dice", Map.of("mode", "multiclass")),
                Map.of("mode", "multiclass"), Map.of(), Map.of());
            Npy.write(dir.resolve("mc-inputs.npy"), mc.get("inputs"));
            Npy.write(dir.resolve("mc-targets.npy"), mc.get("targets"));
            Files.writeString(dir.resolve("not-npy.txt"), "hello", StandardCharsets.UTF_8);
            byte[] good = Files.readAllBytes(dir.resolve("dice-inputs.npy"));
            Files.write(dir.resolve("truncated.npy"), Arrays.copyOf(good, good.length - 3));
            Files.createDirectories(dir.resolve("a-dir.npy"));
            Files.createDirectories(dir.resolve("grads"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The arguments of one fuzz input: "eval", the sandbox's --grads, then one argument per line. */
    static List<String> arguments(byte[] input) {
        List<String> args = new ArrayList<>(List.of("eval", "--grads", SANDBOX.resolve("grads").toString()));
        String text = new String(input, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("@")) {
                continue;
            }
            args.add(line.replace("$S/", SANDBOX + "/"));
        }
        if (text.isEmpty()) {
            args.remove(args.size() - 1);
        }
        return args;
    }

    @FuzzTest(maxDuration = "10m")
    void evalEndsWithAResultOrOneUsageLine(byte[] input) {
        List<String> args = arguments(input);
        Cli.Run run;
        try {
            // Preemptive, so that a hang fails the input (a JUnit @Timeout would end the whole
            // fuzzing run, which is one invocation): every seed and finding runs in milliseconds.
            run = assertTimeoutPreemptively(LIMIT, () -> Cli.run(args.toArray(new String[0])),
                () -> "eval must finish within " + LIMIT + "; args " + args);
        } catch (RuntimeException e) {
            throw new AssertionError("execute must not throw; args " + args, e);
        }
        String context = "args " + args + "\n" + run;
        switch (run.code()) {
            case 0 -> checkSuccess(args, run, context);
            case 2 -> {
                assertEquals(1, run.errLines().size(), () -> "exit 2 must print exactly one stderr line; " + context);
                String line = run.errLines().get(0);
                assertTrue(line.startsWith("tornagrad eval: ") && line.length() > "tornagrad eval: ".length(),
                    () -> "the line must name the command and say what is wrong; " + context);
                assertEquals("", run.out(), () -> "nothing on stdout after a usage error; " + context);
            }
            default -> fail("expected exit 0 or 2, got " + run.code() + " (1 is an internal error); " + context);
        }
    }

    private static void checkSuccess(List<String> args, Cli.Run run, String context) {
        if (!run.out().startsWith("{")) {
            // -h/-V, also clustered with other short options ("-hx"), and --help/--version, also
            // with an attached value ("--version="), print the usage or version.
            boolean asked = args.stream().anyMatch(a -> a.startsWith("--help") || a.startsWith("--version")
                || (a.startsWith("-") && !a.startsWith("--") && (a.contains("h") || a.contains("V"))));
            assertTrue(asked && (run.out().startsWith("Usage: ") || run.out().startsWith("tornagrad ")),
                () -> "exit 0 without JSON must be the help or version asked for; " + context);
            return;
        }
        assertEquals("", run.err(), () -> "nothing on stderr after success; " + context);
        List<String> lines = run.out().lines().toList();
        assertEquals(1, lines.size(), () -> "one JSON line on stdout; " + context);
        Object parsed = JsonReader.parse(lines.get(0));
        assertTrue(parsed instanceof Map, () -> "a JSON object; " + context);
        Map<?, ?> json = (Map<?, ?>) parsed;
        Object lossName = json.get("loss");
        assertTrue(lossName instanceof String && Losses.names().contains(lossName), () -> "a loss name; " + context);
        // Every input of the loss was given exactly once as NAME=FILE (not counting option values).
        Loss loss = Losses.create((String) lossName);
        for (String name : loss.inputNames()) {
            long given = positionals(args).stream().filter(a -> a.startsWith(name + "=")).count();
            assertEquals(1, given, () -> "input " + name + " given once; " + context);
        }
        Object value = json.get("value");
        assertTrue(value instanceof Double || value instanceof List, () -> "a numeric value; " + context);
    }

    /** The arguments picocli takes as positional: not an option, nor an option's separate value. */
    private static List<String> positionals(List<String> args) {
        List<String> out = new ArrayList<>();
        boolean onlyPositionals = false;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (!onlyPositionals && a.equals("--")) {
                onlyPositionals = true;
            } else if (!onlyPositionals && List.of("-o", "--option", "--backend", "--grads").contains(a)) {
                i++;
            } else if (onlyPositionals || !a.startsWith("-")) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * The seeds' names say what they must do: ok_* succeed (exit 0, so the oracle's success
     * checks run in every build), bad_* fail with exit 2; crash-* are fixed findings (either).
     */
    @Test
    void committedSeedsEndAsTheirNamesSay() throws IOException {
        List<Path> seeds;
        try (Stream<Path> s = Files.list(Path.of(SEEDS))) {
            seeds = s.sorted().toList();
        }
        int ok = 0;
        int bad = 0;
        for (Path seed : seeds) {
            String name = seed.getFileName().toString();
            List<String> args = arguments(Files.readAllBytes(seed));
            Cli.Run run = Cli.run(args.toArray(new String[0]));
            if (name.startsWith("ok_")) {
                assertEquals(0, run.code(), () -> name + ": " + args + "\n" + run);
                ok++;
            } else if (name.startsWith("bad_")) {
                assertEquals(2, run.code(), () -> name + ": " + args + "\n" + run);
                bad++;
            }
        }
        assertTrue(ok >= 7 && bad >= 10, "expected >= 7 ok_ and >= 10 bad_ seeds in " + SEEDS + ", got " + ok + " and " + bad);
    }
}
