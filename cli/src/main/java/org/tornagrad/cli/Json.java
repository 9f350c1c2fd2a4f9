package org.tornagrad.cli;

import org.tornagrad.tensor.Tensor;

/** The little JSON the CLI writes: strings, float32 numbers and nested arrays of them. */
final class Json {
    private Json() {
    }

    static String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * A float32 as the shortest decimal that reads back to the same float ({@link Float#toString},
     * whose {@code 1.0E-5} form is valid JSON); JSON has no NaN or infinity, so those are null.
     */
    static String number(float v) {
        return Float.isFinite(v) ? Float.toString(v) : "null";
    }

    /** A tensor's values as nested arrays, one level per dimension (a bare number for rank 0). */
    static String array(Tensor t) {
        float[] values = t.toArray();
        int[] dims = t.shape().dims();
        StringBuilder sb = new StringBuilder();
        appendLevel(sb, values, dims, 0, 0);
        return sb.toString();
    }

    private static int appendLevel(StringBuilder sb, float[] values, int[] dims, int axis, int pos) {
        if (axis == dims.length) {
            sb.append(number(values[pos]));
            return pos + 1;
        }
        sb.append('[');
        for (int i = 0; i < dims[axis]; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            pos = appendLevel(sb, values, dims, axis + 1, pos);
        }
        sb.append(']');
        return pos;
    }

    static String ints(int[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return sb.append(']').toString();
    }
}
