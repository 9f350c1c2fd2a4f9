package org.tornagrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A pooling window far larger than the plane (the boundary loss's theta is any odd int; the CLI
 * fuzzer tried 1,598,215,777) costs what the plane costs: the window body used to step through
 * all kernel^2 positions, skipping those outside the plane, and never finished.
 */
class PoolingHugeWindowTest {
    @Test
    void aWindowOfIntMaxOverAnEightByEightPlaneFindsThePlanesFirstMaximumAtOnce() {
        float[] x = new float[64];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(5);   // ties, so that "first in row-major order" matters
        }
        int expected = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[expected]) {
                expected = i;
            }
        }
        int kernel = Integer.MAX_VALUE;
        int padding = (kernel - 1) / 2;
        int best = expected;
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertEquals(8, Pooling.outputSize(8, kernel, 1, padding));
            for (int oy = 0; oy < 8; oy++) {
                for (int ox = 0; ox < 8; ox++) {
                    assertEquals(best, Pooling.windowArgMax(x, 0, 8, 8, oy, ox, kernel, 1, padding));
                }
            }
        });
    }
}
