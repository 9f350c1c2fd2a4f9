package org.tornagrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void resultsThatDifferInAnotherParameterThanBackendAreRowsOfTheirOwn() {
        // TriadBenchmark runs with threads=1 and threads=2 and KernelBenchmark at two sizes; the
        // table and chart had one cell per (row, backend), so the second result hid the first.
        String triad = "org.tornagrad.bench.TriadBenchmark.triad";
        List<BenchReport.Point> points = BenchReport.read("["
            + "{\"benchmark\": \"" + triad + "\", \"params\": {\"threads\": \"1\"},"
            + " \"primaryMetric\": {\"score\": 7.5, \"scoreUnit\": \"ms/op\"}}, "
            + "{\"benchmark\": \"" + triad + "\", \"params\": {\"threads\": \"2\"},"
            + " \"primaryMetric\": {\"score\": 4.25, \"scoreUnit\": \"ms/op\"}}, "
            + "{\"benchmark\": \"b.KernelBenchmark.sum\", \"params\": {\"backend\": \"java\", \"size\": \"1024\"},"
            + " \"primaryMetric\": {\"score\": 1.5, \"scoreUnit\": \"ms/op\"}}, "
            + "{\"benchmark\": \"b.KernelBenchmark.sum\", \"params\": {\"size\": \"4096\", \"backend\": \"java\"},"
            + " \"primaryMetric\": {\"score\": 6.5, \"scoreUnit\": \"ms/op\"}}, "
            + result("b.LossBenchmark.forward", 2) + "]", "r.json");
        String md = BenchReport.markdown(points);
        assertTrue(md.contains("| " + triad + " threads=1 | 7.500 ms/op |"), md);
        assertTrue(md.contains("| " + triad + " threads=2 | 4.250 ms/op |"), md);
        assertTrue(md.contains("| b.KernelBenchmark.sum size=1024 | 1.500 ms/op |"), md);
        assertTrue(md.contains("| b.KernelBenchmark.sum size=4096 | 6.500 ms/op |"), md);
        assertTrue(md.contains("| b.LossBenchmark.forward | 2.000 ns/op |"), md);
        // On the chart, whose title names the benchmark, the categories are the other parameters.
        assertEquals(List.of("threads=1", "threads=2"),
            BenchReport.chart(points, "triad").getSeriesMap().values().iterator().next().getXData());
        assertTrue(md.contains("## triad\n\n| benchmark | score |"), md);
    }

    @Test
    void aFileOfTheWrongShapeNamesWhatItHoldsInJsonTerms() {
        // It said 'got LinkedHashMap' (a Java class) for an object, and nothing at all for an element.
        IllegalArgumentException object = assertThrows(IllegalArgumentException.class, () -> BenchReport.read("{}", "r.json"));
        assertEquals("results r.json: expected a JSON array of JMH results, got a JSON object", object.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class, () -> BenchReport.read("3", "r.json"));
        assertEquals("results r.json: expected a JSON array of JMH results, got a number", number.getMessage());
        IllegalArgumentException element = assertThrows(IllegalArgumentException.class,
            () -> BenchReport.read("[" + result("a.B.m", 1) + ", \"x\"]", "r.json"));
        assertEquals("results r.json, result 2: expected a JMH result object, got a string", element.getMessage());
    }

    @Test
    void aResultWithoutAUnitIsRefusedNotPrintedAsNull() {
        // It was read as the unit "null" ('1.000 null' in the table).
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> BenchReport.read("[{\"benchmark\": \"a.B.m\", \"primaryMetric\": {\"score\": 1.0}}]", "r.json"));
        assertEquals("results r.json, result 1 (a.B.m): expected primaryMetric.scoreUnit to be a unit like ms/op,"
            + " got null or nothing", missing.getMessage());
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
            () -> BenchReport.read("[{\"benchmark\": \"a.B.m\", \"primaryMetric\": {\"score\": 1.0, \"scoreUnit\": \" \"}}]", "r.json"));
        assertEquals("results r.json, result 1 (a.B.m): expected primaryMetric.scoreUnit to be a unit like ms/op,"
            + " got ' '", blank.getMessage());
    }

    /** A result as JMH writes it, with its run settings. */
    private static String jmh(String benchmark, String params, double score, double error) {
        return "{\"jmhVersion\": \"1.37\", \"benchmark\": \"" + benchmark + "\", \"mode\": \"avgt\", \"threads\": 1,"
            + " \"forks\": 2, \"jdkVersion\": \"17.0.15\", \"vmName\": \"OpenJDK 64-Bit Server VM\","
            + " \"warmupIterations\": 3, \"warmupTime\": \"2 s\", \"measurementIterations\": 5,"
            + " \"measurementTime\": \"2 s\", \"params\": {" + params + "},"
            + " \"primaryMetric\": {\"score\": " + score + ", \"scoreError\": " + error + ", \"scoreUnit\": \"ms/op\"}}";
    }

    @Test
    void chartsAreLinearFromZeroWithErrorBarsLabelsAndHowTheyWereMeasured() {
        String loss = "org.tornagrad.bench.LossBenchmark.forwardBackward";
        List<BenchReport.Point> points = BenchReport.read("["
            + jmh(loss, "\"loss\": \"dice\", \"backend\": \"java\"", 48.8, 1.9) + ", "
            + jmh(loss, "\"loss\": \"dice\", \"backend\": \"compiled\"", 3.3, 0.5) + ", "
            + jmh(loss, "\"loss\": \"ccs\", \"backend\": \"java\"", 85.6, 10.4) + ", "
            + jmh("org.tornagrad.bench.TriadBenchmark.triad", "\"threads\": \"1\"", 11.3, 0.6) + "]", "r.json");
        var chart = BenchReport.chart(points, "forwardBackward");
        assertFalse(chart.getStyler().isYAxisLogarithmic());
        assertEquals(0.0, chart.getStyler().getYAxisMin());
        assertTrue(chart.getStyler().isLabelsVisible());
        assertTrue(chart.getStyler().isLegendVisible());
        assertEquals("ms/op (lower is better)", chart.getYAxisTitle());
        var compiled = chart.getSeriesMap().get("compiled");
        assertEquals(List.of("dice", "ccs"), compiled.getXData());
        assertEquals(List.of(3.3, 0.0), compiled.getYData(), "no bar where compiled was not measured");
        assertEquals(List.of(0.5, 0.0), compiled.getExtraValues(), "JMH's score error as the error bar");

        var triad = BenchReport.chart(points, "triad");
        assertFalse(triad.getStyler().isLegendVisible(), "one series, no legend \"-\"");
        assertEquals(List.of("ms/op"), List.copyOf(triad.getSeriesMap().keySet()));

        List<String> caption = BenchReport.caption(points, "forwardBackward", "a test machine, 2 cores");
        assertEquals("JDK 17.0.15 (OpenJDK 64-Bit Server VM); JMH 1.37 avgt; 2 forks x 5 iterations of 2 s after 3"
            + " warm-up of 2 s; 1 benchmark thread", caption.get(0));
        assertEquals("machine: a test machine, 2 cores", caption.get(1));
        assertEquals("inputs: dice (8, 1, 512, 512); ccs 8 x 20000 anchors, 256-d, 80 classes", caption.get(2));
        assertTrue(caption.get(3).startsWith("error bars: JMH's score error"), caption::toString);
    }
}
