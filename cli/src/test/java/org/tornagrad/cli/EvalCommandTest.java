package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.autograd.Variable;
import org.tornagrad.losses.Loss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;

class EvalCommandTest {
    @TempDir
    Path dir;

    private static final Tensor LOGITS = Tensor.of(new float[] {-2f, 0.5f, 3f, -0.25f, 1f, -4f, 0f, 2f}, 2, 1, 2, 2);
    private static final Tensor MASK = Tensor.of(new float[] {0f, 1f, 1f, 0f, 1f, 0f, 0f, 1f}, 2, 1, 2, 2);

    private String[] diceArgs(String... extra) {
        List<String> args = new ArrayList<>(List.of("eval", "dice",
            "inputs=" + TestData.write(dir, "x.npy", LOGITS), "targets=" + TestData.write(dir, "t.npy", MASK)));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Cli.Run run) {
        assertEquals(0, run.code(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertEquals(1, run.out().lines().count(), "exactly one line on stdout: " + run.out());
        return (Map<String, Object>) JsonReader.parse(run.out());
    }

    @Test
    void printsOneJsonObjectWhoseValueAndGradientMatchTheLibrary() {
        Cli.Run run = Cli.run(diceArgs("--grads", dir.resolve("g").toString()));
        Map<String, Object> out = json(run);

        assertEquals(List.of("loss", "backend", "value", "grads"), new ArrayList<>(out.keySet()));
        assertEquals("dice", out.get("loss"));
        assertEquals("java", out.get("backend"));
        Variable x = Variable.param(LOGITS);
        Variable loss = Losses.create("dice").compute(Map.of("inputs", x, "targets", Variable.constant(MASK)));
        loss.backward();
        // Printed with enough digits that it reads back to the very same float32.
        assertEquals(loss.data().item(), ((Double) out.get("value")).floatValue());
        assertEquals(Map.of("inputs", dir.resolve("g").resolve("inputs.npy").toString()), out.get("grads"));
        Tensor grad = Npy.read(dir.resolve("g").resolve("inputs.npy"));
        assertEquals(LOGITS.shape(), grad.shape());
        assertEquals(0.0, grad.maxAbsDiff(x.grad()));
    }

    @Test
    void reductionNonePrintsANestedArrayAndItsShapeAndTheGradientOfTheSum() {
        Map<String, Object> out = json(Cli.run(diceArgs("--option", "per_image=true", "--option", "reduction=none",
            "--grads", dir.toString())));

        assertEquals(List.of(2.0), out.get("shape"));
        List<?> value = (List<?>) out.get("value");
        Variable x = Variable.param(LOGITS);
        Variable terms = Losses.create("dice", Map.of("per_image", "true", "reduction", "none"))
            .compute(Map.of("inputs", x, "targets", Variable.constant(MASK)));
        assertEquals(terms.data().toArray()[0], ((Double) value.get(0)).floatValue());
        assertEquals(terms.data().toArray()[1], ((Double) value.get(1)).floatValue());
        terms.sum().backward();
        assertEquals(0.0, Npy.read(dir.resolve("inputs.npy")).maxAbsDiff(x.grad()));
    }

    @Test
    void rank4NoneOutputNestsOneListPerDimension() {
        Tensor t = Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 1, 2, 3);
        assertEquals("[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]", Json.array(t));
        assertEquals("1.0E-5", Json.number(1e-5f));
        assertEquals(1e-5f, ((Double) JsonReader.parse(Json.number(1e-5f))).floatValue());
        assertEquals("null", Json.number(Float.NaN));
        assertEquals("\"a\\\"b\\\\c\\n\"", Json.string("a\"b\\c\n"));
    }

    @Test
    void withoutGradsWritesIntoGradsBesideTheInputsAndNothingIntoTheTemporaryFolder() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = tornagradFoldersIn(tmp);
        Map<String, Object> out = json(Cli.run(diceArgs()));
        Path grad = Path.of((String) ((Map<?, ?>) out.get("grads")).get("inputs"));
        assertEquals(dir.resolve("grads").resolve("inputs.npy").toAbsolutePath(), grad);
        assertTrue(Files.isRegularFile(grad), grad::toString);
        assertEquals(before, tornagradFoldersIn(tmp), "a tornagrad-grads-* folder was left in " + tmp);
        // A second call replaces the files rather than failing or making another folder.
        assertEquals(grad.toString(), ((Map<?, ?>) json(Cli.run(diceArgs())).get("grads")).get("inputs"));
    }

    private static long tornagradFoldersIn(Path tmp) throws IOException {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("tornagrad-grads-")).count();
        }
    }

    @Test
    void compiledBackendRunsTheCompiledPathWithTheEagerValueAndGradient() {
        Map<String, Object> out = json(Cli.run(diceArgs("--backend", "compiled", "--grads", dir.resolve("c").toString())));
        assertEquals("compiled", out.get("backend"));
        Variable x = Variable.param(LOGITS);
        Variable loss = Losses.create("dice").compute(Map.of("inputs", x, "targets", Variable.constant(MASK)));
        loss.backward();
        assertEquals(loss.data().item(), ((Double) out.get("value")).floatValue(), 1e-6);
        Tensor grad = Npy.read(dir.resolve("c").resolve("inputs.npy"));
        assertTrue(grad.allClose(x.grad(), 1e-5, 1e-9), grad + " vs " + x.grad());
    }

    @Test
    void backendOptionRunsOnThatBackendAndSaysSo() {
        Map<String, Object> out = json(Cli.run(diceArgs("--backend", "parallel", "--grads", dir.toString())));
        assertEquals("parallel", out.get("backend"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "bce-dice", "iou", "focal", "active-contour", "boundary", "ccs"})
    void everyLossWritesAFloat32GradientOfItsInputShapeForEachDifferentiatedInput(String lossName) {
        Map<String, Tensor> inputs = TestData.inputs(lossName);
        List<String> args = new ArrayList<>(List.of("eval", lossName));
        args.addAll(List.of(TestData.args(dir, inputs)));
        args.addAll(List.of("--grads", dir.resolve("g").toString()));
        Map<String, Object> out = json(Cli.run(args.toArray(new String[0])));

        Loss loss = Losses.create(lossName);
        Map<String, Variable> vars = LossInputs.variables(loss, inputs);
        Variable value = loss.compute(vars);
        value.backward();
        assertEquals(value.data().item(), ((Double) out.get("value")).floatValue());
        Map<String, String> expectedFiles = new LinkedHashMap<>();
        for (String name : loss.differentiated()) {
            Path file = dir.resolve("g").resolve(name + ".npy");
            expectedFiles.put(name, file.toString());
            Tensor g = Npy.read(file);
            assertEquals(inputs.get(name).shape(), g.shape());
            assertEquals(0.0, g.maxAbsDiff(vars.get(name).grad()), name);
        }
        assertEquals(expectedFiles, out.get("grads"));
    }

    // ---- errors: exit 2, nothing on stdout, exactly one line on stderr naming the problem -------

    private static void assertUsageError(Cli.Run run, String... fragments) {
        assertEquals(2, run.code(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("tornagrad eval: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), () -> "expected '" + f + "' in: " + line);
        }
    }

    @Test
    void anOptionGivenTwiceNamesBothValues() {
        // picocli said "option '--grads' (DIR) should be specified only once", without the values.
        assertUsageError(Cli.run("eval", "dice", "inputs=a.npy", "--grads", "g1", "--grads", "g2"),
            "--grads: expected once, got 'g1' and 'g2'");
        assertUsageError(Cli.run("eval", "dice", "inputs=a.npy", "--backend=java", "--backend", "compiled"),
            "--backend: expected once, got 'java' and 'compiled'");
    }

    @Test
    void unknownLoss() {
        assertUsageError(Cli.run("eval", "dyce", "inputs=a.npy"),
            "loss: expected one of [dice, bce-dice, iou, focal, active-contour, boundary, ccs], got 'dyce'");
    }

    @Test
    void missingLoss() {
        assertUsageError(Cli.run("eval"), "Missing required parameter: 'LOSS'");
    }

    @Test
    void missingInput() {
        assertUsageError(Cli.run("eval", "dice", "inputs=" + TestData.write(dir, "x.npy", LOGITS)),
            "inputs: expected inputs, targets for dice, missing 'targets'");
    }

    @Test
    void unknownInputName() {
        assertUsageError(Cli.run(diceArgs("logits=x.npy")), "input name: expected one of [inputs, targets] for dice, got 'logits'");
    }

    @Test
    void inputWithoutAFile() {
        assertUsageError(Cli.run(diceArgs("x.npy")), "input argument: expected NAME=FILE.npy", "got 'x.npy'");
    }

    @Test
    void inputGivenTwice() {
        assertUsageError(Cli.run(diceArgs("inputs=" + dir.resolve("x.npy"))), "input inputs: expected once, got it twice");
    }

    @Test
    void missingFile() {
        assertUsageError(Cli.run("eval", "dice", "inputs=" + dir.resolve("nope.npy"), "targets=" + dir.resolve("nope.npy")),
            "nope.npy: no such file");
    }

    @Test
    void malformedNpy() throws IOException {
        Path bad = dir.resolve("bad.npy");
        Files.writeString(bad, "this is not a numpy file");
        assertUsageError(Cli.run("eval", "dice", "inputs=" + bad, "targets=" + TestData.write(dir, "t.npy", MASK)),
            bad.toString());
    }

    @Test
    void unsupportedDtype() throws IOException {
        Path complex = TestData.rawNpy(dir, "c.npy", "<c8", 8, 2, 1, 2, 2);
        assertUsageError(Cli.run("eval", "dice", "inputs=" + complex, "targets=" + TestData.write(dir, "t.npy", MASK)),
            "c.npy", "unsupported dtype '<c8'");
    }

    @Test
    void shapeMismatch() {
        Path targets = TestData.write(dir, "t3.npy", Tensor.zeros(2, 1, 2));
        assertUsageError(Cli.run("eval", "dice", "inputs=" + TestData.write(dir, "x.npy", LOGITS), "targets=" + targets),
            "targets: expected shape (2, 1, 2, 2)", "got (2, 1, 2)");
    }

    @Test
    void rankMismatch() {
        Map<String, Tensor> in = TestData.inputs("ccs");
        in = new LinkedHashMap<>(in);
        in.put("anchors", Tensor.zeros(6, 4));
        List<String> args = new ArrayList<>(List.of("eval", "ccs"));
        args.addAll(List.of(TestData.args(dir, in)));
        assertUsageError(Cli.run(args.toArray(new String[0])), "anchors: expected rank 3", "got shape (6, 4)");
    }

    @Test
    void notANumber() {
        float[] v = LOGITS.toArray();
        v[3] = Float.NaN;
        Path x = TestData.write(dir, "nan.npy", Tensor.of(v, 2, 1, 2, 2));
        assertUsageError(Cli.run("eval", "dice", "inputs=" + x, "targets=" + TestData.write(dir, "t.npy", MASK)),
            "inputs: expected finite values, got NaN");
    }

    @Test
    void infinity() {
        float[] v = LOGITS.toArray();
        v[0] = Float.POSITIVE_INFINITY;
        Path x = TestData.write(dir, "inf.npy", Tensor.of(v, 2, 1, 2, 2));
        assertUsageError(Cli.run("eval", "dice", "inputs=" + x, "targets=" + TestData.write(dir, "t.npy", MASK)),
            "expected finite values, got Infinity");
    }

    @Test
    void badLabels() {
        Map<String, Tensor> in = new LinkedHashMap<>(TestData.inputs("boundary"));
        float[] gt = in.get("gt").toArray();
        gt[5] = 1.5f;
        in.put("gt", Tensor.of(gt, in.get("gt").shape().dims()));
        List<String> args = new ArrayList<>(List.of("eval", "boundary"));
        args.addAll(List.of(TestData.args(dir, in)));
        assertUsageError(Cli.run(args.toArray(new String[0])), "gt: expected integer labels, got 1.5");
    }

    @Test
    void targetsOutsideZeroOne() {
        Path t = TestData.write(dir, "t2.npy", MASK.mul(2f));
        assertUsageError(Cli.run("eval", "dice", "inputs=" + TestData.write(dir, "x.npy", LOGITS), "targets=" + t),
            "targets: expected values in [0", "got 2.0");
    }

    @Test
    void unknownOption() {
        assertUsageError(Cli.run(diceArgs("--option", "smoth=1")), "dice option smoth", "unknown option 'smoth'");
    }

    @Test
    void badOptionValue() {
        assertUsageError(Cli.run(diceArgs("--option", "reduction=avg")),
            "dice option reduction: expected one of mean, sum, none, got 'avg'");
    }

    @Test
    void badBooleanOption() {
        assertUsageError(Cli.run(diceArgs("--option", "per_image=yes")), "per_image: expected true or false, got 'yes'");
    }

    @Test
    void optionWithoutValue() {
        assertUsageError(Cli.run(diceArgs("--option", "smooth")), "KEY=VALUE");
    }

    @Test
    void unknownBackend() {
        assertUsageError(Cli.run(diceArgs("--backend", "quantum")), "--backend: expected a backend or compiler, one of [java, parallel, compiled",
            "got 'quantum'");
    }

    @Test
    void unknownFlag() {
        assertUsageError(Cli.run(diceArgs("--frobnicate")), "Unknown option: '--frobnicate'");
    }

    @Test
    void gradsIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertUsageError(Cli.run(diceArgs("--grads", file.toString())), "--grads: expected a directory, got the file");
    }

    @Test
    void gradsWouldOverwriteAnInput() {
        Path x = TestData.write(dir, "inputs.npy", LOGITS);
        Cli.Run run = Cli.run("eval", "dice", "inputs=" + x, "targets=" + TestData.write(dir, "t.npy", MASK),
            "--grads", dir.toString());
        assertUsageError(run, "would not overwrite input inputs");
        assertEquals(0.0, Npy.read(x).maxAbsDiff(LOGITS), "the input file is untouched");
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "compiled"})
    void aNanGradientIsRefusedNotWritten(String backend) {
        // Focal with gamma = 0.5: (1 - p_t)^gamma has an infinite derivative where p_t = 1, so a
        // saturated, right prediction (logit 100, target 1) gets 0 * inf = NaN, as in PyTorch.
        Tensor x = Tensor.of(new float[] {100f, -100f, 0.3f, -0.2f}, 1, 1, 2, 2);
        Tensor t = Tensor.of(new float[] {1f, 0f, 1f, 0f}, 1, 1, 2, 2);
        Path grads = dir.resolve("g");
        Cli.Run run = Cli.run("eval", "focal", "inputs=" + TestData.write(dir, "x.npy", x),
            "targets=" + TestData.write(dir, "t.npy", t), "--option", "gamma=0.5", "--option", "variant=per-element",
            "--backend", backend, "--grads", grads.toString());
        assertUsageError(run, "gradient of 'inputs': expected finite values, got NaN at index [0, 0, 0, 0]",
            "use gamma = 0 or gamma >= 1");
        assertTrue(!Files.exists(grads.resolve("inputs.npy")), "no gradient file is written");
        // The same inputs with gamma = 1 have a finite gradient, and pass.
        json(Cli.run("eval", "focal", "inputs=" + dir.resolve("x.npy"), "targets=" + dir.resolve("t.npy"),
            "--option", "gamma=1", "--option", "variant=per-element", "--backend", backend));
    }

    @Test
    void aNonFiniteValueIsRefusedNotPrintedAsNull() {
        // The losses refuse the inputs and options that would overflow (class weights too large
        // for a sum, say); this is the last line of defence, as JSON would print null.
        IllegalArgumentException scalar = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> EvalCommand.requireFiniteValue(Tensor.scalar(Float.POSITIVE_INFINITY)));
        assertEquals("loss value: expected a finite float32, got Infinity (an input or option so large that float32"
            + " overflows)", scalar.getMessage());
        IllegalArgumentException terms = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> EvalCommand.requireFiniteValue(Tensor.of(new float[] {0.5f, Float.NaN}, 2)));
        assertTrue(terms.getMessage().contains("got NaN at index [1]"), terms.getMessage());
        EvalCommand.requireFiniteValue(Tensor.of(new float[] {0.5f, 0.25f}, 2));
    }

    @Test
    void anEmptyGradsFolderIsRefused() {
        assertUsageError(Cli.run(diceArgs("--grads", "")), "--grads: expected a directory, got ''");
    }
}
