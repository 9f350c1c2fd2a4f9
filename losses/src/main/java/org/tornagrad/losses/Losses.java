package org.tornagrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The registry of the seven losses by their CLI names. */
public final class Losses {
    private static final Map<String, Function<Options, Loss>> FACTORIES = new LinkedHashMap<>();

    static {
        // Each loss registers its factory here: name -> (options -> configured loss).
        FACTORIES.put(DiceLoss.NAME, DiceLoss::fromOptions);
        FACTORIES.put(BceDiceLoss.NAME, BceDiceLoss::fromOptions);
        FACTORIES.put(IouLoss.NAME, IouLoss::fromOptions);
        FACTORIES.put(FocalLoss.NAME, FocalLoss::fromOptions);
        FACTORIES.put(ActiveContourLoss.NAME, ActiveContourLoss::fromOptions);
        FACTORIES.put(BoundaryLoss.NAME, BoundaryLoss::fromOptions);
        FACTORIES.put(CcsLoss.NAME, CcsLoss::fromOptions);
    }

    private Losses() {
    }

    /** The loss names, in the README's order. */
    public static List<String> names() {
        return List.of("dice", "bce-dice", "iou", "focal", "active-contour", "boundary", "ccs");
    }

    /** A loss configured with snake_case options (see docs/loss-options.md); unknown keys are errors. */
    public static Loss create(String name, Map<String, String> options) {
        Function<Options, Loss> factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("loss: expected one of " + names() + ", got '" + name + "'");
        }
        Options o = new Options(name, options);
        Loss loss = factory.apply(o);
        o.finish();
        return loss;
    }

    public static Loss create(String name) {
        return create(name, Map.of());
    }
}
