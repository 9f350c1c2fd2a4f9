package org.tornagrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.autograd.Variable;
import org.tornagrad.tensor.Tensor;

/**
 * One configured loss: it names its inputs (the seeds' argument names), says which of them it
 * differentiates, and builds its value on the autograd graph. Options are fixed when the loss is
 * made ({@link Losses#create}); {@link #compute} checks the inputs and throws an
 * IllegalArgumentException naming the argument, the expected and the actual value.
 *
 * <p>A loss comes in two halves, so that it can be traced and compiled ({@link CompiledLoss}):
 * {@link #prepare} does everything on the host that depends on the input values (checks, label
 * one-hots, anchor assignment, masks), and {@link #build} computes the value from the prepared
 * tensors with backend ops only. {@code compute} is the two run one after the other; a compiled
 * program traces {@code build} once per shape of the prepared tensors and re-runs it for each new
 * batch, calling {@code prepare} every time.
 */
public interface Loss {

    /** The CLI name: dice, bce-dice, iou, focal, active-contour, boundary or ccs. */
    String name();

    /** The inputs in the seed's argument order, e.g. [inputs, targets]. */
    List<String> inputNames();

    /** The inputs gradients flow to, e.g. [inputs]. */
    List<String> differentiated();

    /**
     * The host-side half: checks {@code inputs} (every name of {@link #inputNames()}, no other) and
     * returns the tensors {@link #build} takes. Each differentiated input is in the result under
     * its own name, as the same tensor object, so that gradients reach the caller's input.
     */
    Map<String, Tensor> prepare(Map<String, Tensor> inputs);

    /**
     * The loss from {@link #prepare}'s tensors, with backend ops only: it never reads a value on
     * the host to decide what to compute, so a trace of it is valid for every input of the same
     * shapes. Checks that need computed values (a ratio that would be 0/0, a norm of 0) run here
     * only when not tracing ({@link org.tornagrad.autograd.trace.Tracer#isTracing()}); a compiled
     * run that meets such a case gets a non-finite value and is redone eagerly.
     */
    Variable build(Map<String, Variable> prepared);

    /**
     * {@link #prepare} without the value checks that {@link #guard} can do on the backend (finite
     * values, ranges): a compiled run folds those into the passes it makes over the inputs anyway,
     * where checking on the host first would add a pass over memory. Shape checks and everything
     * else stay. The default leaves nothing out. The tensors it returns are for immediate use: a
     * loss may refill them at the same thread's next call ({@link CcsLoss} does, so that a
     * compiled call allocates nothing); {@link #prepare}'s stay valid, as eager graphs keep them.
     */
    default Map<String, Tensor> prepareUnchecked(Map<String, Tensor> inputs) {
        return prepare(inputs);
    }

    /**
     * The checks {@link #prepareUnchecked} left out, as a detached scalar on the backend: NaN when
     * one fails, 0 otherwise; null when nothing was left out. A
     * compiled run adds {@code 0 * guard} to the loss, and a non-finite loss makes it redo the
     * call eagerly, where {@link #prepare} throws the check's own message.
     */
    default Variable guard(Map<String, Variable> prepared) {
        return null;
    }

    /**
     * The loss on the given inputs (every name of {@link #inputNames()}, no other): a scalar, or
     * with {@code reduction=none} the per-term tensor. Differentiated inputs should be
     * {@link Variable#param params} for their gradients to be computed.
     */
    default Variable compute(Map<String, Variable> inputs) {
        Checks.requireInputs(name(), inputNames(), inputs);
        Map<String, Tensor> data = new LinkedHashMap<>();
        for (Map.Entry<String, Variable> e : inputs.entrySet()) {
            data.put(e.getKey(), e.getValue().data());
        }
        Map<String, Tensor> prepared = prepare(data);
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : prepared.entrySet()) {
            Variable given = inputs.get(e.getKey());
            // The caller's variable where prepare passed the input through: its gradient is the caller's.
            vars.put(e.getKey(), given != null && given.data() == e.getValue() ? given : Variable.constant(e.getValue()));
        }
        return build(vars);
    }
}
