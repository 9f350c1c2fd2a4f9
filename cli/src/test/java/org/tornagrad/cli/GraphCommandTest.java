package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.autograd.DotExporter;
import org.tornagrad.autograd.Variable;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

class GraphCommandTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dice", "bce-dice", "iou", "focal", "active-contour", "boundary", "ccs"})
    void writesTheDotGraphOfEachLossOnMadeUpInputs(String loss) {
        Cli.Run run = Cli.run("graph", loss);
        assertEquals(0, run.code(), run::toString);
        assertEquals("", run.err());
        assertTrue(run.out().startsWith("digraph autograd {"), run.out());
        assertTrue(run.out().contains(loss + " loss"), "the root is labelled");
        String differentiated = Losses.create(loss).differentiated().get(0);
        assertTrue(run.out().contains("label=\"" + differentiated + "\\n"), "the input is labelled");
    }

    @Test
    void graphOfFileInputsIsTheLibrarysGraph() {
        Tensor x = Tensor.randn(3, 1, 1, 4, 4);
        Tensor t = Tensor.uniform(4, 0f, 1f, 1, 1, 4, 4);
        Cli.Run run = Cli.run("graph", "iou", "inputs=" + TestData.write(dir, "x.npy", x),
            "targets=" + TestData.write(dir, "t.npy", t));
        assertEquals(0, run.code(), run::toString);
        Loss loss = Losses.create("iou");
        Variable value = loss.compute(Map.of("inputs", Variable.param(x).named("inputs"),
            "targets", Variable.constant(t).named("targets")));
        assertEquals(DotExporter.toDot(value.named("iou loss")), run.out());
    }

    @Test
    void shapeSetsTheMadeUpInputs() {
        Cli.Run run = Cli.run("graph", "boundary", "--shape", "2x4x10x10");
        assertEquals(0, run.code(), run::toString);
        assertTrue(run.out().contains("pred\\n(2, 4, 10, 10)"), run.out());
        Cli.Run named = Cli.run("graph", "dice", "--shape", "inputs=3,2,5", "--option", "mode=multiclass");
        assertEquals(0, named.code(), named::toString);
        assertTrue(named.out().contains("inputs\\n(3, 2, 5)"), named.out());
    }

    @Test
    void madeUpInputsTakeTheirShapesFromAGivenTargetFile() {
        Tensor mask = Tensor.of(new float[] {0f, 1f, 1f, 0f, 1f, 0f, 0f, 1f}, 2, 1, 2, 2);
        Map<String, Tensor> binary = SyntheticInputs.complete(Losses.create("dice"), Map.of(),
            Map.of("targets", mask), Map.of());
        assertEquals("(2, 1, 2, 2)", binary.get("inputs").shape().toString());
        Tensor labels = Tensor.of(new float[] {0f, 4f, 1f, 2f, 0f, 1f}, 2, 3);
        Map<String, Tensor> multiclass = SyntheticInputs.complete(Losses.create("dice", Map.of("mode", "multiclass")),
            Map.of("mode", "multiclass"), Map.of("targets", labels), Map.of());
        assertEquals("(2, 5, 3)", multiclass.get("inputs").shape().toString(), "classes cover label 4");
        Map<String, Tensor> boundary = SyntheticInputs.complete(Losses.create("boundary"), Map.of(),
            Map.of("gt", Tensor.zeros(2, 1, 6, 7)), Map.of());
        assertEquals("(2, 3, 6, 7)", boundary.get("pred").shape().toString());
        Map<String, Tensor> ccs = SyntheticInputs.complete(Losses.create("ccs"), Map.of(),
            Map.of("anchors", Tensor.zeros(3, 5, 4), "weights", Tensor.zeros(2, 4)), Map.of());
        assertEquals("(3, 5, 2)", ccs.get("embeddings").shape().toString());
        assertEquals("(3, 2, 5)", ccs.get("annotations").shape().toString());
        // And the command itself draws the graph of a target file alone.
        Cli.Run run = Cli.run("graph", "dice", "targets=" + TestData.write(dir, "t.npy", mask));
        assertEquals(0, run.code(), run::toString);
        assertTrue(run.out().startsWith("digraph"), run.out());
    }

    @Test
    void madeUpInputsTakeTheirShapesFromThePrimaryOne() {
        Map<String, Tensor> boundary = SyntheticInputs.complete(Losses.create("boundary"), Map.of(), Map.of(),
            Map.of("pred", new int[] {2, 4, 10, 10}));
        assertEquals("(2, 10, 10)", boundary.get("gt").shape().toString());
        float[] gt = boundary.get("gt").toArray();
        for (float v : gt) {
            assertTrue(v == Math.rint(v) && v >= 0 && v <= 3, "labels in [0, C-1]: " + v);
        }
        Map<String, Tensor> multiclass = SyntheticInputs.complete(Losses.create("dice", Map.of("mode", "multiclass")),
            Map.of("mode", "multiclass"), Map.of(), Map.of("inputs", new int[] {3, 2, 5}));
        assertEquals("(3, 5)", multiclass.get("targets").shape().toString());
        Map<String, Tensor> ccs = SyntheticInputs.complete(Losses.create("ccs"), Map.of(), Map.of(),
            Map.of("embeddings", new int[] {2, 7, 3}));
        assertEquals("(2, 7, 4)", ccs.get("anchors").shape().toString());
        assertEquals("(3, 3)", ccs.get("weights").shape().toString());
        assertEquals("(2, 2, 5)", ccs.get("annotations").shape().toString());
        // Annotations copy the first anchors, so the graph has selected anchors to show.
        assertEquals(ccs.get("anchors").get(1, 0, 2), ccs.get("annotations").get(1, 0, 2));
    }

    @Test
    void compiledBackendPrintsTheCompiledProgramNotTheEagerGraph() {
        Cli.Run run = Cli.run("graph", "dice", "--shape", "1x1x8x8", "--backend", "compiled");
        assertEquals(0, run.code(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertTrue(run.out().startsWith("// dice loss and gradients, compiled for inputs (1, 1, 8, 8), targets"), run.out());
        assertTrue(run.out().lines().findFirst().orElseThrow().endsWith("(--backend compiled)"), run.out());
        assertTrue(run.out().contains("input inputs = %") && run.out().contains("fused n="), run.out());
        assertTrue(run.out().contains("output grad:inputs = %"), run.out());
        assertFalse(run.out().contains("digraph"), run.out());

        Cli.Run loops = Cli.run("graph", "dice", "--shape", "1x1x8x8", "--backend", "compiled", "--kernels");
        assertEquals(0, loops.code(), loops::toString);
        // This module's tests run without the vector module: the source says why there is none.
        assertTrue(loops.out().startsWith(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
            ? "// no generated loops: " : "// "), loops.out());

        Cli.Run svg = Cli.run("graph", "dice", "--backend", "compiled", "--format", "svg");
        assertEquals(2, svg.code(), svg::toString);
        assertEquals(List.of("tornagrad graph: --format: expected dot (the default) with --backend compiled, which"
            + " writes the compiled program's listing (text), not a graph; got svg"), svg.errLines());
    }

    @Test
    void outWritesTheFileAndNothingOnStdout() throws IOException {
        Path out = dir.resolve("g.dot");
        Cli.Run run = Cli.run("graph", "ccs", "--out", out.toString());
        assertEquals(0, run.code(), run::toString);
        assertEquals("", run.out());
        assertTrue(Files.readString(out).startsWith("digraph autograd {"));
    }

    @Test
    void svgThroughGraphviz() throws IOException {
        Assumptions.assumeTrue(dotInstalled(), "Graphviz's dot is not installed");
        Path out = dir.resolve("g.svg");
        Cli.Run run = Cli.run("graph", "dice", "--format", "svg", "--out", out.toString());
        assertEquals(0, run.code(), run::toString);
        String svg = Files.readString(out);
        assertTrue(svg.contains("<svg") && svg.contains("dice loss"), svg);
    }

    private static boolean dotInstalled() {
        try {
            GraphCommand.findDot();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void assertUsageError(Cli.Run run, String... fragments) {
        assertEquals(2, run.code(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        for (String f : fragments) {
            assertTrue(run.errLines().get(0).contains(f), () -> "expected '" + f + "' in " + run.errLines());
        }
    }

    @Test
    void svgWithoutGraphvizNamesThePackage() {
        String before = System.getProperty(GraphCommand.DOT_PROPERTY);
        System.setProperty(GraphCommand.DOT_PROPERTY, "no-such-graphviz-dot-program");
        try {
            assertUsageError(Cli.run("graph", "dice", "--format", "svg"),
                "tornagrad graph: --format svg:", "install the graphviz package (e.g. apt-get install graphviz)");
        } finally {
            if (before == null) {
                System.clearProperty(GraphCommand.DOT_PROPERTY);
            } else {
                System.setProperty(GraphCommand.DOT_PROPERTY, before);
            }
        }
    }

    @Test
    void anOutThatCannotBeWrittenSaysWhyInWords() {
        // It ended in '(FileSystemException)', a Java class name, not the reason.
        assertUsageError(Cli.run("graph", "dice", "--out", dir.toString()),
            "--out: expected a writable file, got '" + dir + "' (Is a directory)");
        Path missing = dir.resolve("no-such-dir").resolve("g.dot");
        assertUsageError(Cli.run("graph", "dice", "--out", missing.toString()),
            "--out: expected a writable file, got '" + missing + "' (no such file or directory: " + missing + ")");
    }

    @Test
    void badFormat() {
        assertUsageError(Cli.run("graph", "dice", "--format", "png"), "--format: expected dot or svg, got 'png'");
    }

    @Test
    void badShape() {
        assertUsageError(Cli.run("graph", "dice", "--shape", "2xbx3"), "--shape: expected [NAME=]DIMS", "got '2xbx3'");
        assertUsageError(Cli.run("graph", "dice", "--shape", "logits=2x3"), "--shape input name: expected one of [inputs, targets]");
    }

    @Test
    void aRepeatedShapeIsAnErrorNotLastOneWins() {
        assertUsageError(Cli.run("graph", "dice", "--shape", "1x1x4x4", "--shape", "2x1x4x4"),
            "--shape: expected at most one shape for inputs, got '1x1x4x4' and '2x1x4x4'");
        assertUsageError(Cli.run("graph", "dice", "--shape", "1x1x4x4", "--shape", "inputs=2x1x4x4"),
            "--shape: expected at most one shape for inputs, got '1x1x4x4' and 'inputs=2x1x4x4'");
        assertUsageError(Cli.run("graph", "boundary", "--shape", "gt=2x4x4", "--shape", "gt=2x4x4"),
            "--shape: expected at most one shape for gt, got 'gt=2x4x4' and 'gt=2x4x4'");
    }

    @Test
    void aShapeForAnInputReadFromAFileIsAnErrorNotIgnored() {
        // The file's shape won and the --shape was dropped without a word.
        String x = TestData.write(dir, "x.npy", Tensor.randn(1, 2, 1, 4, 4)).toString();
        assertUsageError(Cli.run("graph", "dice", "inputs=" + x, "--shape", "1x1x8x8"),
            "--shape: expected a shape only for an input not read from a file, got '1x1x8x8' for inputs, which is read"
                + " from '" + x + "'");
        assertUsageError(Cli.run("graph", "dice", "inputs=" + x, "--shape", "inputs=2x1x4x4"),
            "got 'inputs=2x1x4x4' for inputs, which is read from '" + x + "'");
        Cli.Run other = Cli.run("graph", "dice", "inputs=" + x, "--shape", "targets=2x1x4x4");
        assertEquals(0, other.code(), other::toString);
    }

    @Test
    void inconsistentShapesAreTheLossesError() {
        assertUsageError(Cli.run("graph", "dice", "--shape", "inputs=2x1x4x4", "--shape", "targets=2x1x4x5"),
            "targets: expected shape (2, 1, 4, 4)");
    }

    @Test
    void unknownLossAndMissingFile() {
        assertUsageError(Cli.run("graph", "hinge"), "loss: expected one of");
        List<String> args = new ArrayList<>(List.of("graph", "dice", "inputs=" + dir.resolve("none.npy")));
        assertUsageError(Cli.run(args.toArray(new String[0])), "none.npy: no such file");
    }
}
