package org.tornagrad.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into exit codes with exactly one line on stderr: bad usage (picocli's parameter
 * exceptions) and bad input (IllegalArgumentException, which every check in the library throws
 * with a message naming the argument, the expected and the actual value) exit with 2; anything
 * else is a bug and exits with 1. Set {@code TORNAGRAD_DEBUG=1} to get the stack trace too.
 */
final class Errors {
    private Errors() {
    }

    static int onParameterException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        report(cl.getErr(), cl, ex.getMessage(), ex);
        return Main.USAGE;
    }

    static int onExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        if (ex instanceof IllegalArgumentException) {
            report(cl.getErr(), cl, ex.getMessage() != null ? ex.getMessage() : ex.toString(), ex);
            return Main.USAGE;
        }
        report(cl.getErr(), cl, "internal error: " + ex, ex);
        return Main.INTERNAL;
    }

    private static void report(PrintWriter err, CommandLine cl, String message, Exception ex) {
        err.println(cl.getCommandSpec().qualifiedName() + ": " + oneLine(message));
        if (debug()) {
            ex.printStackTrace(err);
        }
        err.flush();
    }

    /** Collapses a message onto one line, so a script reading stderr sees exactly one. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    private static boolean debug() {
        String v = System.getenv("TORNAGRAD_DEBUG");
        return v != null && !v.isEmpty() && !v.equals("0");
    }
}
