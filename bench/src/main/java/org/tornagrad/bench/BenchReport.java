package org.tornagrad.bench;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Turns JMH's JSON results ({@code -rf json}) of {@link LossBenchmark} (and any benchmark with
 * {@code loss} and {@code backend} parameters) into a Markdown table and one PNG bar chart per
 * benchmark method: the backends side by side for each loss.
 * <pre>
 * java -cp bench/target/benchmarks.jar org.tornagrad.bench.BenchReport results.json [OUT_DIR]
 * tornagrad bench-report results.json [--out OUT_DIR]
 * </pre>
 * Writes {@code OUT_DIR/bench-report.md} and {@code OUT_DIR/bench-<method>.png} (OUT_DIR defaults
 * to the JSON file's folder) and returns the Markdown.
 */
public final class BenchReport {
    /** One measured point. */
    record Point(String benchClass, String method, String loss, String backend, double score, double error, String unit) {
    }

    private BenchReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: BenchReport RESULTS.json [OUT_DIR]");
            System.exit(2);
        }
        Path json = Path.of(args[0]);
        Path out = args.length > 1 ? Path.of(args[1]) : null;
        try {
            System.out.print(write(json, out));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** Reads {@code json}, writes the table and charts into {@code outDir} (null: json's folder), returns the table. */
    public static String write(Path json, Path outDir) throws IOException {
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException("results: expected a JMH JSON file (java -jar benchmarks.jar -rf json),"
                + " got '" + json + "', which is not a file");
        }
        String text;
        try {
            text = Files.readString(json, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("results: expected a JMH JSON file in UTF-8, got '" + json
                + "', which is not UTF-8");
        }
        List<Point> points = read(text, json.toString());
        Path dir = outDir != null ? outDir : json.toAbsolutePath().getParent();
        if (dir.toString().isEmpty()) {
            throw new IllegalArgumentException("--out: expected a directory, got ''");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out: expected a directory, got the file '" + dir + "'");
        }
        String md = markdown(points);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("bench-report.md"), md, StandardCharsets.UTF_8);
            for (String method : methods(points)) {
                BitmapEncoder.saveBitmap(chart(points, method), dir.resolve(chartFileName(method)).toString(),
                    BitmapEncoder.BitmapFormat.PNG);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--out: expected a directory that can be created and written to, got '"
                + dir + "' (" + reason(e) + ")");
        }
        return md;
    }

    /** The chart's file name; a benchmark name is free text, so anything beyond a plain name becomes '_'. */
    static String chartFileName(String method) {
        return "bench-" + method.replaceAll("[^A-Za-z0-9_-]", "_") + ".png";
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return "cannot create " + e.getMessage();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String message = e.getMessage() != null ? ": " + e.getMessage().replaceAll("\\s+", " ") : "";
        return e.getClass().getSimpleName() + message;
    }

    /** The points of a JMH JSON result file. */
    static List<Point> read(String text, String source) {
        Object root;
        try {
            // Some editors on Windows start a UTF-8 file with a byte order mark; it is not JSON.
            root = MiniJson.parse(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("results " + source + ": " + e.getMessage());
        }
        if (!(root instanceof List)) {
            throw new IllegalArgumentException("results " + source + ": expected a JSON array of JMH results, got "
                + jsonKind(root));
        }
        List<Point> points = new ArrayList<>();
        int index = 0;
        for (Object o : (List<?>) root) {
            index++;
            if (!(o instanceof Map)) {
                throw new IllegalArgumentException("results " + source + ", result " + index
                    + ": expected a JMH result object, got " + jsonKind(o));
            }
            Map<?, ?> r = (Map<?, ?>) o;
            String where = "results " + source + ", result " + index;
            Object name = r.get("benchmark");
            if (!(name instanceof String benchmark) || benchmark.isBlank() || benchmark.endsWith(".")) {
                throw new IllegalArgumentException(where + ": expected \"benchmark\" to be a name like"
                    + " org.tornagrad.bench.LossBenchmark.forward, got " + describe(name));
            }
            where += " (" + benchmark + ")";
            int dot = benchmark.lastIndexOf('.');
            String method = benchmark.substring(dot + 1);
            // For the chart title: one results file can hold several benchmark classes (Loss, Triad, Kernel).
            String benchClass = dot < 0 ? "" : benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
            Map<?, ?> params = r.get("params") instanceof Map ? (Map<?, ?>) r.get("params") : Map.of();
            Map<?, ?> metric = r.get("primaryMetric") instanceof Map ? (Map<?, ?>) r.get("primaryMetric") : null;
            if (metric == null) {
                throw new IllegalArgumentException(where + ": expected a \"primaryMetric\" object, got "
                    + describe(r.get("primaryMetric")));
            }
            // A time of zero, below zero or not a number cannot be charted on a log axis, and is no measurement.
            Object score = metric.get("score");
            if (!(score instanceof Double d) || !(d > 0) || d.isInfinite()) {
                throw new IllegalArgumentException(where + ": expected primaryMetric.score to be a positive finite"
                    + " number, got " + describe(score));
            }
            Object unit = metric.get("scoreUnit");
            if (!(unit instanceof String u) || u.isBlank()) {
                throw new IllegalArgumentException(where + ": expected primaryMetric.scoreUnit to be a unit like ms/op,"
                    + " got " + describe(unit));
            }
            String loss = rowLabel(params.get("loss") != null ? String.valueOf(params.get("loss")) : benchmark, params);
            String backend = params.get("backend") != null ? String.valueOf(params.get("backend")) : "-";
            double error = metric.get("scoreError") instanceof Double ? (Double) metric.get("scoreError") : Double.NaN;
            points.add(new Point(benchClass, method, loss, backend, d, error, u));
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("results " + source + ": expected at least one JMH result, got none");
        }
        return points;
    }

    /**
     * A row of the table (a category of the chart): the loss, or the benchmark, followed by every
     * other parameter but the backend, which is the column. Without them, TriadBenchmark's
     * threads=1 and threads=2 (or KernelBenchmark's two sizes) fell into one cell, the last
     * result hiding the others.
     */
    private static String rowLabel(String name, Map<?, ?> params) {
        StringBuilder label = new StringBuilder(name);
        for (Map.Entry<?, ?> e : params.entrySet()) {
            if (!e.getKey().equals("loss") && !e.getKey().equals("backend")) {
                label.append(' ').append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return label.toString();
    }

    /** What a parsed JSON value is, in JSON's terms (MiniJson's Java classes mean nothing to a user). */
    private static String jsonKind(Object jsonValue) {
        if (jsonValue instanceof Map) {
            return "a JSON object";
        }
        if (jsonValue instanceof List) {
            return "a JSON array";
        }
        if (jsonValue instanceof String) {
            return "a string";
        }
        if (jsonValue instanceof Boolean) {
            return "true or false";
        }
        return jsonValue == null ? "null" : "a number";
    }

    private static String describe(Object jsonValue) {
        if (jsonValue == null) {
            return "null or nothing";
        }
        return jsonValue instanceof String ? "'" + jsonValue + "'" : String.valueOf(jsonValue);
    }

    private static Set<String> methods(List<Point> points) {
        Set<String> s = new LinkedHashSet<>();
        points.forEach(p -> s.add(p.method()));
        return s;
    }

    /** One table per method: a row per loss, a column per backend, "score ± error unit". */
    static String markdown(List<Point> points) {
        StringBuilder sb = new StringBuilder("# Benchmark results\n");
        for (String method : methods(points)) {
            Set<String> backends = new LinkedHashSet<>();
            Map<String, Map<String, Point>> byLoss = new LinkedHashMap<>();
            for (Point p : points) {
                if (p.method().equals(method)) {
                    backends.add(p.backend());
                    byLoss.computeIfAbsent(p.loss(), k -> new LinkedHashMap<>()).put(p.backend(), p);
                }
            }
            sb.append("\n## ").append(method).append("\n\n| loss |");
            backends.forEach(b -> sb.append(' ').append(b).append(" |"));
            sb.append("\n|---|");
            backends.forEach(b -> sb.append("---:|"));
            sb.append('\n');
            for (Map.Entry<String, Map<String, Point>> e : byLoss.entrySet()) {
                sb.append("| ").append(e.getKey()).append(" |");
                for (String b : backends) {
                    Point p = e.getValue().get(b);
                    sb.append(' ').append(p == null ? "" : format(p)).append(" |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String format(Point p) {
        String s = String.format(Locale.ROOT, "%.3f", p.score());
        if (!Double.isNaN(p.error())) {
            s += String.format(Locale.ROOT, " ± %.3f", p.error());
        }
        return s + " " + p.unit();
    }

    /** Grouped bars: losses along x, one series per backend, log-scale time. */
    static CategoryChart chart(List<Point> points, String method) {
        List<String> losses = new ArrayList<>();
        Map<String, Map<String, Double>> byBackend = new LinkedHashMap<>();
        String unit = "";
        String title = method;
        for (Point p : points) {
            if (!p.method().equals(method)) {
                continue;
            }
            title = p.benchClass().isEmpty() ? method : p.benchClass() + "." + method;
            if (!losses.contains(p.loss())) {
                losses.add(p.loss());
            }
            byBackend.computeIfAbsent(p.backend(), k -> new LinkedHashMap<>()).put(p.loss(), p.score());
            unit = p.unit();
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560).title(title)
            .xAxisTitle("loss").yAxisTitle(unit + " (log scale, lower is better)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisLogarithmic(true);
        // Bars start from the axis minimum; on a log axis that must be set above 0.
        double smallest = Double.MAX_VALUE;
        for (Point p : points) {
            if (p.method().equals(method) && p.score() > 0) {
                smallest = Math.min(smallest, p.score());
            }
        }
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest))));
        chart.getStyler().setOverlapped(false);
        for (Map.Entry<String, Map<String, Double>> e : byBackend.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (String loss : losses) {
                ys.add(e.getValue().get(loss)); // null: no bar for a backend not measured on that loss

            }
            chart.addSeries(e.getKey(), losses, ys);
        }
        return chart;
    }
}
