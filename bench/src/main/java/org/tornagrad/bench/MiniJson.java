package org.tornagrad.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for JMH's result files (objects, arrays, strings, numbers, true, false,
 * null), so that the report needs no JSON library. Objects become LinkedHashMaps, arrays
 * ArrayLists, numbers Doubles; bad input is an IllegalArgumentException naming the position.
 */
final class MiniJson {
    /**
     * Deepest nesting of arrays and objects accepted. The parser recurses once per level, so
     * without a limit a deeply nested file overflows the stack; JMH's files nest four levels.
     */
    static final int MAX_DEPTH = 512;

    private final String text;
    private int at;
    private int depth;

    private MiniJson(String text) {
        this.text = text;
    }

    static Object parse(String text) {
        MiniJson p = new MiniJson(text);
        Object v = p.value();
        p.skipSpace();
        if (p.at != text.length()) {
            throw p.error("end of input");
        }
        return v;
    }

    private IllegalArgumentException error(String expected) {
        String got = at < text.length() ? "'" + text.charAt(at) + "'" : "end of input";
        return new IllegalArgumentException("JSON: expected " + expected + " at character " + at + ", got " + got);
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private Object value() {
        skipSpace();
        if (at >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, at)) {
            throw error(word);
        }
        at += word.length();
        return v;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new IllegalArgumentException("JSON: expected arrays and objects nested at most " + MAX_DEPTH
                + " levels deep, got more at character " + at);
        }
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> m = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (at < text.length() && text.charAt(at) == '}') {
            at++;
            depth--;
            return m;
        }
        while (true) {
            skipSpace();
            if (at >= text.length() || text.charAt(at) != '"') {
                throw error("a key string");
            }
            String k = string();
            skipSpace();
            if (at >= text.length() || text.charAt(at) != ':') {
                throw error("':'");
            }
            at++;
            m.put(k, value());
            skipSpace();
            if (at < text.length() && text.charAt(at) == ',') {
                at++;
            } else if (at < text.length() && text.charAt(at) == '}') {
                at++;
                depth--;
                return m;
            } else {
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array() {
        enter();
        List<Object> l = new ArrayList<>();
        at++;
        skipSpace();
        if (at < text.length() && text.charAt(at) == ']') {
            at++;
            depth--;
            return l;
        }
        while (true) {
            l.add(value());
            skipSpace();
            if (at < text.length() && text.charAt(at) == ',') {
                at++;
            } else if (at < text.length() && text.charAt(at) == ']') {
                at++;
                depth--;
                return l;
            } else {
                throw error("',' or ']'");
            }
        }
    }

    private String string() {
        StringBuilder sb = new StringBuilder();
        at++;
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                if (at >= text.length()) {
                    break;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'r': sb.append('\r'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'u':
                        if (at + 4 > text.length()) {
                            throw error("four hex digits");
                        }
                        sb.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default: sb.append(e); break;
                }
            } else {
                sb.append(c);
            }
        }
        throw error("a closing '\"'");
    }

    private Object number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String s = text.substring(start, at);
        if (s.equals("NaN") || s.isEmpty()) {
            // JMH writes "NaN" as a string, not a bare word; anything else here is not JSON.
            throw error("a number");
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            at = start;
            throw error("a number");
        }
    }
}
