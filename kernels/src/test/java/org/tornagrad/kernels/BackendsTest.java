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
    void aBadDefaultNamesTheVariableOrPropertyThatChoseIt() {
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
            () -> Backends.defaultBackend(null, "quantum"));
        assertTrue(env.getMessage().startsWith("TORNAGRAD_BACKEND: expected a backend, one of [java, parallel"),
            env.getMessage());
        assertTrue(env.getMessage().endsWith("got 'quantum'"), env.getMessage());
        IllegalArgumentException property = assertThrows(IllegalArgumentException.class,
            () -> Backends.defaultBackend("quantum", "parallel"));
        assertTrue(property.getMessage().startsWith("-Dtornagrad.backend: expected a backend"), property.getMessage());
        assertEquals("parallel", Backends.defaultBackend(" ", "parallel").name());
        assertEquals("parallel", Backends.defaultBackend("parallel ", null).name());
        assertEquals("java", Backends.defaultBackend(null, "").name());
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

    /** A backend that holds claimed arrays "elsewhere" and writes their value back when synced. */
    static final class OwningBackend implements Backend {
        final Backend java = new ReferenceBackend();
        final List<String> calls = new java.util.ArrayList<>();

        @Override
        public String name() {
            return "owning";
        }

        @Override
        public void unary(int op, float a, float b, float[] x, int xOffset, float[] out, int n) {
            java.unary(op, a, b, x, xOffset, out, n);
        }

        @Override
        public void binary(int op, int[] shape, float[] x, int xo, int[] xs, float[] y, int yo, int[] ys, float[] out) {
            java.binary(op, shape, x, xo, xs, y, yo, ys, out);
        }

        @Override
        public void copy(int[] shape, float[] src, int offset, int[] strides, float[] out) {
            java.copy(shape, src, offset, strides, out);
        }

        @Override
        public void scatter(int[] shape, float[] src, float[] dst, int dstOffset, int[] dstStrides) {
            java.scatter(shape, src, dst, dstOffset, dstStrides);
        }

        @Override
        public void gatherRows(float[] src, int rowLength, float[] index, int n, float[] out) {
            java.gatherRows(src, rowLength, index, n, out);
        }

        @Override
        public void scatterAddRows(float[] g, int rowLength, float[] index, int n, float[] out, int rows) {
            java.scatterAddRows(g, rowLength, index, n, out, rows);
        }

        @Override
        public void sumRows(float[] x, int rows, int cols, float[] out) {
            java.sumRows(x, rows, cols, out);
        }

        @Override
        public void maxRows(float[] x, int rows, int cols, float[] outMax, int[] outIndex) {
            java.maxRows(x, rows, cols, outMax, outIndex);
        }

        @Override
        public void maxRowsBackward(float[] g, int[] index, int rows, int cols, float[] out) {
            java.maxRowsBackward(g, index, rows, cols, out);
        }

        @Override
        public void maxPool2d(float[] x, int planes, int h, int w, int k, int stride, int padding, float[] out,
                              int[] argmax) {
            java.maxPool2d(x, planes, h, w, k, stride, padding, out, argmax);
        }

        @Override
        public void maxPool2dBackward(float[] g, int[] argmax, int planes, int h, int w, int outH, int outW,
                                      float[] gradIn) {
            java.maxPool2dBackward(g, argmax, planes, h, w, outH, outW, gradIn);
        }

        @Override
        public void matmul(float[] a, float[] b, float[] out, int batch, int m, int k, int n) {
            java.matmul(a, b, out, batch, m, k, n);
        }

        @Override
        public void syncToHost(Object buffer, boolean forWrite) {
            calls.add((forWrite ? "write " : "read ") + Thread.currentThread().getName());
            ((float[]) buffer)[0] = 42f;
            Backends.release(buffer);
        }
    }

    @Test
    @SuppressWarnings("try")  // the scope is used for its side effect
    void aHostReadReachesTheOwnerAfterItsScopeClosedAndFromAnotherThread() throws Exception {
        OwningBackend owner = new OwningBackend();
        float[] a = new float[1];
        float[] b = new float[1];
        try (Backends.Scope s = Backends.use(owner)) {
            Backends.claim(a, owner);
            Backends.claim(b, owner);
        }
        assertSame(owner, Backends.owner(a));
        Backends.hostRead(a);
        assertEquals(42f, a[0], "the owner wrote the current value back");
        assertEquals(null, Backends.owner(a), "released after the sync");
        Backends.hostRead(a);
        assertEquals(1, owner.calls.size(), "a released array costs no second sync: " + owner.calls);
        CompletableFuture.runAsync(() -> Backends.hostWrite(b)).get();
        assertEquals(2, owner.calls.size());
        assertTrue(owner.calls.get(1).startsWith("write "), owner.calls.toString());
        assertEquals(42f, b[0]);
        Backends.hostRead(new float[1]);
        assertEquals(2, owner.calls.size(), "an unclaimed array reaches no owner");
    }

    @Test
    void claimRejectsWhatIsNotAnArrayOrHasNoOwner() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Backends.claim("text", new ReferenceBackend()));
        assertTrue(e.getMessage().contains("buffer") && e.getMessage().contains("String"), e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Backends.claim(new float[1], null));
        assertTrue(n.getMessage().contains("owner") && n.getMessage().contains("null"), n.getMessage());
    }
}
