package org.tornagrad.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on stderr: one line updated in place on a terminal, a few plain lines otherwise
 * (a log file or a pipe should not fill with carriage returns).
 */
final class Progress {
    /** Set by the launcher from {@code [ -t 2 ]}: whether stderr is a terminal. */
    static final String TTY_PROPERTY = "tornagrad.stderr.tty";
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 80_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private String label;
    private int total;
    private long lastDraw;
    private int lastPlain;

    Progress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether stderr is a terminal: the launcher's word, else whether the JVM has a console. */
    static boolean stderrIsTerminal() {
        String v = System.getProperty(TTY_PROPERTY);
        if (v != null) {
            return v.equals("true");
        }
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equals("dumb");
    }

    void start(String label, int total) {
        this.label = label;
        this.total = total;
        this.lastDraw = 0;
        this.lastPlain = -1;
    }

    /** {@code done} steps of {@code total} finished; {@code loss} is the latest value. */
    void update(int done, float loss) {
        if (terminal) {
            long now = System.nanoTime();
            if (done < total && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
            err.print("\r" + label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format(Locale.ROOT, "%d/%d  loss %.5f", done, total, loss) + "\u001b[K");
            if (done == total) {
                err.println();
            }
            err.flush();
        } else {
            // Plain lines at the start, each quarter, and the end.
            int quarter = total == 0 ? 4 : (int) ((long) done * 4 / total);
            if (quarter != lastPlain) {
                lastPlain = quarter;
                err.println(String.format(Locale.ROOT, "%s step %d/%d loss %.5f", label, done, total, loss));
                err.flush();
            }
        }
    }
}
