package org.tornagrad.losses.parity;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The registry of parity case sources: one line per source. */
public final class ParityCases {

    /** Every source the parity suite runs; add a line here for a new loss family. */
    static final List<ParityCaseSource> SOURCES = List.of(
        new RegionParityCases(),
        new ActiveContourParityCases(),
        new BoundaryParityCases(),
        new CcsParityCases()
    );

    private ParityCases() {
    }

    /** Every case of every source, in order; the ids must be unique. */
    public static List<ParityCase> all() {
        List<ParityCase> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ParityCaseSource source : SOURCES) {
            for (ParityCase c : source.cases()) {
                if (!ids.add(c.id())) {
                    throw new IllegalStateException("parity case id: expected unique ids, got '" + c.id()
                        + "' twice (source " + source.getClass().getSimpleName() + ")");
                }
                out.add(c);
            }
        }
        return out;
    }
}
