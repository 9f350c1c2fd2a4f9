package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation's Java from drifting: every ```java block of README.md and docs/*.md
 * must appear in the test that runs it. Import lines must be imports of that test; the other lines
 * must appear there in the same order with nothing between them (indentation and blank lines
 * aside). A doc with Java that no test here can run says why in {@link #NOT_RUN_HERE}.
 */
class DocsCodeBlocksTest {
    private static final Path ROOT = Path.of("..");
    private static final Path TESTS = Path.of("src/test/java/org/tornagrad/losses");

    /** Which test runs each document's Java blocks. */
    private static final Map<String, String> RUN_BY = Map.of(
        "README.md", "ReadmeExampleTest.java",
        "docs/learn-autograd.md", "LearnAutogradTourTest.java");

    /** Documents whose Java needs what the losses module's tests do not have. */
    private static final Map<String, String> NOT_RUN_HERE = Map.of(
        "docs/tornadovm.md", "needs a TornadoVM SDK and device; CompiledLossOnTornadoTest (tornado module) runs the same calls");

    @Test
    void everyJavaBlockOfTheDocsIsInTheTestThatRunsIt() throws IOException {
        List<String> docs = new ArrayList<>();
        docs.add("README.md");
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md"))
                .map(p -> "docs/" + p.getFileName())
                .sorted()
                .forEach(docs::add);
        }
        int checked = 0;
        for (String doc : docs) {
            List<List<String>> blocks = javaBlocks(Files.readString(ROOT.resolve(doc), StandardCharsets.UTF_8));
            if (blocks.isEmpty() || NOT_RUN_HERE.containsKey(doc)) {
                continue;
            }
            String test = RUN_BY.get(doc);
            if (test == null) {
                fail(doc + " has " + blocks.size() + " ```java block(s) but no test runs them: add one to RUN_BY");
            }
            List<String> source = normalized(Files.readAllLines(TESTS.resolve(test), StandardCharsets.UTF_8));
            for (List<String> block : blocks) {
                List<String> body = new ArrayList<>();
                for (String line : normalized(block)) {
                    if (line.startsWith("import ")) {
                        assertTrue(source.contains(line), doc + ": " + test + " lacks the block's '" + line + "'");
                    } else {
                        body.add(line);
                    }
                }
                assertTrue(indexOf(source, body) >= 0, doc + ": this block is not verbatim in " + test
                    + " (edit both together):\n" + String.join("\n", body));
                checked++;
            }
        }
        assertTrue(checked >= 3, "expected the README's blocks at least, checked " + checked);
    }

    @Test
    void theCheckFindsABlockAndRejectsAnEditedOne() {
        List<List<String>> blocks = javaBlocks("text\n```java\nimport a.B;\n\nint x = 1;\n  x++;\n```\n```bash\nls\n```\n");
        assertEquals(List.of(List.of("import a.B;", "", "int x = 1;", "  x++;")), blocks);
        List<String> source = normalized(List.of("class T {", "    void t() {", "        int x = 1;", "", "        x++;", "    }"));
        assertTrue(indexOf(source, normalized(List.of("int x = 1;", "  x++;"))) >= 0);
        assertEquals(-1, indexOf(source, normalized(List.of("int x = 2;", "x++;"))));
    }

    static List<List<String>> javaBlocks(String markdown) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : markdown.split("\n", -1)) {
            String t = line.trim();
            if (current == null && t.equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && t.equals("```")) {
                blocks.add(current);
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    /** Lines without surrounding whitespace, blank lines dropped. */
    static List<String> normalized(List<String> lines) {
        return lines.stream().map(String::trim).filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }

    static int indexOf(List<String> haystack, List<String> needle) {
        return java.util.Collections.indexOfSubList(haystack, needle);
    }
}
