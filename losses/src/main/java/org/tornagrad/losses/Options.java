package org.tornagrad.losses;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options of one loss as snake_case {@code key=value} strings (the CLI's and the reference
 * script's spelling, see docs/loss-options.md), read with typed getters that check ranges.
 * {@link #finish()} rejects any key no getter asked for, so a misspelt option is an error, never
 * silently ignored.
 */
public final class Options {
    /**
     * A decimal number with an optional exponent. Double.parseDouble also takes Java's literal
     * suffixes (1f, 1d) and hex floats (0x1p3): Java spellings, which Python's float (reading the
     * same options in the reference scripts) refuses, so a run could not be reproduced there.
     */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** How {@link #isDecimal} numbers are written, for messages that refuse another spelling. */
    public static final String DECIMAL_EXAMPLES = " written as a decimal such as 1, 0.5 or 1e-3";

    private final String loss;
    private final Map<String, String> values;
    private final Set<String> read = new LinkedHashSet<>();

    public Options(String loss, Map<String, String> values) {
        this.loss = loss;
        this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
        // A null value would read as "not given", the default taking its place without a word.
        for (Map.Entry<String, String> e : this.values.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException(loss + " options: expected option names, got a null key");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(loss + " option " + e.getKey() + ": expected a value, got null");
            }
        }
    }

    public static Options none(String loss) {
        return new Options(loss, Map.of());
    }

    private String raw(String key) {
        read.add(key);
        String v = values.get(key);
        return v == null ? null : v.trim();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    private IllegalArgumentException bad(String key, String expected, String got) {
        return new IllegalArgumentException(loss + " option " + key + ": expected " + expected + ", got '" + got + "'");
    }

    /**
     * Whether {@code text} is a plain decimal number (1, 1.5, 1e-3, -2): the one spelling of a
     * number this project reads, for loss options and for the CLI's own numeric options alike.
     */
    public static boolean isDecimal(String text) {
        return DECIMAL.matcher(text).matches();
    }

    public double number(String key, double defaultValue, double min, double max) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        // An upper bound of Float.MAX_VALUE or more only excludes infinity: say so rather than print 3.4E38.
        String range = max >= Float.MAX_VALUE ? "a finite number >= " + min : "a number in [" + min + ", " + max + "]";
        if (!isDecimal(v)) {
            throw bad(key, range + DECIMAL_EXAMPLES, v);
        }
        double d = Double.parseDouble(v);
        if (!(d >= min && d <= max)) {
            throw bad(key, range, v);
        }
        return d;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(key, "an integer in [" + min + ", " + max + "]", v);
    }

    /** An optional integer: null when absent. */
    public Integer optionalInteger(String key, int min, int max) {
        // Integer.valueOf: with a bare int the conditional would unbox markRead's null (NPE when absent).
        return has(key) ? Integer.valueOf(integer(key, 0, min, max)) : markRead(key);
    }

    private Integer markRead(String key) {
        read.add(key);
        return null;
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw bad(key, "true or false", v);
    }

    public String choice(String key, String defaultValue, String... allowed) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        for (String a : allowed) {
            if (a.equals(v.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw bad(key, "one of " + String.join(", ", allowed), v);
    }

    /** A comma-separated list of integers (brackets allowed), or null when absent. */
    public List<Integer> integers(String key, int min, int max) {
        String v = raw(key);
        if (v == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : splitList(key, v, "a comma-separated list of integers")) {
            try {
                int i = Integer.parseInt(part);
                if (i < min || i > max) {
                    throw bad(key, "integers in [" + min + ", " + max + "]", v);
                }
                out.add(i);
            } catch (NumberFormatException e) {
                throw bad(key, "a comma-separated list of integers", v);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** A comma-separated list of numbers (brackets allowed), or null when absent. */
    public List<Double> numbers(String key, double min, double max) {
        String v = raw(key);
        if (v == null) {
            return null;
        }
        List<Double> out = new ArrayList<>();
        // As number(): an upper bound of Float.MAX_VALUE or more only excludes infinity.
        String range = max >= Float.MAX_VALUE ? "finite numbers >= " + min : "numbers in [" + min + ", " + max + "]";
        String expected = "a comma-separated list of " + range + DECIMAL_EXAMPLES;
        for (String part : splitList(key, v, expected)) {
            if (!isDecimal(part)) {
                throw bad(key, expected, v);
            }
            double d = Double.parseDouble(part);
            if (!(d >= min && d <= max)) {
                throw bad(key, range, v);
            }
            out.add(d);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The elements of a list option, brackets removed. An empty element (1,,2 or a trailing comma,
     * or no element at all) is refused: dropping it read "1,,2,3" as three class weights, shifting
     * the ones after the gap onto the wrong classes.
     */
    private List<String> splitList(String key, String v, String expected) {
        String s = v;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isBlank()) {
            throw bad(key, expected + ", with at least one element", v);
        }
        List<String> parts = new ArrayList<>();
        for (String p : s.split(",", -1)) {
            if (p.isBlank()) {
                throw bad(key, expected + ", with no empty element", v);
            }
            parts.add(p.trim());
        }
        return parts;
    }

    /** Throws if a key was given that no getter read: an unknown option for this loss. */
    public void finish() {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                throw new IllegalArgumentException(loss + " option " + key + ": expected one of "
                    + String.join(", ", read) + ", got unknown option '" + key + "'");
            }
        }
    }
}
