package org.tornagrad.tornado;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The PyTorch parity suite's tolerances (losses' PyTorchParityTest), applied between this backend
 * and the Java reference: a loss element within 1e-4 relative plus 1e-6 absolute; a gradient's
 * largest absolute error within 1e-4 of its largest absolute value (1e-12 when it is all zero).
 */
public final class ParityTolerance {
    public static final double LOSS_RTOL = 1e-4;
    public static final double LOSS_ATOL = 1e-6;
    public static final double GRAD_RTOL = 1e-4;
    public static final double GRAD_ZERO_FLOOR = 1e-12;

    private ParityTolerance() {
    }

    /** Fails naming {@code what} unless {@code tornado} is within tolerance of {@code java}. */
    public static void check(String what, float[] java, float[] tornado, boolean isLoss) {
        if (java.length != tornado.length) {
            fail(what + ": expected " + java.length + " values, got " + tornado.length);
        }
        if (isLoss) {
            for (int i = 0; i < java.length; i++) {
                if (Float.isNaN(java[i]) || Float.isNaN(tornado[i])) {
                    if (Float.isNaN(java[i]) != Float.isNaN(tornado[i])) {
                        fail(what + "[" + i + "]: expected " + java[i] + " (java), got " + tornado[i] + " (tornado)");
                    }
                    continue;
                }
                double diff = Math.abs((double) java[i] - tornado[i]);
                if (!(diff <= LOSS_RTOL * Math.abs(java[i]) + LOSS_ATOL) && java[i] != tornado[i]) {
                    fail(what + "[" + i + "]: expected " + java[i] + " (java), got " + tornado[i]
                        + " (tornado), beyond 1e-4 relative + 1e-6");
                }
            }
            return;
        }
        double maxAbs = 0;
        double maxErr = 0;
        int worst = -1;
        for (int i = 0; i < java.length; i++) {
            if (Float.isNaN(java[i]) != Float.isNaN(tornado[i])) {
                fail(what + "[" + i + "]: expected " + java[i] + " (java), got " + tornado[i] + " (tornado)");
            }
            if (Float.isNaN(java[i])) {
                continue;
            }
            maxAbs = Math.max(maxAbs, Math.abs(java[i]));
            double err = java[i] == tornado[i] ? 0 : Math.abs((double) java[i] - tornado[i]);
            if (err > maxErr || Double.isNaN(err)) {
                maxErr = err;
                worst = i;
            }
        }
        double allowed = maxAbs == 0 ? GRAD_ZERO_FLOOR : GRAD_RTOL * maxAbs;
        if (!(maxErr <= allowed)) {
            fail(what + ": max |tornado - java| = " + maxErr + " at " + worst + " (java " + java[worst] + ", tornado "
                + tornado[worst] + "), allowed " + allowed);
        }
    }
}
