package org.tornagrad.losses;

import org.tornagrad.autograd.Variable;

/**
 * How a loss reduces its equally weighted terms (the {@code reduction} option of
 * docs/loss-options.md): their mean, their sum, or the terms themselves.
 */
public enum Reduction {
    MEAN("mean"),
    SUM("sum"),
    NONE("none");

    private final String key;

    Reduction(String key) {
        this.key = key;
    }

    /** The option value: mean, sum or none. */
    public String key() {
        return key;
    }

    /** Reads option {@code reduction} (default mean). */
    public static Reduction from(Options options) {
        String v = options.choice("reduction", MEAN.key, MEAN.key, SUM.key, NONE.key);
        for (Reduction r : values()) {
            if (r.key.equals(v)) {
                return r;
            }
        }
        // choice() only returns one of the keys offered above.
        throw new IllegalStateException("reduction: unexpected value '" + v + "'");
    }

    /**
     * Reduces {@code terms} (at least one element for mean): a scalar for mean and sum, the
     * terms unchanged for none.
     */
    public Variable apply(Variable terms) {
        switch (this) {
            case MEAN:
                return terms.mean();
            case SUM:
                return terms.sum();
            default:
                return terms;
        }
    }
}
