package org.tornagrad.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tornagrad.tensor.Tensor;

/**
 * Reverse-mode differentiation: orders the graph topologically with an explicit stack (so a
 * graph 100,000 ops deep does not overflow the call stack), then walks it from the root back to
 * the leaves, adding each op's input gradients into a table; leaves that require a gradient
 * accumulate it into {@link Variable#grad()}.
 */
final class Engine {
    private Engine() {
    }

    static void backward(Variable root, Tensor gradient, boolean retainGraph) {
        Map<Variable, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradient);
        for (Variable v : reverseTopologicalOrder(root)) {
            Tensor g = grads.remove(v);
            if (g == null) {
                continue;
            }
            Node node = v.creator();
            if (node == null) {
                v.accumulateGrad(g);
                continue;
            }
            Tensor[] inputGrads = node.backward(g);
            if (!retainGraph) {
                node.release();
            }
            for (int i = 0; i < node.inputs.length; i++) {
                Variable in = node.inputs[i];
                if (!in.requiresGrad() || inputGrads[i] == null) {
                    continue;
                }
                Tensor previous = grads.get(in);
                grads.put(in, previous == null ? inputGrads[i] : previous.add(inputGrads[i]));
            }
        }
    }

    /** The variables that require a gradient, from {@code root} back to the leaves. */
    static List<Variable> reverseTopologicalOrder(Variable root) {
        List<Variable> postOrder = new ArrayList<>();
        Map<Variable, Boolean> visited = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Variable v = (Variable) frame[0];
            int next = (Integer) frame[1];
            Node node = v.creator();
            if (node != null && next < node.inputs.length) {
                frame[1] = next + 1;
                Variable in = node.inputs[next];
                if (in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                postOrder.add(v);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
