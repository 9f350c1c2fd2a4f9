package org.tornagrad.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into exit codes with exactly one line on stderr: bad usage (picocli's parameter
 * exceptions) and bad input (IllegalArgumentException, which every check in the library throws
 * with a message naming the argument, the expected and the actual value) exit with 2; anything
 * else is a bug and exits with 1. Set {@code TORNAGRAD_DEBUG=1} to get the stack trace too.
 * Running out of heap is the input's size, not a bug: exit 2, saying how to raise the heap.
 */
final class Errors {
    private Errors() {
    }

    static int onParameterException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        report(cl.getErr(), cl, withExpected(ex, args), ex);
        return Main.USAGE;
    }

    /**
     * picocli's message, with what was expected where picocli leaves it out: the commands for an
     * unknown command, the options for an unknown option, the values of an option given twice.
     */
    private static String withExpected(ParameterException ex, String[] args) {
        if (ex instanceof OverwrittenOptionException o && o.getOverwritten() instanceof OptionSpec option) {
            return givenTwice(option, args);
        }
        if (!(ex instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return ex.getMessage();
        }
        CommandLine cl = ex.getCommandLine();
        String first = u.getUnmatched().get(0);
        if (u.isUnknownOption()) {
            List<String> names = new ArrayList<>();
            for (OptionSpec o : cl.getCommandSpec().options()) {
                names.add(o.longestName());
            }
            return ex.getMessage() + "; expected one of " + String.join(", ", names);
        }
        if (!cl.getSubcommands().isEmpty()) {
            return expectedCommand(cl, "'" + first + "'");
        }
        return unexpectedArguments(cl, u.getUnmatched());
    }

    /**
     * An argument after all of a command's parameters: what the command takes instead of
     * picocli's "Unmatched argument at index 1: 'extra'", which leaves the expected out.
     */
    private static String unexpectedArguments(CommandLine cl, List<String> unmatched) {
        List<String> quoted = new ArrayList<>();
        for (String arg : unmatched) {
            quoted.add("'" + arg + "'");
        }
        List<String> labels = new ArrayList<>();
        for (PositionalParamSpec p : cl.getCommandSpec().positionalParameters()) {
            labels.add(p.paramLabel());
        }
        return "unexpected argument" + (quoted.size() > 1 ? "s " : " ") + String.join(", ", quoted) + ": expected "
            + (labels.isEmpty() ? "no arguments" : "only " + String.join(" ", labels))
            + " (see " + cl.getCommandSpec().qualifiedName() + " --help)";
    }

    /**
     * An option given more than once, with the values given (as -o's pairs say it), instead of
     * picocli's "option '--grads' (DIR) should be specified only once", which leaves them out.
     */
    private static String givenTwice(OptionSpec option, String[] args) {
        List<String> given = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            for (String name : option.names()) {
                if (args[i].equals(name)) {
                    given.add(option.arity().max() > 0 && i + 1 < args.length ? "'" + args[i + 1] + "'" : name);
                } else if (args[i].startsWith(name + "=")) {
                    given.add("'" + args[i].substring(name.length() + 1) + "'");
                }
            }
        }
        return option.longestName() + ": expected once, got " + (given.size() >= 2 ? String.join(" and ", given)
            : "it more than once");
    }

    /** "command: expected one of eval, ..., got GOT", listing the subcommands of {@code top}. */
    static String expectedCommand(CommandLine top, String got) {
        List<String> names = new ArrayList<>(top.getSubcommands().keySet());
        names.remove("help"); // the --help text lists it; here it would read as a command that computes
        return "command: expected one of " + String.join(", ", names) + " (see " + top.getCommandName()
            + " --help), got " + got;
    }

    static int onExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        if (ex instanceof IllegalArgumentException) {
            report(cl.getErr(), cl, ex.getMessage() != null ? ex.getMessage() : ex.toString(), ex);
            return Main.USAGE;
        }
        report(cl.getErr(), cl, "internal error: " + ex, ex);
        return Main.INTERNAL;
    }

    /** A Java heap too small for the input: exit 2 with how to raise it. */
    static int onOutOfMemory(CommandLine cl, OutOfMemoryError e) {
        // The arrays that did not fit were dropped with the stack that held them, so this small
        // string is safe to build. The variable is the one the ./tornagrad launcher passes to java.
        long heapMiB = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        String message = "out of memory: the input needs more memory than the Java heap (" + heapMiB
            + " MiB) allows; raise it, e.g. TORNAGRAD_JAVA_OPTS=-Xmx" + Math.max(1, heapMiB / 512) + "g";
        if (cl == null) {
            System.err.println("tornagrad: " + message);
            System.err.flush();
            return Main.USAGE;
        }
        report(cl.getErr(), cl, message, e);
        return Main.USAGE;
    }

    /**
     * Why a file operation failed, in words for the one line of an error: the system's reason
     * ("Is a directory", "Read-only file system"), not the exception's class name.
     */
    static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return "no such file or directory: " + f.getFile();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return "a file is in the way: " + f.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : "an I/O error";
    }

    /**
     * Errors picocli lets through: a static initializer or a service that threw
     * IllegalArgumentException is bad input (exit 2, its message), anything else a bug.
     */
    static int onError(CommandLine cl, Error e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                report(cl.getErr(), cl, t.getMessage() != null ? t.getMessage() : t.toString(), e);
                return Main.USAGE;
            }
        }
        report(cl.getErr(), cl, "internal error: " + e, e);
        return Main.INTERNAL;
    }

    private static void report(PrintWriter err, CommandLine cl, String message, Throwable ex) {
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
