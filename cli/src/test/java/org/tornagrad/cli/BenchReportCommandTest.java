package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportCommandTest {
    @TempDir
    Path dir;

    private static String result(String method, String loss, String backend, double score) {
        return result("\"org.tornagrad.bench.LossBenchmark." + method + "\"", loss, backend, String.valueOf(score));
    }

    /** A result with the benchmark name and the score as JSON text. */
    private static String result(String benchmarkJson, String loss, String backend, String scoreJson) {
        return "{\"benchmark\": " + benchmarkJson + ", \"mode\": \"avgt\","
            + " \"params\": {\"backend\": \"" + backend + "\", \"loss\": \"" + loss + "\"},"
            + " \"primaryMetric\": {\"score\": " + scoreJson + ", \"scoreError\": 0.5, \"scoreUnit\": \"ms/op\"}}";
    }

    private Path json(String... results) throws IOException {
        Path json = dir.resolve("results.json");
        Files.writeString(json, "[" + String.join(", ", results) + "]");
        return json;
    }

    private static void assertUsageError(Cli.Run run, String expected) {
        assertEquals(Main.USAGE, run.code(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.errLines().get(0).startsWith("tornagrad bench-report: "), run::toString);
        assertTrue(run.errLines().get(0).contains(expected), () -> "expected '" + expected + "' in " + run);
    }

    @Test
    void writesATableWithTheBackendsSideBySideAndAChartPerMethod() throws IOException {
        Path json = dir.resolve("results.json");
        Files.writeString(json, "[" + result("forwardBackward", "dice", "java", 40.25) + ", "
            + result("forwardBackward", "dice", "compiled", 3.5) + ", "
            + result("forwardBackward", "ccs", "java", 900) + "]");
        Cli.Run run = Cli.run("bench-report", json.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, run.code(), run::toString);
        assertTrue(run.out().contains("| loss | java | compiled |"), run.out());
        assertTrue(run.out().contains("| dice | 40.250 ± 0.500 ms/op | 3.500 ± 0.500 ms/op |"), run.out());
        assertTrue(run.out().contains("| ccs | 900.000 ± 0.500 ms/op |  |"), run.out());
        assertTrue(Files.size(dir.resolve("out").resolve("bench-forwardBackward.png")) > 1000);
        assertEquals(run.out(), Files.readString(dir.resolve("out").resolve("bench-report.md")));
        // Where the files went, on stderr (stdout is the table).
        assertEquals(java.util.List.of("wrote " + dir.resolve("out").resolve("bench-report.md"),
            "wrote " + dir.resolve("out").resolve("bench-forwardBackward.png")), run.errLines());
    }

    @Test
    void aMissingOrMalformedFileIsOneUsageLine() throws IOException {
        Cli.Run missing = Cli.run("bench-report", dir.resolve("nope.json").toString());
        assertEquals(Main.USAGE, missing.code(), missing::toString);
        assertTrue(missing.err().contains("nope.json"), missing::toString);
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[{\"benchmark\": 1,");
        Cli.Run malformed = Cli.run("bench-report", bad.toString());
        assertEquals(Main.USAGE, malformed.code(), malformed::toString);
        assertEquals(1, malformed.errLines().size(), malformed::toString);
    }

    @Test
    void anOutThatIsNotAWritableDirectoryIsOneUsageLine() throws IOException {
        Path json = json(result("forward", "dice", "java", 1.5));
        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertUsageError(Cli.run("bench-report", json.toString(), "--out", file.toString()),
            "--out: expected a directory, got the file '" + file + "'");
        assertUsageError(Cli.run("bench-report", json.toString(), "--out", file.resolve("sub").toString()),
            "--out: expected a directory that can be created and written to, got '" + file.resolve("sub") + "'");
        assertUsageError(Cli.run("bench-report", json.toString(), "--out", ""), "--out: expected a directory, got ''");
    }

    @Test
    void aFileThatIsNotUtf8IsOneUsageLine() throws IOException {
        Path json = dir.resolve("latin1.json");
        Files.write(json, "[{\"benchmark\": \"caf\u00e9\"}]".getBytes(StandardCharsets.ISO_8859_1));
        assertUsageError(Cli.run("bench-report", json.toString()),
            "results: expected a JMH JSON file in UTF-8, got '" + json + "', which is not UTF-8");
    }

    @Test
    void aDeeplyNestedFileIsOneUsageLine() throws IOException {
        Path json = dir.resolve("deep.json");
        Files.writeString(json, "[".repeat(100_000) + "]".repeat(100_000));
        assertUsageError(Cli.run("bench-report", json.toString()), "nested at most 512 levels deep");
    }

    @Test
    void aResultWithoutANameOrAPositiveScoreIsNamedInTheError() throws IOException {
        assertUsageError(Cli.run("bench-report", json("{\"primaryMetric\": {\"score\": 1.0}}").toString()),
            "result 1: expected \"benchmark\" to be a name like org.tornagrad.bench.LossBenchmark.forward,"
                + " got null or nothing");
        assertUsageError(Cli.run("bench-report", json(result("null", "dice", "java", "1.0")).toString()),
            "result 1: expected \"benchmark\"");
        assertUsageError(Cli.run("bench-report", json(result("\"\"", "dice", "java", "1.0")).toString()),
            "result 1: expected \"benchmark\" to be a name like org.tornagrad.bench.LossBenchmark.forward, got ''");
        for (String score : new String[] {"-1.0", "0", "\"NaN\"", "1e999", "null"}) {
            Path json = json(result("forward", "dice", "java", 2.0), result("\"a.B.forward\"", "iou", "java", score));
            assertUsageError(Cli.run("bench-report", json.toString()),
                "result 2 (a.B.forward): expected primaryMetric.score to be a positive finite number, got ");
        }
    }

    @Test
    void aNameWithASlashStillGetsAChartInTheOutFolder() throws IOException {
        Path json = json(result("\"x.Loss/Benchmark.fo/rward\"", "dice", "java", "1.0"));
        Cli.Run run = Cli.run("bench-report", json.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, run.code(), run::toString);
        assertTrue(Files.size(dir.resolve("out").resolve("bench-fo_rward.png")) > 1000);
    }

    @Test
    void theSummaryInTheCommandListIsAWholeSentence() {
        assertEquals("Turns JMH JSON results into a Markdown table and a PNG chart per method.",
            DemoCommandTest.summary("bench-report"));
    }
}
