package org.tornagrad.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The program compilers on the class path, by name ({@link ServiceLoader}): {@code compiled}
 * always, {@code tornado-compiled} where the tornado module is.
 */
public final class ProgramCompilers {
    private static List<ProgramCompiler> all;

    private ProgramCompilers() {
    }

    /** Every compiler found, the CPU's first. */
    public static synchronized List<ProgramCompiler> all() {
        if (all == null) {
            List<ProgramCompiler> found = new ArrayList<>();
            for (ProgramCompiler c : ServiceLoader.load(ProgramCompiler.class)) {
                found.add(c);
            }
            found.sort((a, b) -> Boolean.compare(!(a instanceof CpuProgramCompiler), !(b instanceof CpuProgramCompiler)));
            all = List.copyOf(found);
        }
        return all;
    }

    /** The compiler called {@code name}, or null. */
    public static ProgramCompiler find(String name) {
        for (ProgramCompiler c : all()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The compiler called {@code name}; throws naming the ones there are. */
    public static ProgramCompiler get(String name) {
        ProgramCompiler c = find(name);
        if (c == null) {
            List<String> names = new ArrayList<>();
            all().forEach(p -> names.add(p.name()));
            String hint = name != null && name.startsWith("tornado")
                ? " (tornado-compiled needs the tornado module: build with -Ptornado and run under TornadoVM)" : "";
            throw new IllegalArgumentException("compiler: expected one of " + names + ", got '" + name + "'" + hint);
        }
        return c;
    }
}
