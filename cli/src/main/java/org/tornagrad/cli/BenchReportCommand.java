package org.tornagrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tornagrad.bench.BenchReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tornagrad bench-report results.json}: the JMH results of the loss benchmarks as a
 * Markdown table (printed, and written to bench-report.md) and a PNG chart per benchmark method,
 * the backends side by side for each loss.
 */
@Command(name = "bench-report", mixinStandardHelpOptions = true,
    // picocli's command list shows only the first line: it must be a whole sentence.
    description = {"Turns JMH JSON results into a Markdown table and a PNG chart per method.",
        "Writes bench-report.md and one bench-METHOD.png per benchmark method. The",
        "results come from: java -jar bench/target/benchmarks.jar -rf json -rff FILE"})
final class BenchReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS.json", description = "JMH results in JSON.")
    Path results;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the table and charts; default: the results file's folder.")
    Path out;

    @Override
    public Integer call() throws IOException {
        spec.commandLine().getOut().print(BenchReport.write(results, out));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
