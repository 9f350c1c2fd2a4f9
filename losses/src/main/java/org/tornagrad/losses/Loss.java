package org.tornagrad.losses;

import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;

/**
 * One configured loss: it names its inputs (the seeds' argument names), says which of them it
 * differentiates, and builds its value on the autograd graph. Options are fixed when the loss is
 * made ({@link Losses#create}); {@link #compute} checks the inputs and throws an
 * IllegalArgumentException naming the argument, the expected and the actual value.
 */
public interface Loss {

    /** The CLI name: dice, bce-dice, iou, focal, active-contour, boundary or ccs. */
    String name();

    /** The inputs in the seed's argument order, e.g. [inputs, targets]. */
    List<String> inputNames();

    /** The inputs gradients flow to, e.g. [inputs]. */
    List<String> differentiated();

    /**
     * The loss on the given inputs (every name of {@link #inputNames()}, no other): a scalar, or
     * with {@code reduction=none} the per-term tensor. Differentiated inputs should be
     * {@link Variable#param params} for their gradients to be computed.
     */
    Variable compute(Map<String, Variable> inputs);
}
