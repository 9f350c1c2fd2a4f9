package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoCommandTest {
    @TempDir
    Path dir;

    /** The table's row of {@code loss}: name, first, last, IoU (+ note mark), ms/step, backend, options. */
    private static String[] row(String table, String loss) {
        return table.lines().filter(l -> l.startsWith(loss + " ")).findFirst()
            .orElseThrow(() -> new AssertionError("no row for " + loss + " in\n" + table)).trim().split("\\s+");
    }

    private static double score(String[] row) {
        return Double.parseDouble(row[3].replaceAll("[a-z]$", ""));
    }

    /**
     * With a compiler, each step's loss and gradients come from the compiled program (for
     * active-contour, chained through the softmax eagerly): the training follows the eager one.
     */
    @Test
    void theCompiledPathTrainsAsTheEagerPathDoes() {
        String losses = "dice,active-contour,ccs";
        Cli.Run eager = Cli.run("demo", "--loss", losses, "--steps", "8", "--size", "24", "--out",
            dir.resolve("e.png").toString(), "--backend", "java");
        Cli.Run compiled = Cli.run("demo", "--loss", losses, "--steps", "8", "--size", "24", "--out",
            dir.resolve("c.png").toString(), "--backend", "compiled");
        assertEquals(0, compiled.code(), compiled::toString);
        for (String loss : losses.split(",")) {
            String[] e = row(eager.out(), loss);
            String[] c = row(compiled.out(), loss);
            assertEquals("compiled", c[5], compiled.out());
            for (int column : new int[] {1, 2}) {
                double want = Double.parseDouble(e[column]);
                assertEquals(want, Double.parseDouble(c[column]), 1e-4 + 1e-3 * Math.abs(want),
                    () -> loss + ": eager " + String.join(" ", e) + ", compiled " + String.join(" ", c));
            }
        }
    }

    @Test
    void everyLossImprovesAndThePictureHasARowPerLoss() throws IOException {
        Path png = dir.resolve("demo.png");
        Cli.Run run = Cli.run("demo", "--steps", "60", "--size", "32", "--out", png.toString(), "--backend", "java");
        assertEquals(0, run.code(), run::toString);

        List<String> lines = run.out().lines().toList();
        assertEquals(List.of("loss", "first", "last", "IoU", "ms/step", "backend", "options"),
            List.of(lines.get(0).trim().split("\\s+")));
        for (String loss : List.of("dice", "bce-dice", "iou", "focal", "active-contour", "boundary", "ccs")) {
            String[] r = row(run.out(), loss);
            double first = Double.parseDouble(r[1]);
            double last = Double.parseDouble(r[2]);
            assertTrue(last < 0.5 * first, () -> loss + " should at least halve: " + String.join(" ", r));
            // Boundary loss looks only near edges and leaves interiors noisy; random logits score about 0.1.
            assertTrue(score(r) > 0.25, () -> loss + " score: " + String.join(" ", r));
            assertTrue(Double.parseDouble(r[4]) > 0, loss);
            assertEquals("java", r[5]);
        }
        // The region losses and the weighted-down active contour recover the target.
        for (String loss : List.of("dice", "bce-dice", "iou", "focal", "active-contour", "ccs")) {
            assertTrue(score(row(run.out(), loss)) > 0.9, () -> loss + ": " + run.out());
        }

        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        int panel = 32 * Math.round(192f / 32);
        assertTrue(img.getHeight() > 7 * panel && img.getHeight() < 8 * panel + 200, () -> "height " + img.getHeight());
        assertTrue(img.getWidth() > 3 * panel, () -> "width " + img.getWidth());
        assertTrue(run.err().endsWith("wrote " + png + System.lineSeparator()), run.err());
    }

    @Test
    void progressIsPlainLinesWhenStderrIsNotATerminal() {
        Cli.Run run = Cli.run("demo", "--loss", "dice", "--steps", "8", "--size", "24", "--out", dir.resolve("d.png").toString());
        assertEquals(0, run.code(), run::toString);
        assertFalse(run.err().contains("\r"), run.err());
        List<String> progress = run.err().lines().filter(l -> l.contains("step")).toList();
        assertEquals("[1/1] dice           step 1/8 loss", progress.get(0).substring(0, 34));
        assertTrue(progress.get(progress.size() - 1).contains("step 8/8"), progress::toString);
        assertTrue(progress.size() <= 6, progress::toString);
        assertEquals(3, run.out().lines().count(), "header, one row and the note on first/last: " + run.out());
        // "last" is the loss after the final update: one step past the progress line's final value,
        // which the table's last line says.
        assertEquals(DemoCommand.LAST_NOTE, run.out().lines().reduce((a, b) -> b).orElseThrow());
        float progressLast = Float.parseFloat(progress.get(progress.size() - 1).replaceAll(".* loss ", ""));
        float tableLast = Float.parseFloat(row(run.out(), "dice")[2]);
        assertTrue(tableLast < progressLast, () -> "table " + tableLast + ", progress " + progressLast);
    }

    @Test
    void aJpgOutIsAJpegAndAnyOtherNameIsRefusedNamingTheOption() throws IOException {
        Path jpg = dir.resolve("d.jpg");
        Cli.Run run = Cli.run("demo", "--loss", "dice", "--steps", "2", "--size", "24", "--out", jpg.toString());
        assertEquals(0, run.code(), run::toString);
        byte[] bytes = java.nio.file.Files.readAllBytes(jpg);
        assertEquals(0xFF, bytes[0] & 0xFF);
        assertEquals(0xD8, bytes[1] & 0xFF, "a JPEG starts with FF D8");
        assertNotNull(ImageIO.read(jpg.toFile()));
        for (String name : new String[] {"d.gif", "d", "d.png.txt"}) {
            Path out = dir.resolve(name);
            assertUsageError(Cli.run("demo", "--loss", "dice", "--steps", "1", "--size", "24", "--out", out.toString()),
                "--out: expected a file name ending in .png, .jpg or .jpeg, got '" + out + "'");
            assertFalse(java.nio.file.Files.exists(out), name);
        }
    }

    @Test
    void progressUpdatesOneLineInPlaceOnATerminal() {
        StringWriter sw = new StringWriter();
        Progress p = new Progress(new PrintWriter(sw), true);
        p.start("[1/1] dice", 4);
        for (int i = 1; i <= 4; i++) {
            p.update(i, 0.5f / i);
        }
        String s = sw.toString();
        assertTrue(s.startsWith("\r[1/1] dice [######"), s);
        assertTrue(s.contains("4/4  loss 0.12500\u001b[K"), s);
        assertEquals(1, s.split("\n", -1).length - 1, "one line, redrawn with carriage returns: " + s);
        int redraws = s.split("\r", -1).length - 1;
        assertTrue(redraws >= 2 && redraws <= 4, "drawn at the start and at the end, throttled between: " + s);
        assertTrue(s.endsWith(System.lineSeparator()), "ends the line when done");
    }

    @Test
    void aListOfLossesRunsThoseOnly() {
        Cli.Run run = Cli.run("demo", "--loss", "ccs,boundary", "--steps", "3", "--size", "24",
            "--out", dir.resolve("d.png").toString(), "--backend", "parallel");
        assertEquals(0, run.code(), run::toString);
        assertEquals(List.of("ccs", "boundary"),
            run.out().lines().skip(1).filter(l -> !l.contains(":")).map(l -> l.split("\\s+")[0]).toList());
        assertEquals("parallel", row(run.out(), "ccs")[5]);
    }

    private static void assertUsageError(Cli.Run run, String fragment) {
        assertEquals(2, run.code(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.errLines().get(0).startsWith("tornagrad demo: "), run.errLines()::toString);
        assertTrue(run.errLines().get(0).contains(fragment), () -> "expected '" + fragment + "' in " + run.errLines());
    }

    @Test
    void badArguments() {
        assertUsageError(Cli.run("demo", "--loss", "hinge"), "--loss: expected all or one of dice, bce-dice");
        assertUsageError(Cli.run("demo", "--steps", "0"), "--steps: expected an integer in [1, 100000], got 0");
        assertUsageError(Cli.run("demo", "--steps", "many"), "Invalid value for option '--steps': 'many' is not an int");
        assertUsageError(Cli.run("demo", "--steps", "1", "--steps", "2"), "--steps: expected once, got '1' and '2'");
        assertUsageError(Cli.run("demo", "--size", "8"), "--size: expected an integer in [24, 256], got 8");
        assertUsageError(Cli.run("demo", "--lr-scale", "-1"), "--lr-scale: expected a number in (0, 1e6], got '-1'");
        assertUsageError(Cli.run("demo", "--backend", "gpu"), "--backend: expected a backend or compiler, one of");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1f", "2d", "0x1p3", "0x10", "Infinity", "NaN", "1e30", "1e-50", ""})
    void lrScaleTakesDecimalsOnlyAndQuotesWhatWasGiven(String value) {
        // Float.parseFloat took Java's 1f and 0x1p3 (loss options refuse them), and the message
        // printed the parsed float (1.0E30, 0.0 for 1e-50) instead of what was typed.
        String expected = "--lr-scale: expected a number in (0, 1e6]"
            + (value.matches("[0-9.e+-]+") ? "" : " written as a decimal such as 1, 0.5 or 1e-3") + ", got '" + value + "'";
        assertUsageError(Cli.run("demo", "--lr-scale", value), expected);
    }

    @Test
    void lrScaleTakesPlainDecimals() {
        for (String value : List.of("0.5", "2", "1e-3", "+1.5")) {
            assertEquals(Float.parseFloat(value), DemoCommand.lrScale(value));
        }
    }

    @Test
    void anUnwritableOutIsOneUsageLineBeforeAnyTraining() throws IOException {
        Path missing = dir.resolve("no-such-dir").resolve("d.png");
        assertUsageError(Cli.run("demo", "--loss", "iou", "--steps", "1", "--size", "24", "--out", missing.toString()),
            "--out: expected a writable .png or .jpg path, got '" + missing + "', whose folder does not exist");
        assertUsageError(Cli.run("demo", "--loss", "iou", "--steps", "1", "--size", "24", "--out", dir.toString()),
            "--out: expected a writable .png or .jpg path, got '" + dir + "', which is a directory");
        assertUsageError(Cli.run("demo", "--loss", "iou", "--steps", "1", "--size", "24", "--out", ""),
            "--out: expected a writable .png or .jpg path, got ''");
    }

    @Test
    void aFailedWriteOfThePictureIsAnErrorWithoutAStackTrace() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Path out = dir.resolve("gone").resolve("d.png");
        try {
            System.setErr(new PrintStream(captured, true));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoImage.write(List.of(), 24, 1, out));
            assertEquals("--out: expected a writable .png or .jpg path, got '" + out + "' (no such file or directory: " + out + ")",
                e.getMessage());
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", captured.toString(), "ImageIO printed to stderr");
    }

    @Test
    void anEmptyLossNameIsAUsageError() {
        for (String spec : new String[] {",", "", " ", "dice,", ",dice", "dice,,iou"}) {
            assertUsageError(Cli.run("demo", "--loss", spec, "--steps", "1", "--size", "24",
                "--out", dir.resolve("d.png").toString()),
                "--loss: expected all or a comma-separated list of dice, bce-dice, iou, focal, active-contour,"
                    + " boundary, ccs, got '" + spec + "', which has an empty name");
        }
    }

    /** A command's entry in the command list of {@code tornagrad --help}, its wrapped lines joined. */
    static String summary(String command) {
        StringBuilder entry = null;
        for (String line : Cli.run("--help").out().lines().toList()) {
            if (entry == null && line.startsWith("  " + command + " ")) {
                entry = new StringBuilder(line.substring(2 + command.length()).strip());
            } else if (entry != null && line.startsWith("    ")) {
                entry.append(' ').append(line.strip());
            } else if (entry != null) {
                break;
            }
        }
        assertNotNull(entry, () -> command + " is not in " + Cli.run("--help").out());
        return entry.toString();
    }

    @Test
    void theSummaryInTheCommandListIsAWholeSentence() {
        assertEquals("Trains each chosen loss on a synthetic target and pictures the result.", summary("demo"));
    }
}
