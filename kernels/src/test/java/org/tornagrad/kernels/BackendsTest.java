package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void serviceLoaderFindsTheJavaAndParallelBackendsThroughTheServiceFile() {
        // Backends falls back to built-in instances; ask ServiceLoader directly so the file itself is checked.
        List<String> found = ServiceLoader.load(Backend.class).stream()
            .map(p -> p.get().name()).collect(Collectors.toList());
        assertTrue(found.contains("java"), "ServiceLoader found " + found);
        assertTrue(found.contains("parallel"), "ServiceLoader found " + found);
        assertTrue(Backends.names().containsAll(List.of("java", "parallel")), Backends.names().toString());
        assertInstanceOf(ReferenceBackend.class, Backends.get("java"));
        assertInstanceOf(ParallelBackend.class, Backends.get("parallel"));
        assertEquals(Backends.names().size(), Backends.all().size());
    }

    @Test
    void unknownNameIsRejectedListingTheKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("cuda-magic"));
        assertTrue(e.getMessage().contains("cuda-magic"), e.getMessage());
        assertTrue(e.getMessage().contains("java") && e.getMessage().contains("parallel"), e.getMessage());
        assertTrue(e.getMessage().startsWith("backend:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.use("cuda-magic"));
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Backends.use((Backend) null));
        assertTrue(n.getMessage().contains("backend") && n.getMessage().contains("null"), n.getMessage());
    }

    @Test
    void defaultIsJavaWhenNothingIsConfigured() {
        if (System.getProperty(Backends.PROPERTY) == null && System.getenv(Backends.ENV) == null) {
            assertEquals("java", Backends.defaultBackend().name());
            assertSame(Backends.defaultBackend(), Backends.current());
        }
    }

    @Test
    @SuppressWarnings("try")  // the scopes are used for their side effect
    void scopesNestAndRestoreTheEnclosingBackend() {
        Backend outside = Backends.current();
        ParallelBackend two = new ParallelBackend(2);
        try (Backends.Scope s1 = Backends.use("parallel")) {
            assertSame(Backends.get("parallel"), Backends.current());
            try (Backends.Scope s2 = Backends.use("java")) {
                assertSame(Backends.get("java"), Backends.current());
                try (Backends.Scope s3 = Backends.use(two)) {
                    assertSame(two, Backends.current());
                }
                assertSame(Backends.get("java"), Backends.current());
            }
            assertSame(Backends.get("parallel"), Backends.current());
        }
        assertSame(outside, Backends.current());
    }

    @Test
    @SuppressWarnings("try")  // the scopes are used for their side effect
    void aScopeOnOneThreadDoesNotChangeAnotherThreadsBackend() throws Exception {
        Backend outside = Backends.current();
        try (Backends.Scope s = Backends.use(new ParallelBackend(1))) {
            Backend seenElsewhere = CompletableFuture.supplyAsync(Backends::current).get();
            assertSame(Backends.defaultBackend(), seenElsewhere);
        }
        assertSame(outside, Backends.current());
    }

    @Test
    void parallelBackendRejectsFewerThanOneThreadAndReportsItsThreads() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ParallelBackend(0));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains(">= 1") && e.getMessage().contains("0"),
            e.getMessage());
        assertEquals(3, new ParallelBackend(3).threads());
        assertTrue(new ParallelBackend(3).description().contains("3 threads"));
    }
}
