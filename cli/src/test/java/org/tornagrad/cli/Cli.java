package org.tornagrad.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the tornagrad command in-process with captured stdout and stderr. */
final class Cli {
    record Run(int code, String out, String err) {
        /** The lines of stderr (none for an empty stderr). */
        List<String> errLines() {
            return err.isEmpty() ? List.of() : err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
