package org.tornagrad.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader} and says which one runs the ops of the current thread.
 *
 * <p>The default comes from the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV}, else {@code java}. Code chooses another for a scope:
 * <pre>{@code
 * try (Backends.Scope s = Backends.use("parallel")) {
 *     ... ops here run on the multi-core backend ...
 * }
 * }</pre>
 * The scope is per thread, so threads with different backends do not disturb each other.
 */
public final class Backends {
    public static final String PROPERTY = "tornagrad.backend";
    public static final String ENV = "TORNAGRAD_BACKEND";

    private static final Map<String, Backend> LOADED = load();
    private static final ThreadLocal<Backend> CURRENT = new ThreadLocal<>();
    private static volatile Backend defaultBackend;

    private Backends() {
    }

    private static Map<String, Backend> load() {
        Map<String, Backend> byName = new LinkedHashMap<>();
        for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            byName.putIfAbsent(b.name(), b);
        }
        // The two Java backends are always there, even where the service file was stripped.
        byName.putIfAbsent(ReferenceBackend.NAME, new ReferenceBackend());
        byName.putIfAbsent(ParallelBackend.NAME, new ParallelBackend());
        return byName;
    }

    /** The names of every backend found, in discovery order. */
    public static List<String> names() {
        return new ArrayList<>(LOADED.keySet());
    }

    public static List<Backend> all() {
        return new ArrayList<>(LOADED.values());
    }

    /** The backend called {@code name}; an IllegalArgumentException listing the known names otherwise. */
    public static Backend get(String name) {
        Backend b = LOADED.get(name);
        if (b == null) {
            throw new IllegalArgumentException("backend: expected one of " + names() + ", got '" + name + "'");
        }
        return b;
    }

    /** The backend of the current thread's innermost scope, else the default. */
    public static Backend current() {
        Backend b = CURRENT.get();
        return b != null ? b : defaultBackend();
    }

    /** The default backend: system property, then environment variable, then {@code java}. */
    public static Backend defaultBackend() {
        Backend d = defaultBackend;
        if (d == null) {
            String name = System.getProperty(PROPERTY);
            if (name == null || name.isBlank()) {
                name = System.getenv(ENV);
            }
            d = get(name == null || name.isBlank() ? ReferenceBackend.NAME : name.trim());
            defaultBackend = d;
        }
        return d;
    }

    public static Scope use(String name) {
        return use(get(name));
    }

    /** Makes {@code backend} current on this thread until the returned scope is closed. */
    public static Scope use(Backend backend) {
        if (backend == null) {
            throw new IllegalArgumentException("backend: expected a backend, got null");
        }
        Backend previous = CURRENT.get();
        CURRENT.set(backend);
        return new Scope(previous);
    }

    /** Restores the previous backend of the thread when closed. */
    public static final class Scope implements AutoCloseable {
        private final Backend previous;

        private Scope(Backend previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
