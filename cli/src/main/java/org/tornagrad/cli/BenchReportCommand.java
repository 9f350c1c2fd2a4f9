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
        "Prints the table and writes it to bench-report.md, and one bench-METHOD.png",
        "per benchmark method: bars from 0 with JMH's score error as error bars, the",
        "values as labels, the JDK, JMH settings, machine and inputs under the chart.",
        "Says on stderr which files it wrote. The results come from:",
        "  java -jar bench/target/benchmarks.jar -rf json -rff FILE"})
final class BenchReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS.json", description = "JMH results in JSON.")
    Path results;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the table and charts; default: the results file's folder.")
    Path out;

    @Option(names = "--machine", paramLabel = "TEXT",
        description = "The machine the benchmarks ran on, printed under each chart (JMH's JSON does not record"
            + " it); default: this machine's CPU, cores and OS.")
    String machine;

    @Override
    public Integer call() throws IOException {
        BenchReport.Written written = BenchReport.report(results, out, machine != null ? machine : BenchReport.thisMachine());
        spec.commandLine().getOut().print(written.markdown());
        spec.commandLine().getOut().flush();
        for (Path file : written.files()) {
            spec.commandLine().getErr().println("wrote " + file);
        }
        spec.commandLine().getErr().flush();
        return 0;
    }
}
