package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Shape;
import org.tornagrad.tensor.Tensor;

/** Values of the region losses against {@link RegionReference}, and the contract's edge rules. */
class RegionLossTest {
    private static final String[] LOSSES = {"dice", "iou", "bce-dice", "focal"};

    /** A case: loss, options, input and target tensors. */
    record Case(String loss, Map<String, String> options, Tensor inputs, Tensor targets) {
        @Override
        public String toString() {
            return loss + " " + options + " " + inputs.shape();
        }
    }

    static Map<String, String> opts(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Tensor mask(long seed, int... dims) {
        return Tensor.uniform(seed, 0f, 1f, dims).lt(Tensor.scalar(0.5f));
    }

    static Tensor labels(long seed, int classes, int... dims) {
        float[] u = Tensor.uniform(seed, 0f, classes, dims).toArray();
        for (int i = 0; i < u.length; i++) {
            u[i] = Math.min(classes - 1, (float) Math.floor(u[i]));
        }
        return Tensor.of(u, dims);
    }

    static Tensor withSome(Tensor t, long seed, float fraction, float value) {
        float[] d = t.toArray();
        float[] u = Tensor.uniform(seed, 0f, 1f, d.length).toArray();
        for (int i = 0; i < d.length; i++) {
            if (u[i] < fraction) {
                d[i] = value;
            }
        }
        return Tensor.of(d, t.shape().dims());
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long seed = 1;
        for (String loss : LOSSES) {
            seed += 100;
            List<Case> cs = new ArrayList<>();
            cs.add(new Case(loss, opts(), Tensor.randn(seed, 2, 1, 5, 6).mul(2f), mask(seed + 1, 2, 1, 5, 6)));
            cs.add(new Case(loss, opts("per_image", "true", "reduction", "none"),
                Tensor.randn(seed + 2, 3, 2, 3, 3).mul(2f), mask(seed + 3, 3, 2, 3, 3)));
            Tensor multilabelTargets = withSome(mask(seed + 4, 2, 3, 4, 4), seed + 5, 0.2f, 255f);
            float[] t = multilabelTargets.toArray();
            Arrays.fill(t, 16, 32, 255f);   // class 1 of image 0 entirely ignored
            Arrays.fill(t, 64, 80, 255f);   // and of image 1: its group is empty
            cs.add(new Case(loss, opts("mode", "multilabel", "ignore_index", "255", "class_weights", "0.5,3,1"),
                Tensor.randn(seed + 6, 2, 3, 4, 4).mul(2f), Tensor.of(t, 2, 3, 4, 4)));
            cs.add(new Case(loss, opts("mode", "multiclass", "per_image", "true", "ignore_index", "255",
                "include_background", "false", "reduction", "none"),
                Tensor.randn(seed + 7, 2, 3, 4, 5).mul(2f), withSome(labels(seed + 8, 3, 2, 4, 5), seed + 9, 0.3f, 255f)));
            cs.add(new Case(loss, opts("mode", "multiclass", "classes", "2,0", "class_weights", "2,1,0.25", "reduction", "sum"),
                Tensor.randn(seed + 10, 2, 3, 5, 3).mul(2f), labels(seed + 11, 3, 2, 5, 3)));
            cs.add(new Case(loss, opts("from_logits", "false", "mode", "multilabel", "per_image", "true"),
                Tensor.uniform(seed + 12, 0.02f, 0.98f, 2, 2, 3, 4), Tensor.uniform(seed + 13, 0f, 1f, 2, 2, 3, 4)));
            if (loss.equals("focal")) {
                cs.add(new Case(loss, opts("variant", "per-element", "alpha", "0.25", "gamma", "1.5"),
                    Tensor.randn(seed + 14, 2, 1, 4, 4).mul(2f), Tensor.uniform(seed + 15, 0f, 1f, 2, 1, 4, 4)));
                cs.add(new Case(loss, opts("variant", "per-element", "mode", "multiclass", "ignore_index", "-1"),
                    Tensor.randn(seed + 16, 2, 4, 3, 3).mul(2f), withSome(labels(seed + 17, 4, 2, 3, 3), seed + 18, 0.2f, -1f)));
                cs.add(new Case(loss, opts("alpha", "0.5", "gamma", "0"), Tensor.randn(seed + 19, 7).mul(2f), mask(seed + 20, 7)));
            } else {
                cs.add(new Case(loss, opts("smooth", "0", "eps", "1e-7"), Tensor.randn(seed + 14, 2, 1, 4, 4).mul(2f),
                    mask(seed + 15, 2, 1, 4, 4)));
                cs.add(new Case(loss, opts("smooth_numerator", "0.5", "smooth_denominator", "2", "eps", "50"),
                    Tensor.randn(seed + 16, 3, 5).mul(2f), mask(seed + 17, 3, 5)));
            }
            cs.forEach(c -> out.add(Arguments.of(c)));
        }
        return out.stream();
    }

    static RegionReference reference(String loss, Map<String, String> o) {
        RegionReference r = new RegionReference();
        r.loss = loss;
        r.mode = o.getOrDefault("mode", "binary");
        r.fromLogits = Boolean.parseBoolean(o.getOrDefault("from_logits", "true"));
        r.ignoreIndex = o.containsKey("ignore_index") ? Integer.valueOf(o.get("ignore_index")) : null;
        r.includeBackground = Boolean.parseBoolean(o.getOrDefault("include_background", "true"));
        r.classes = o.containsKey("classes") ? Arrays.stream(o.get("classes").split(",")).mapToInt(Integer::parseInt).toArray() : null;
        r.classWeights = o.containsKey("class_weights")
            ? Arrays.stream(o.get("class_weights").split(",")).mapToDouble(Double::parseDouble).toArray() : null;
        r.perImage = Boolean.parseBoolean(o.getOrDefault("per_image", "false"));
        r.reduction = o.getOrDefault("reduction", "mean");
        double smooth = Double.parseDouble(o.getOrDefault("smooth", "1"));
        r.smoothNumerator = Double.parseDouble(o.getOrDefault("smooth_numerator", String.valueOf(smooth)));
        r.smoothDenominator = Double.parseDouble(o.getOrDefault("smooth_denominator", String.valueOf(smooth)));
        r.eps = Double.parseDouble(o.getOrDefault("eps", "0"));
        r.variant = o.getOrDefault("variant", "seed");
        r.alpha = Double.parseDouble(o.getOrDefault("alpha", "0.8"));
        r.gamma = Double.parseDouble(o.getOrDefault("gamma", "2"));
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valueMatchesTheDoubleLoopReference(Case c) {
        Loss loss = Losses.create(c.loss(), c.options());
        Variable value = loss.compute(Map.of("inputs", Variable.param(c.inputs()), "targets", Variable.constant(c.targets())));
        double[] expected = reference(c.loss(), c.options()).compute(c.inputs().toArray(), c.inputs().shape().dims(),
            c.targets().toArray());
        float[] actual = value.data().toArray();
        assertEquals(expected.length, actual.length, "number of loss values");
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected[i], actual[i], 2e-5 * Math.abs(expected[i]) + 2e-6, "loss value " + i + " of " + c);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void reductionNoneHasTheContractsShapes(String name) {
        Tensor x = Tensor.randn(7, 3, 4, 2, 2);
        Tensor masks = mask(8, 3, 4, 2, 2);
        Tensor labels = labels(9, 4, 3, 2, 2);
        assertEquals(Shape.of(), shapeOf(name, opts("reduction", "none"), x, masks));
        assertEquals(Shape.of(3), shapeOf(name, opts("reduction", "none", "per_image", "true"), x, masks));
        assertEquals(Shape.of(2), shapeOf(name, opts("reduction", "none", "mode", "multilabel", "classes", "3,1,3"), x, masks));
        assertEquals(Shape.of(3, 3), shapeOf(name, opts("reduction", "none", "mode", "multiclass", "per_image", "true",
            "include_background", "false"), x, labels));
    }

    private static Shape shapeOf(String name, Map<String, String> o, Tensor x, Tensor t) {
        return Losses.create(name, o).compute(Map.of("inputs", Variable.param(x), "targets", Variable.constant(t))).shape();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void meanWithEveryGroupIgnoredIsZeroWithZeroGradient(String name) {
        Variable x = Variable.param(Tensor.randn(3, 2, 3, 2, 2));
        Variable value = Losses.create(name, opts("mode", "multiclass", "ignore_index", "9"))
            .compute(Map.of("inputs", x, "targets", Variable.constant(Tensor.full(9f, 2, 2, 2))));
        assertEquals(0f, value.data().item());
        value.backward();
        assertArrayEquals(new float[x.data().size()], x.grad().toArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void ignoredPixelsGetNoGradientInAnyChannel(String name) {
        Tensor labels = withSome(labels(21, 3, 2, 4, 4), 22, 0.3f, 255f);
        Variable x = Variable.param(Tensor.randn(23, 2, 3, 4, 4));
        Losses.create(name, opts("mode", "multiclass", "ignore_index", "255"))
            .compute(Map.of("inputs", x, "targets", Variable.constant(labels))).backward();
        float[] l = labels.toArray();
        float[] g = x.grad().toArray();
        int ignored = 0;
        for (int n = 0; n < 2; n++) {
            for (int s = 0; s < 16; s++) {
                boolean isIgnored = l[n * 16 + s] == 255f;
                ignored += isIgnored ? 1 : 0;
                for (int c = 0; c < 3; c++) {
                    float v = g[(n * 3 + c) * 16 + s];
                    if (isIgnored) {
                        assertEquals(0f, v, "gradient at ignored pixel (" + n + ", " + c + ", " + s + ")");
                    }
                }
            }
        }
        assertTrue(ignored > 0, "the case ignores some pixels");
        assertTrue(Arrays.stream(boxed(g)).anyMatch(v -> v != 0f), "counted pixels get a gradient");
    }

    private static Float[] boxed(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void saturatedLogitsGiveFiniteValuesAndGradients(String name) {
        float[] edges = {-200f, 200f, -100f, 100f, -50f, 50f, -17f, 17f, 0f, 16.7f};
        Tensor x = Tensor.of(edges, 2, 5);
        for (Map<String, String> o : List.of(opts(), opts("variant", "per-element"))) {
            if (!name.equals("focal") && o.containsKey("variant")) {
                continue;
            }
            Variable p = Variable.param(x);
            Variable value = Losses.create(name, o).compute(Map.of("inputs", p, "targets", Variable.constant(mask(31, 2, 5))));
            value.backward();
            assertFalse(value.data().hasNonFinite(), name + " " + o + " value " + value.data());
            assertFalse(p.grad().hasNonFinite(), name + " " + o + " gradient " + p.grad());
        }
    }

    @Test
    void snakeCaseOptionsAndTheBuilderConfigureTheSameLoss() {
        Tensor x = Tensor.randn(41, 2, 3, 4, 4);
        Tensor labels = labels(42, 3, 2, 4, 4);
        Map<String, Variable> in = Map.of("inputs", Variable.param(x), "targets", Variable.constant(labels));
        Loss fromOptions = Losses.create("dice", opts("mode", "multiclass", "smooth", "0.5", "eps", "1e-3",
            "classes", "1,2", "class_weights", "1,2,3", "per_image", "true", "reduction", "sum"));
        Loss fromBuilder = DiceLoss.builder().mode(RegionLoss.Mode.MULTICLASS).smooth(0.5).eps(1e-3).classes(1, 2)
            .classWeights(1f, 2f, 3f).perImage(true).reduction(Reduction.SUM).build();
        assertEquals(fromBuilder.compute(in).data(), fromOptions.compute(in).data());

        Loss focalOptions = Losses.create("focal", opts("variant", "per-element", "alpha", "0.3", "gamma", "1"));
        Loss focalBuilder = FocalLoss.builder().variant(FocalLoss.Variant.PER_ELEMENT).alpha(0.3).gamma(1).build();
        Map<String, Variable> binary = Map.of("inputs", Variable.param(x), "targets", Variable.constant(mask(43, 2, 3, 4, 4)));
        assertEquals(focalBuilder.compute(binary).data(), focalOptions.compute(binary).data());
    }

    @Test
    void defaultsAreTheSeeds() {
        DiceLoss dice = new DiceLoss();
        assertEquals(RegionLoss.Mode.BINARY, dice.mode());
        assertTrue(dice.fromLogits());
        assertEquals(1f, dice.smoothNumerator());
        assertEquals(1f, dice.smoothDenominator());
        assertEquals(0f, dice.eps());
        assertEquals(Reduction.MEAN, dice.reduction());
        assertEquals(null, dice.ignoreIndex());
        assertFalse(dice.perImage());
        FocalLoss focal = new FocalLoss();
        assertEquals(FocalLoss.Variant.SEED, focal.variant());
        assertEquals(0.8f, focal.alpha());
        assertEquals(2f, focal.gamma());
        assertEquals(10f, new ActiveContourLoss().weight());
        for (String name : List.of("dice", "bce-dice", "iou", "focal", "active-contour")) {
            assertEquals(name, Losses.create(name).name());
        }
    }

    @Test
    void smoothSetsBothConstantsUnlessOneIsGiven() {
        DiceLoss d = (DiceLoss) Losses.create("dice", opts("smooth", "2", "smooth_denominator", "0.5"));
        assertEquals(2f, d.smoothNumerator());
        assertEquals(0.5f, d.smoothDenominator());
        IouLoss i = IouLoss.builder().smoothNumerator(0).smooth(3).build();
        assertEquals(0f, i.smoothNumerator());
        assertEquals(3f, i.smoothDenominator());
    }

    @Test
    void binaryModeSeedDiceEqualsTheSnippetOnTheFlattenedBatch() {
        // The seed: p = sigmoid(x) flattened, dice = (2 I + 1) / (sum p + sum t + 1), loss 1 - dice.
        Tensor x = Tensor.randn(51, 2, 3, 4, 5);
        Tensor t = mask(52, 2, 3, 4, 5);
        float[] xs = x.toArray();
        float[] ts = t.toArray();
        double inter = 0, sp = 0, st = 0;
        for (int i = 0; i < xs.length; i++) {
            double p = 1 / (1 + Math.exp(-xs[i]));
            inter += p * ts[i];
            sp += p;
            st += ts[i];
        }
        double expected = 1 - (2 * inter + 1) / (sp + st + 1);
        float actual = new DiceLoss().compute(Variable.param(x), Variable.constant(t)).data().item();
        assertEquals(expected, actual, 1e-6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void binaryTargetsMayLeaveOutOrAddDimensionsOfSizeOneAsTheSeedFlattensBoth(String loss) {
        // The usual pairing: logits (N, 1, H, W), a mask (N, H, W). The seed flattens both, so the
        // value and the gradient are those of the mask shaped as the logits, on both paths.
        Tensor x = Tensor.randn(5, 2, 1, 3, 4);
        Tensor mask = mask(6, 2, 1, 3, 4);
        for (Map<String, String> options : List.of(Map.<String, String>of(), Map.of("per_image", "true"))) {
            Variable asShaped = Variable.param(x);
            Variable expected = Losses.create(loss, options).compute(
                Map.of("inputs", asShaped, "targets", Variable.constant(mask)));
            expected.backward();
            for (Tensor t : List.of(mask.reshape(2, 3, 4), mask.reshape(2, 1, 3, 1, 4))) {
                Variable other = Variable.param(x);
                Variable value = Losses.create(loss, options).compute(
                    Map.of("inputs", other, "targets", Variable.constant(t)));
                value.backward();
                assertEquals(expected.data().item(), value.data().item(), loss + " " + options + " " + t.shape());
                assertEquals(0.0, asShaped.grad().maxAbsDiff(other.grad()), loss + " " + options + " " + t.shape());
                Map<String, Tensor> compiled = CompiledLoss.of(Losses.create(loss, options))
                    .forwardBackward(Map.of("inputs", x, "targets", t));
                assertEquals(expected.data().item(), compiled.get("loss").item(), 1e-6, "compiled " + t.shape());
            }
        }
    }

    @Test
    void sameWithoutOnesComparesTheDimensionsOtherThanOneInOrder() {
        assertTrue(RegionGroups.sameWithoutOnes(Shape.of(2, 1, 3, 4), Shape.of(2, 3, 4)));
        assertTrue(RegionGroups.sameWithoutOnes(Shape.of(1, 1, 5), Shape.of(5, 1)));
        assertTrue(RegionGroups.sameWithoutOnes(Shape.of(1, 1), Shape.of(1)));
        assertFalse(RegionGroups.sameWithoutOnes(Shape.of(2, 1, 3, 4), Shape.of(2, 4, 3)));
        assertFalse(RegionGroups.sameWithoutOnes(Shape.of(2, 3), Shape.of(2, 3, 2)));
        assertFalse(RegionGroups.sameWithoutOnes(Shape.of(6), Shape.of(2, 3)));
    }
}
