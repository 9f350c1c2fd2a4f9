package org.tornagrad.autograd;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes the graph behind a variable in Graphviz DOT: a box for each value (its label, shape and
 * whether it requires a gradient) and an ellipse for each op, with edges in the direction data
 * flows. Walks the graph with an explicit stack, so deep graphs are fine.
 */
public final class DotExporter {
    private DotExporter() {
    }

    public static String toDot(Variable root) {
        if (root == null) {
            throw new IllegalArgumentException("root: expected a variable, got null");
        }
        StringBuilder sb = new StringBuilder();
        sb.append("digraph autograd {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        Map<Variable, Integer> ids = new IdentityHashMap<>();
        Deque<Variable> todo = new ArrayDeque<>();
        ids.put(root, 0);
        todo.push(root);
        while (!todo.isEmpty()) {
            Variable v = todo.pop();
            int id = ids.get(v);
            String label = (v.name() != null ? escape(v.name()) + "\\n" : "") + v.shape()
                + (v.requiresGrad() ? "" : "\\nno grad");
            sb.append("  v").append(id).append(" [shape=box, label=\"").append(label).append("\"")
                .append(v.isLeaf() && v.requiresGrad() ? ", style=filled, fillcolor=lightblue" : "")
                .append(v == root ? ", style=filled, fillcolor=lightyellow" : "").append("];\n");
            Node node = v.creator();
            if (node == null) {
                continue;
            }
            String opLabel = escape(node.op) + (node.detail.isEmpty() ? "" : "\\n" + escape(node.detail));
            sb.append("  op").append(id).append(" [shape=ellipse, label=\"").append(opLabel).append("\"];\n");
            sb.append("  op").append(id).append(" -> v").append(id).append(";\n");
            for (Variable in : node.inputs) {
                Integer inId = ids.get(in);
                if (inId == null) {
                    inId = ids.size();
                    ids.put(in, inId);
                    todo.push(in);
                }
                sb.append("  v").append(inId).append(" -> op").append(id).append(";\n");
            }
        }
        return sb.append("}\n").toString();
    }

    /**
     * Text as a DOT string body: backslashes and quotes escaped (a name ending in a backslash, or
     * holding one before a quote, would otherwise end the string), line breaks as DOT's {@code \n}.
     * Applied to the user's text only, before the label's own {@code \n} separators are added.
     */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r\n", "\\n").replace("\n", "\\n")
            .replace("\r", "\\n");
    }
}
