package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * Bad input to the region losses: each is an IllegalArgumentException, raised before any op runs,
 * whose message names the argument, what was expected and what was given.
 */
class RegionLossBadInputTest {

    /** Asserts that {@code call} throws IllegalArgumentException mentioning every fragment. */
    static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
    }

    private static Map<String, String> opts(String... kv) {
        return RegionLossTest.opts(kv);
    }

    private static Executable compute(String loss, Map<String, String> options, Tensor inputs, Tensor targets) {
        return () -> Losses.create(loss, options)
            .compute(Map.of("inputs", Variable.param(inputs), "targets", Variable.constant(targets)));
    }

    private static Tensor with(Tensor t, int index, float value) {
        float[] d = t.toArray();
        d[index] = value;
        return Tensor.of(d, t.shape().dims());
    }

    private static final Tensor X = Tensor.randn(1, 2, 3, 3, 3);
    private static final Tensor MASK = RegionLossTest.mask(2, 2, 3, 3, 3);
    private static final Tensor LABELS = RegionLossTest.labels(3, 3, 2, 3, 3);

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void mismatchedShapesNameTargetsAndBothShapes(String loss) {
        assertRejected(compute(loss, opts(), X, Tensor.zeros(2, 3, 3, 4)), loss, "targets", "expected shape (2, 3, 3, 3)",
            "got (2, 3, 3, 4)");
        // Binary mode takes a mask without (or with extra) dimensions of size 1, not a transposed one.
        assertRejected(compute(loss, opts(), Tensor.zeros(2, 1, 3, 4), Tensor.zeros(2, 4, 3)), loss, "targets",
            "expected shape (2, 1, 3, 4) (the shape of inputs in mode binary, up to dimensions of size 1)",
            "got (2, 4, 3)");
        assertRejected(compute(loss, opts("mode", "multilabel"), X, MASK.reshape(2, 3, 3, 3, 1)), "targets",
            "expected shape (2, 3, 3, 3)");
        assertRejected(compute(loss, opts("mode", "multiclass"), X, MASK), "targets", "expected shape (2, 3, 3)",
            "got (2, 3, 3, 3)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void wrongRanksNameInputsTheRankAndTheShape(String loss) {
        Tensor vector = Tensor.randn(4, 5);
        assertRejected(compute(loss, opts("mode", "multilabel"), vector, Tensor.zeros(5)), "inputs", "rank >= 2", "(5,)");
        assertRejected(compute(loss, opts("mode", "multiclass"), vector, Tensor.zeros(5)), "inputs", "rank >= 2", "(5,)");
        assertRejected(compute(loss, opts(), Tensor.scalar(1f), Tensor.scalar(1f)), "inputs", "rank >= 1", "()");
        assertRejected(compute(loss, opts(), Tensor.zeros(0), Tensor.zeros(0)), "inputs", "at least one element", "(0,)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void nanAndInfinityInInputsAreRejectedWithTheirPosition(String loss) {
        assertRejected(compute(loss, opts(), with(X, 4, Float.NaN), MASK), "inputs", "finite", "NaN", "index [0, 0, 1, 1]");
        assertRejected(compute(loss, opts(), with(X, 0, Float.POSITIVE_INFINITY), MASK), "inputs", "finite", "Infinity");
        assertRejected(compute(loss, opts("mode", "multiclass"), with(X, 5, Float.NEGATIVE_INFINITY), LABELS),
            "inputs", "finite", "-Infinity");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void targetsOutsideZeroOneAreRejected(String loss) {
        assertRejected(compute(loss, opts(), X, with(MASK, 3, 1.5f)), "targets", "[0, 1]", "1.5", "index [0, 0, 1, 0]");
        assertRejected(compute(loss, opts(), X, with(MASK, 3, -0.5f)), "targets", "[0, 1]", "-0.5");
        assertRejected(compute(loss, opts(), X, with(MASK, 3, Float.NaN)), "targets", "[0, 1]", "NaN");
        assertRejected(compute(loss, opts("mode", "multilabel", "ignore_index", "255"), X, with(MASK, 3, 254f)),
            "targets", "[0, 1] or ignore_index 255", "254.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void multiclassLabelsMustBeIntegersInRange(String loss) {
        Map<String, String> mc = opts("mode", "multiclass");
        assertRejected(compute(loss, mc, X, with(LABELS, 2, 1.5f)), "targets", "integer labels in [0, 2]", "1.5",
            "index [0, 0, 2]");
        assertRejected(compute(loss, mc, X, with(LABELS, 2, -1f)), "targets", "integer labels in [0, 2]", "-1.0");
        assertRejected(compute(loss, mc, X, with(LABELS, 2, 3f)), "targets", "integer labels in [0, 2]", "3.0");
        assertRejected(compute(loss, mc, X, with(LABELS, 2, Float.NaN)), "targets", "integer labels", "NaN");
        assertRejected(compute(loss, opts("mode", "multiclass", "ignore_index", "255"), X, with(LABELS, 2, 7f)),
            "targets", "or ignore_index 255", "7.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void probabilitiesOutsideZeroOneAreRejectedWithoutLogits(String loss) {
        Tensor p = Tensor.uniform(5, 0f, 1f, 2, 3, 3, 3);
        assertRejected(compute(loss, opts("from_logits", "false"), with(p, 1, 1.25f), MASK),
            "inputs (probabilities, from_logits=false)", "[0.0, 1.0]", "1.25");
        assertRejected(compute(loss, opts("from_logits", "false", "mode", "multiclass"), with(p, 1, -0.25f), LABELS),
            "inputs", "[0.0, 1.0]", "-0.25");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void unknownOptionsNameTheKnownOnes(String loss) {
        assertRejected(() -> Losses.create(loss, opts("smoth", "1")), loss, "smoth", "unknown option", "reduction");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void outOfRangeSharedOptionsAreRejected(String loss) {
        String[][] bad = {
            {"mode", "binery"}, {"reduction", "avg"}, {"from_logits", "yes"}, {"per_image", "1"},
            {"include_background", "no"}, {"ignore_index", "1.5"}, {"classes", "a,b"}, {"classes", "-1"},
            {"class_weights", "1,-2"}, {"class_weights", "1,nan"},
        };
        for (String[] kv : bad) {
            assertRejected(() -> Losses.create(loss, opts("mode", "multiclass", kv[0], kv[1])), loss + " option " + kv[0],
                "expected", "'" + kv[1] + "'");
        }
        assertRejected(() -> Losses.create(loss, opts("mode", "multiclass", "classes", "")), "classes", "at least one");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice"})
    void outOfRangeSmoothingIsRejected(String loss) {
        for (String key : List.of("smooth", "smooth_numerator", "smooth_denominator", "eps")) {
            assertRejected(() -> Losses.create(loss, opts(key, "-1")), loss + " option " + key, ">= 0", "'-1'");
            assertRejected(() -> Losses.create(loss, opts(key, "NaN")), loss + " option " + key, "'NaN'");
        }
    }

    @Test
    void outOfRangeFocalOptionsAreRejected() {
        assertRejected(() -> Losses.create("focal", opts("alpha", "1.5")), "focal option alpha", "[0.0, 1.0]", "'1.5'");
        assertRejected(() -> Losses.create("focal", opts("gamma", "-2")), "focal option gamma", "'-2'");
        assertRejected(() -> Losses.create("focal", opts("variant", "lin")), "focal option variant", "seed, per-element", "'lin'");
        assertRejected(() -> Losses.create("focal", opts("smooth", "1")), "focal option smooth", "unknown option");
        assertRejected(() -> FocalLoss.builder().alpha(-0.1), "alpha", "[0, 1]", "-0.1");
        assertRejected(() -> FocalLoss.builder().gamma(Double.NaN), "gamma", ">= 0", "NaN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void classOptionsAreCheckedAgainstTheInputsClasses(String loss) {
        assertRejected(compute(loss, opts("mode", "multiclass", "classes", "1,3"), X, LABELS), "option classes",
            "[0, 2]", "C = 3", "[1, 3]");
        assertRejected(compute(loss, opts("mode", "multilabel", "class_weights", "1,2"), X, MASK), "option class_weights",
            "expected 3 weights", "got 2");
        assertRejected(compute(loss, opts("mode", "multilabel", "classes", "0", "include_background", "false"), X, MASK),
            "option classes", "at least one class left", "got none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void classOptionsInBinaryModeAreRejectedWhenTheLossIsMade(String loss) {
        assertRejected(() -> Losses.create(loss, opts("classes", "0")), "option classes", "multilabel or multiclass",
            "mode binary");
        assertRejected(() -> Losses.create(loss, opts("class_weights", "2")), "option class_weights", "mode binary");
        assertRejected(() -> Losses.create(loss, opts("include_background", "false")), "option include_background",
            "mode binary");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice", "focal"})
    void missingAndUnknownInputNamesAreRejected(String loss) {
        Loss l = Losses.create(loss);
        assertRejected(() -> l.compute(Map.of("inputs", Variable.param(X))), "inputs", "[inputs, targets]", "missing 'targets'");
        Map<String, Variable> extra = new HashMap<>(Map.of("inputs", Variable.param(X), "targets", Variable.constant(MASK)));
        extra.put("weights", Variable.constant(MASK));
        assertRejected(() -> l.compute(extra), "[inputs, targets]", "unknown input 'weights'");
        assertRejected(() -> ((RegionLoss) l).compute(Variable.param(X), null), "[inputs, targets]", "targets = null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "iou", "bce-dice"})
    void aZeroOverZeroRatioIsRejectedInsteadOfNaN(String loss) {
        // p = 0 and t = 0 everywhere: sum(p) + sum(t) = 0 and the union is 0.
        Tensor zeros = Tensor.zeros(2, 1, 3, 3);
        assertRejected(compute(loss, opts("from_logits", "false", "smooth", "0"), zeros, zeros),
            loss + " options smooth_denominator, eps", "expected one of them > 0", "0/0", "got smooth_denominator = 0");
        assertRejected(compute(loss, opts("from_logits", "false", "smooth", "0", "mode", "multilabel", "per_image", "true"),
            Tensor.zeros(2, 2, 3, 3), Tensor.zeros(2, 2, 3, 3)), "group of image 0, class 0");
        // With the numerator's constant left at 1 the ratio is 1/0 (PyTorch: a loss of -inf), not 0/0.
        assertRejected(compute(loss, opts("from_logits", "false", "smooth_denominator", "0"), zeros, zeros),
            loss + " options smooth_denominator, eps", "its ratio would be 1.0/0 (infinite)", "got smooth_denominator = 0");
        // Either constant > 0 makes the same inputs fine.
        for (Map<String, String> o : List.of(opts("from_logits", "false", "smooth", "0", "eps", "1e-7"),
                opts("from_logits", "false", "smooth_numerator", "0", "smooth_denominator", "1e-5"))) {
            float v = Losses.create(loss, o).compute(Map.of("inputs", Variable.param(zeros), "targets",
                Variable.constant(zeros))).data().item();
            assertTrue(Float.isFinite(v), loss + " " + o + " gives " + v);
        }
    }

    @Test
    void builderRejectsBadValuesNamingTheOption() {
        assertRejected(() -> DiceLoss.builder().smooth(-1), "smooth", ">= 0", "-1.0");
        assertRejected(() -> IouLoss.builder().eps(Double.POSITIVE_INFINITY), "eps", "Infinity");
        assertRejected(() -> BceDiceLoss.builder().classWeights(1f, -1f), "classWeights", ">= 0", "[1.0, -1.0]");
        assertRejected(() -> DiceLoss.builder().classes(0, -2), "classes", ">= 0", "[0, -2]");
        assertRejected(() -> DiceLoss.builder().classes(), "classes", "at least one", "[]");
        assertRejected(() -> DiceLoss.builder().mode(null), "mode", "null");
        assertRejected(() -> DiceLoss.builder().reduction(null), "reduction", "null");
        Map<String, String> none = new LinkedHashMap<>();
        assertTrue(Losses.create("dice", none) instanceof DiceLoss);
    }
}
