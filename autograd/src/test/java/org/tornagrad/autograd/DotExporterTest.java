package org.tornagrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.tornagrad.tensor.Tensor;

/** The DOT export: op names and shapes appear, the text is well-formed, and Graphviz renders it. */
class DotExporterTest {
    /** One attribute: a name and a bare word or a DOT quoted string (escapes included). */
    private static final String ATTRIBUTE = "\\w+=(?:\"(?:[^\"\\\\]|\\\\.)*\"|[\\w.]+)";
    private static final Pattern DECLARATION =
        Pattern.compile("^\\s*(\\w+) \\[" + ATTRIBUTE + "(?:, " + ATTRIBUTE + ")*\\];$");
    private static final Pattern LABEL = Pattern.compile("label=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern EDGE = Pattern.compile("^\\s*(\\w+) -> (\\w+);$");

    private static Variable sampleGraph() {
        Variable x = Variable.param(Tensor.uniform(1, -1f, 1f, 2, 3)).named("x");
        Variable w = Variable.param(Tensor.uniform(2, -1f, 1f, 3, 4)).named("w");
        Variable b = Variable.constant(Tensor.zeros(4)).named("bias");
        Variable h = x.matmul(w).add(b).sigmoid();
        return h.mul(h).clamp(0f, 0.5f).sum().named("loss");
    }

    /** Declared ids and edges of a DOT text, checking the structure line by line. */
    private record Parsed(List<String> declared, List<String[]> edges) {
    }

    private static Parsed parse(String dot) {
        assertTrue(dot.startsWith("digraph"), "starts with digraph: " + dot.substring(0, Math.min(40, dot.length())));
        // Braces outside quoted labels balance and never close more than they opened.
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < dot.length(); i++) {
            char c = dot.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '{') {
                depth++;
            } else if (!quoted && c == '}') {
                depth--;
                assertTrue(depth >= 0, "a closing brace without an opening one at " + i);
            }
        }
        assertEquals(0, depth, "balanced braces");
        assertTrue(!quoted, "every quoted label is closed");
        List<String> declared = new ArrayList<>();
        List<String[]> edges = new ArrayList<>();
        String[] lines = dot.split("\n");
        for (int i = 1; i < lines.length - 1; i++) {
            String line = lines[i];
            Matcher d = DECLARATION.matcher(line);
            Matcher e = EDGE.matcher(line);
            if (e.matches()) {
                edges.add(new String[] {e.group(1), e.group(2)});
            } else if (d.matches()) {
                if (!d.group(1).equals("node")) {
                    declared.add(d.group(1));
                }
            } else {
                assertTrue(line.trim().equals("rankdir=LR;"), "an unexpected line: " + line);
            }
        }
        assertEquals("}", lines[lines.length - 1], "ends with the closing brace");
        return new Parsed(declared, edges);
    }

    @Test
    void showsOpNamesShapesAndLabels() {
        String dot = DotExporter.toDot(sampleGraph());
        for (String op : new String[] {"matmul", "add", "sigmoid", "mul", "clamp", "sum"}) {
            assertTrue(dot.contains("label=\"" + op), "op " + op + " appears as a node label:\n" + dot);
        }
        for (String shape : new String[] {"(2, 3)", "(3, 4)", "(4,)", "(2, 4)", "()"}) {
            assertTrue(dot.contains(shape), "shape " + shape + " appears:\n" + dot);
        }
        for (String name : new String[] {"x", "w", "bias", "loss"}) {
            assertTrue(dot.contains("label=\"" + name + "\\n"), "the name " + name + " labels its value:\n" + dot);
        }
        assertTrue(dot.contains("no grad"), "the constant is marked as not requiring a gradient");
    }

    @Test
    void isWellFormedWithEveryEdgeEndpointDeclaredOnce() {
        Parsed p = parse(DotExporter.toDot(sampleGraph()));
        Set<String> unique = new HashSet<>(p.declared());
        assertEquals(p.declared().size(), unique.size(), "no node is declared twice (h is used twice): " + p.declared());
        for (String[] e : p.edges()) {
            assertTrue(unique.contains(e[0]) && unique.contains(e[1]), "edge " + e[0] + " -> " + e[1] + " has declared ends");
        }
        // 6 ops, 7 values (x, w, bias, and the outputs of matmul, add, sigmoid, mul, clamp, sum minus the shared h).
        long ops = p.declared().stream().filter(s -> s.startsWith("op")).count();
        assertEquals(6, ops, "one node per op: " + p.declared());
        // Each op has one edge to its output and one per input (mul has h twice).
        int expectedEdges = 6 + (2 + 2 + 1 + 2 + 1 + 1);
        assertEquals(expectedEdges, p.edges().size(), "edges");
    }

    private static final String ODD_X = "say \"hi\" \\";
    private static final String ODD_Y = "C:\\temp\\\"q\"\nsecond line";

    private static Variable oddlyNamedGraph() {
        Variable x = Variable.param(Tensor.vector(1f, 2f)).named(ODD_X);
        return x.exp().named(ODD_Y).sum();
    }

    /** A DOT label as Graphviz reads it: \\ is a backslash, \" a quote, \n a line break. */
    private static String decode(String label) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c == '\\' && i + 1 < label.length()) {
                char next = label.charAt(++i);
                sb.append(next == 'n' ? '\n' : next);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void quotesBackslashesAndNewlinesInNamesStayInsideTheirLabel() {
        String dot = DotExporter.toDot(oddlyNamedGraph());
        Parsed p = parse(dot);
        assertEquals(5, p.declared().size(), "x, exp, its output, sum and its output: " + p.declared());
        List<String> labels = new ArrayList<>();
        Matcher m = LABEL.matcher(dot);
        while (m.find()) {
            labels.add(decode(m.group(1)));
        }
        assertTrue(labels.contains(ODD_X + "\n(2,)"), "x's label reads back as its name and shape: " + labels);
        assertTrue(labels.contains(ODD_Y + "\n(2,)"), "y's label reads back as its name and shape: " + labels);
    }

    @Test
    void graphvizRendersTheExport() throws Exception {
        Assumptions.assumeTrue(dotAvailable(), "Graphviz 'dot' is not installed: cannot render the export");
        String svg = render(DotExporter.toDot(sampleGraph()));
        assertTrue(svg.contains("<svg") && svg.contains("matmul") && svg.contains("sigmoid"),
            "the SVG shows the ops:\n" + svg);
        String odd = render(DotExporter.toDot(oddlyNamedGraph()));
        assertTrue(odd.contains("say &quot;hi&quot;"), "the SVG shows the quoted name:\n" + odd);
    }

    private static String render(String dot) throws Exception {
        Process process = new ProcessBuilder("dot", "-Tsvg").redirectErrorStream(false).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(dot.getBytes(StandardCharsets.UTF_8));
        }
        String svg = readAll(process.getInputStream());
        String err = readAll(process.getErrorStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "dot finished");
        assertEquals(0, process.exitValue(), "dot -Tsvg accepted the export; stderr: " + err);
        assertTrue(err.isBlank(), "dot printed no warning: " + err);
        return svg;
    }

    private static boolean dotAvailable() {
        try {
            Process p = new ProcessBuilder("dot", "-V").redirectErrorStream(true).start();
            readAll(p.getInputStream());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String readAll(InputStream s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
