package org.tornagrad.kernels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.WeakHashMap;

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
 *
 * <p>It also knows which backend owns an array whose current contents live elsewhere (a device):
 * host code that reads an array a backend wrote calls {@link #hostRead}, which reaches the owner
 * whatever backend is current on the reading thread, so a result read after its scope closed, or
 * on another thread, is still right.
 */
public final class Backends {
    public static final String PROPERTY = "tornagrad.backend";
    public static final String ENV = "TORNAGRAD_BACKEND";

    private static final Map<String, Backend> LOADED = load();
    private static final ThreadLocal<Backend> CURRENT = new ThreadLocal<>();
    private static volatile Backend defaultBackend;
    /** Arrays whose host copy may be stale, and the backend that holds their contents; weak keys, identity (arrays). */
    private static final Map<Object, Backend> OWNERS = Collections.synchronizedMap(new WeakHashMap<>());
    /** False until a backend first claims an array: the Java backends never do, and pay one volatile read. */
    private static volatile boolean anyClaimed;

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
            d = defaultBackend(System.getProperty(PROPERTY), System.getenv(ENV));
            defaultBackend = d;
        }
        return d;
    }

    /**
     * The backend named by {@code property} (-Dtornagrad.backend), else by {@code env}
     * (TORNAGRAD_BACKEND), else {@code java}; an unknown name fails naming where it came from, since
     * the user may not know that a variable set long ago chose it.
     */
    static Backend defaultBackend(String property, String env) {
        boolean fromProperty = property != null && !property.isBlank();
        String name = fromProperty ? property : env;
        if (name == null || name.isBlank()) {
            return get(ReferenceBackend.NAME);
        }
        Backend b = LOADED.get(name.trim());
        if (b == null) {
            throw new IllegalArgumentException((fromProperty ? "-D" + PROPERTY : ENV) + ": expected a backend, one of "
                + names() + ", got '" + name + "'");
        }
        return b;
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

    /**
     * Records that {@code owner} holds the current contents of {@code buffer} (a float[] or int[])
     * and that its host copy may be stale until the owner {@link #release}s it. Weakly held: a
     * garbage array is forgotten.
     */
    public static void claim(Object buffer, Backend owner) {
        if (!(buffer instanceof float[]) && !(buffer instanceof int[])) {
            throw new IllegalArgumentException("buffer: expected a float[] or int[], got "
                + (buffer == null ? "null" : buffer.getClass().getSimpleName()));
        }
        if (owner == null) {
            throw new IllegalArgumentException("owner: expected a backend, got null");
        }
        anyClaimed = true;
        OWNERS.put(buffer, owner);
    }

    /** The host copy of {@code buffer} is current again (called by its owner). */
    public static void release(Object buffer) {
        if (anyClaimed && buffer != null) {
            OWNERS.remove(buffer);
        }
    }

    /** The backend that holds {@code buffer}'s current contents, or null when the host copy is current. */
    public static Backend owner(Object buffer) {
        return anyClaimed && buffer != null ? OWNERS.get(buffer) : null;
    }

    /**
     * Makes the host copy of {@code buffer} current (the owner copies it back), without the
     * current backend's read check: for code that hands the array on as it is (compiled programs).
     */
    public static void sync(Object buffer) {
        Backend owner = owner(buffer);
        if (owner != null) {
            owner.syncToHost(buffer, false);
        }
    }

    /**
     * Host code is about to read {@code buffer} element by element: its owner copies it back, then
     * the current backend sees the read ({@link Backend#onHostRead}; a tracer rejects it).
     */
    public static void hostRead(float[] buffer) {
        sync(buffer);
        current().onHostRead(buffer);
    }

    /**
     * Host code is about to write into {@code buffer}: its owner copies it back (the write may be
     * partial) and forgets its own copy, which the write makes stale.
     */
    public static void hostWrite(Object buffer) {
        Backend owner = owner(buffer);
        if (owner != null) {
            owner.syncToHost(buffer, true);
        }
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
