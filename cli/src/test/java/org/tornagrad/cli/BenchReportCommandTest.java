package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportCommandTest {
    @TempDir
    Path dir;

    private static String result(String method, String loss, String backend, double score) {
        return "{\"benchmark\": \"org.tornagrad.bench.LossBenchmark." + method + "\", \"mode\": \"avgt\","
            + " \"params\": {\"backend\": \"" + backend + "\", \"loss\": \"" + loss + "\"},"
            + " \"primaryMetric\": {\"score\": " + score + ", \"scoreError\": 0.5, \"scoreUnit\": \"ms/op\"}}";
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
}
