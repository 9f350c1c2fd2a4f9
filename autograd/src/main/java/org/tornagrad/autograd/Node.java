package org.tornagrad.autograd;

import org.tornagrad.tensor.Tensor;

/**
 * The op that created a variable: its name, its inputs, and the backward rule that turns the
 * output's gradient into the inputs' gradients. The rule's closure holds the tensors the op saved
 * for backward; {@link #release()} drops them after a backward pass without {@code retainGraph},
 * as PyTorch frees its saved buffers.
 */
final class Node {
    /** Gradients of the inputs given the output's gradient; entries may be null where not needed. */
    @FunctionalInterface
    interface BackwardRule {
        Tensor[] apply(Tensor gradOutput, boolean[] needsGrad);
    }

    final String op;
    final String detail;
    final Variable[] inputs;
    private BackwardRule rule;

    Node(String op, String detail, Variable[] inputs, BackwardRule rule) {
        this.op = op;
        this.detail = detail;
        this.inputs = inputs;
        this.rule = rule;
    }

    Tensor[] backward(Tensor gradOutput) {
        if (rule == null) {
            throw new IllegalStateException("backward: the graph through '" + op + "' was already freed by an earlier"
                + " backward(); call backward(gradient, true) the first time to retain it, as retain_graph=True in PyTorch");
        }
        boolean[] needs = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            needs[i] = inputs[i].requiresGrad();
        }
        return rule.apply(gradOutput, needs);
    }

    void release() {
        rule = null;
    }
}
