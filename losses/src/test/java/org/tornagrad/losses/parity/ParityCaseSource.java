package org.tornagrad.losses.parity;

import java.util.List;

/**
 * A supplier of parity cases, usually one per loss family. To add cases: write a class that
 * implements this interface and add one instance to {@link ParityCases#SOURCES}.
 */
public interface ParityCaseSource {

    /** The cases, each with a distinct {@link ParityCase#id()}; built from fixed seeds. */
    List<ParityCase> cases();
}
