package org.tornagrad.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import org.tornagrad.kernels.ParallelBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code tornagrad} command. Exit codes: 0 success, 2 bad usage or bad input (one line on
 * stderr naming the argument, the expected and the actual value), 1 internal error.
 */
@Command(name = "tornagrad",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Reverse-mode autograd in Java and seven segmentation/detection losses.",
    subcommands = {EvalCommand.class, DemoCommand.class, GraphCommand.class, BackendsCommand.class,
        BenchReportCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:internal error", "2:bad usage or bad input (one line on stderr)"})
public final class Main implements Runnable {
    /** Exit code for bad usage or bad input. */
    public static final int USAGE = 2;
    /** Exit code for an internal error. */
    public static final int INTERNAL = 1;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), Errors.expectedCommand(spec.commandLine(), "none"));
    }

    /** The command line with this project's error handling; output goes to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        // Every subcommand has --version (mixinStandardHelpOptions) but no version of its own:
        // without this, `tornagrad eval --version` printed nothing and exited 0.
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(new Version());
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Errors::onParameterException);
        cl.setExecutionExceptionHandler(Errors::onExecutionException);
        cl.setExecutionStrategy(Main::execute);
        return cl;
    }

    /**
     * Runs the parsed command as picocli would, after the checks that cannot wait, and turns the
     * errors (not exceptions) that picocli lets through into one line too.
     */
    private static int execute(ParseResult parsed) {
        List<CommandLine> commands = parsed.asCommandLineList();
        CommandLine command = commands.get(commands.size() - 1);
        try {
            // A bad -Dtornagrad.threads otherwise fails inside the ServiceLoader that every command
            // reaches, as a ServiceConfigurationError, on whichever backend was chosen.
            ParallelBackend.configuredThreads();
        } catch (IllegalArgumentException e) {
            return Errors.onExecutionException(e, command, parsed);
        }
        checkHelpTopic(command);
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (OutOfMemoryError e) {
            return Errors.onOutOfMemory(command, e);
        } catch (ServiceConfigurationError | ExceptionInInitializerError e) {
            return Errors.onError(command, e);
        }
    }

    /**
     * {@code help TOPIC} with a TOPIC that is no command fails as an unknown command does, listing
     * the commands. picocli's help command said only "Unknown subcommand 'foo'.", and took an
     * unknown option (help --foo) for no topic at all, printing the top-level usage with exit 0.
     */
    private static void checkHelpTopic(CommandLine command) {
        if (!(command.getCommand() instanceof CommandLine.HelpCommand)) {
            return;
        }
        ParseResult help = command.getParseResult();
        List<String> topics = new ArrayList<>();
        String positional = help.matchedPositionalValue(0, null);
        if (positional != null) {
            topics.add(positional);
        }
        topics.addAll(help.unmatched());
        CommandLine top = command.getParent();
        if (!topics.isEmpty() && !top.getSubcommands().containsKey(topics.get(0))) {
            throw new CommandLine.ParameterException(top, Errors.expectedCommand(top, "'" + topics.get(0) + "'"));
        }
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code;
        try {
            code = commandLine(out, err).execute(args);
        } catch (OutOfMemoryError e) {
            // Out of memory outside a command (picocli parsing, say); execute reports the rest.
            code = Errors.onOutOfMemory(null, e);
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** {@code tornagrad --version}: the project version, the JVM and the backends found. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "tornagrad " + projectVersion(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                "backends: " + String.join(", ", org.tornagrad.kernels.Backends.names())
            };
        }

        static String projectVersion() {
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    return p.getProperty("version", "unknown");
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return "unknown";
        }
    }
}
