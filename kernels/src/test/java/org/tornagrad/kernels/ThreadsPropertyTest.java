package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThreadsPropertyTest {
    /** Runs {@code body} with tornagrad.threads set to {@code value}, restoring the old value after. */
    private static int withProperty(String value, IntSupplier body) {
        String old = System.getProperty(ParallelBackend.THREADS_PROPERTY);
        System.setProperty(ParallelBackend.THREADS_PROPERTY, value);
        try {
            return body.getAsInt();
        } finally {
            if (old == null) {
                System.clearProperty(ParallelBackend.THREADS_PROPERTY);
            } else {
                System.setProperty(ParallelBackend.THREADS_PROPERTY, old);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "100000", "1025", "abc", "", "2.5", "0x10", "99999999999"})
    void anythingButAnIntegerInRangeIsRefusedNamingThePropertyTheRangeAndTheValue(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> withProperty(value, ParallelBackend::configuredThreads));
        assertEquals("tornagrad.threads: expected an integer in [1, 1024], got '" + value + "'", e.getMessage());
        // The ServiceLoader constructor used to fail with a ServiceConfigurationError (0) or ignore it (abc).
        assertThrows(IllegalArgumentException.class, () -> withProperty(value, () -> new ParallelBackend().threads()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "3", " 4 ", "1024"})
    void anIntegerInRangeIsTheNumberOfThreads(String value) {
        assertEquals(Integer.parseInt(value.strip()), withProperty(value, () -> new ParallelBackend().threads()));
    }

    @Test
    void unsetMeansTheAvailableProcessors() {
        if (System.getProperty(ParallelBackend.THREADS_PROPERTY) == null) {
            int n = ParallelBackend.configuredThreads();
            assertTrue(n >= 1 && n <= Runtime.getRuntime().availableProcessors(), "threads " + n);
        }
    }
}
