package org.tornagrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static String result(String benchmark, double score) {
        return "{\"benchmark\": \"" + benchmark + "\", \"params\": {\"backend\": \"java\"},"
            + " \"primaryMetric\": {\"score\": " + score + ", \"scoreUnit\": \"ns/op\"}}";
    }

    @Test
    void eachChartIsTitledWithItsBenchmarksOwnClass() {
        List<BenchReport.Point> points = BenchReport.read("[" + result("org.tornagrad.bench.TriadBenchmark.triad", 2)
            + ", " + result("org.tornagrad.bench.KernelBenchmark.sum", 3)
            + ", " + result("org.tornagrad.bench.LossBenchmark.forward", 4) + ", " + result("noPackage", 5) + "]", "r.json");
        assertEquals("TriadBenchmark.triad", BenchReport.chart(points, "triad").getTitle());
        assertEquals("KernelBenchmark.sum", BenchReport.chart(points, "sum").getTitle());
        assertEquals("LossBenchmark.forward", BenchReport.chart(points, "forward").getTitle());
        assertEquals("noPackage", BenchReport.chart(points, "noPackage").getTitle());
    }

    @Test
    void aChartFileNameIsAPlainFileName() {
        assertEquals("bench-forwardBackward.png", BenchReport.chartFileName("forwardBackward"));
        assertEquals("bench-fo_rward.png", BenchReport.chartFileName("fo/rward"));
        assertEquals("bench-__x.png", BenchReport.chartFileName("\\ x"));
    }
}
