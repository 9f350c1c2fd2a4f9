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
import javax.imageio.ImageIO;
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
    record Point(String benchClass, String method, String loss, String backend, double score, double error, String unit,
                 String category, Run run) {
        Point(String benchClass, String method, String loss, String backend, double score, double error, String unit) {
            this(benchClass, method, loss, backend, score, error, unit, loss, Run.UNKNOWN);
        }
    }

    /** How a result was measured, from its JMH JSON: what a reader needs to judge the numbers. */
    record Run(String mode, String jdk, String vm, String jmh, int forks, int warmups, String warmupTime,
               int iterations, String iterationTime, int threads) {
        static final Run UNKNOWN = new Run("", "", "", "", 0, 0, "", 0, "", 0);

        static Run of(Map<?, ?> r) {
            return new Run(text(r.get("mode")), text(r.get("jdkVersion")), text(r.get("vmName")), text(r.get("jmhVersion")),
                count(r.get("forks")), count(r.get("warmupIterations")), text(r.get("warmupTime")),
                count(r.get("measurementIterations")), text(r.get("measurementTime")), count(r.get("threads")));
        }

        private static String text(Object o) {
            return o instanceof String s ? s : "";
        }

        private static int count(Object o) {
            return o instanceof Double d && d >= 0 && d < 1e6 ? (int) (double) d : 0;
        }

        /** Whether higher scores are better (throughput) rather than lower (time per call). */
        boolean higherIsBetter() {
            return mode.equals("thrpt");
        }

        /** One line: the JDK, JMH and its settings (what is known of them). */
        String describe() {
            List<String> parts = new ArrayList<>();
            if (!jdk.isEmpty()) {
                parts.add("JDK " + jdk + (vm.isEmpty() ? "" : " (" + vm + ")"));
            }
            if (!jmh.isEmpty()) {
                parts.add("JMH " + jmh + (mode.isEmpty() ? "" : " " + mode));
            }
            if (forks > 0 && iterations > 0) {
                parts.add(forks + (forks == 1 ? " fork" : " forks") + " x " + iterations + " iterations"
                    + (iterationTime.isEmpty() ? "" : " of " + iterationTime)
                    + (warmups > 0 ? " after " + warmups + " warm-up" + (warmupTime.isEmpty() ? "" : " of " + warmupTime) : ""));
            }
            if (threads > 0) {
                parts.add(threads + (threads == 1 ? " benchmark thread" : " benchmark threads"));
            }
            return String.join("; ", parts);
        }
    }

    /** What {@link #report} wrote: the Markdown and every file, the table first. */
    public record Written(String markdown, List<Path> files) {
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
            Written w = report(json, out, thisMachine());
            System.out.print(w.markdown());
            w.files().forEach(f -> System.err.println("wrote " + f));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** Reads {@code json}, writes the table and charts into {@code outDir} (null: json's folder), returns the table. */
    public static String write(Path json, Path outDir) throws IOException {
        return report(json, outDir, thisMachine()).markdown();
    }

    /** This machine, for a report made where the benchmarks ran: cores, CPU model, OS. */
    public static String thisMachine() {
        String cpu = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ") + ", ";
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: cores and OS only
        }
        return cpu + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
            + System.getProperty("os.arch");
    }

    /**
     * Reads {@code json}, writes the table and charts into {@code outDir} (null: json's folder);
     * {@code machine} is printed under each chart (JMH's JSON does not record it).
     */
    public static Written report(Path json, Path outDir, String machine) throws IOException {
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
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            files.add(dir.resolve("bench-report.md"));
            Files.writeString(files.get(0), md, StandardCharsets.UTF_8);
            for (String method : methods(points)) {
                Path png = dir.resolve(chartFileName(method));
                ImageIO.write(withCaption(BitmapEncoder.getBufferedImage(chart(points, method)),
                    caption(points, method, machine)), "png", png.toFile());
                files.add(png);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--out: expected a directory that can be created and written to, got '"
                + dir + "' (" + reason(e) + ")");
        }
        return new Written(md, files);
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
            double error = metric.get("scoreError") instanceof Double e && Double.isFinite(e) && e >= 0 ? e : Double.NaN;
            // On the chart, whose title names the benchmark: the loss, else the other parameters.
            String other = rowLabel("", params).trim();
            String category = params.get("loss") != null ? rowLabel(String.valueOf(params.get("loss")), params)
                : other.isEmpty() ? method : other;
            points.add(new Point(benchClass, method, loss, backend, d, error, u, category, Run.of(r)));
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
        Set<String> runs = new LinkedHashSet<>();
        points.forEach(p -> runs.add(p.run().describe()));
        runs.remove("");
        if (!runs.isEmpty()) {
            sb.append('\n').append(String.join("\n\n", runs)).append('\n');
        }
        sb.append("\nScore ± JMH's score error (99.9% confidence interval).\n");
        for (String method : methods(points)) {
            Set<String> backends = new LinkedHashSet<>();
            Map<String, Map<String, Point>> byLoss = new LinkedHashMap<>();
            for (Point p : points) {
                if (p.method().equals(method)) {
                    backends.add(p.backend());
                    byLoss.computeIfAbsent(p.loss(), k -> new LinkedHashMap<>()).put(p.backend(), p);
                }
            }
            // A benchmark without loss or backend parameters (TriadBenchmark): "benchmark" and "score".
            // (Its rows are then named by the benchmark, and its category on the chart is not the row.)
            boolean losses = points.stream().anyMatch(p -> p.method().equals(method) && p.loss().equals(p.category()));
            sb.append("\n## ").append(method).append("\n\n| ").append(losses ? "loss" : "benchmark").append(" |");
            backends.forEach(b -> sb.append(' ').append(b.equals("-") ? "score" : b).append(" |"));
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

    /**
     * Grouped bars on a linear axis from 0: a category per loss (else per other parameter), one
     * series per backend, each bar with JMH's score error as its error bar and its value as a label.
     * A benchmark without backends (TriadBenchmark) is one series without a legend.
     */
    static CategoryChart chart(List<Point> points, String method) {
        List<String> categories = new ArrayList<>();
        Map<String, Map<String, Point>> byBackend = new LinkedHashMap<>();
        String unit = "";
        String title = method;
        Run run = Run.UNKNOWN;
        for (Point p : points) {
            if (!p.method().equals(method)) {
                continue;
            }
            title = p.benchClass().isEmpty() ? method : p.benchClass() + "." + method;
            if (!categories.contains(p.category())) {
                categories.add(p.category());
            }
            byBackend.computeIfAbsent(p.backend(), k -> new LinkedHashMap<>()).put(p.category(), p);
            unit = p.unit();
            run = p.run();
        }
        boolean backends = !(byBackend.size() == 1 && byBackend.containsKey("-"));
        String better = run.higherIsBetter() ? "higher is better" : "lower is better";
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560).title(title)
            .xAxisTitle(backends ? "loss (bars: backends)" : "").yAxisTitle(unit + " (" + better + ")").build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setLegendVisible(backends);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(1.0);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(java.awt.Color.BLACK);
        chart.getStyler().setDecimalPattern("#,##0.###");
        chart.getStyler().setErrorBarsColorSeriesColor(false);
        chart.getStyler().setErrorBarsColor(java.awt.Color.DARK_GRAY);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, Map<String, Point>> e : byBackend.entrySet()) {
            List<Double> ys = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            for (String category : categories) {
                Point p = e.getValue().get(category);
                // A backend not measured on a category: an empty slot (0, no bar, no label).
                ys.add(p == null ? 0.0 : p.score());
                errors.add(p == null || Double.isNaN(p.error()) ? 0.0 : p.error());
            }
            chart.addSeries(backends ? e.getKey() : unit, categories, ys, errors);
        }
        return chart;
    }

    /** The lines under a chart: how it was measured, on what, on which inputs, what the error bars are. */
    static List<String> caption(List<Point> points, String method, String machine) {
        List<String> lines = new ArrayList<>();
        Set<String> runs = new LinkedHashSet<>();
        Map<String, String> shapes = new LinkedHashMap<>();
        for (Point p : points) {
            if (p.method().equals(method)) {
                runs.add(p.run().describe());
                String loss = p.category().split(" ")[0];
                String shape = p.benchClass().equals("LossBenchmark") ? BenchInputs.shapes(loss) : null;
                if (shape != null) {
                    shapes.merge(shape, loss, (a, b) -> a.contains(b) ? a : a + ", " + b);
                }
            }
        }
        runs.remove("");
        lines.addAll(runs);
        if (machine != null && !machine.isBlank()) {
            lines.add("machine: " + machine);
        }
        if (!shapes.isEmpty()) {
            List<String> parts = new ArrayList<>();
            shapes.forEach((shape, losses) -> parts.add(losses + " " + shape));
            lines.add("inputs: " + String.join("; ", parts));
        }
        lines.add("error bars: JMH's score error (99.9% confidence interval); labels: the score");
        return lines;
    }

    /** The chart with {@code lines} of text under it. */
    private static java.awt.image.BufferedImage withCaption(java.awt.image.BufferedImage chart, List<String> lines) {
        int lineHeight = 18;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(chart.getWidth(),
            chart.getHeight() + lines.size() * lineHeight + 12, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.drawImage(chart, 0, 0, null);
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.DARK_GRAY);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        int y = chart.getHeight() + lineHeight - 4;
        for (String line : lines) {
            g.drawString(line, 12, y);
            y += lineHeight;
        }
        g.dispose();
        return img;
    }
}
