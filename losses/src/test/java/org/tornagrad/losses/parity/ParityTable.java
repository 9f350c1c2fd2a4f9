package org.tornagrad.losses.parity;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Per loss and backend: cases passed, worst relative loss error, worst gradient error. */
final class ParityTable {
    private final List<String> backends;
    private final Map<String, Map<String, Row>> rows = new TreeMap<>();

    ParityTable(List<String> backends) {
        this.backends = backends;
    }

    private static final class Row {
        int cases;
        int passed;
        int errorCases;
        double worstLoss;
        double worstGrad;
    }

    /** One case's result; {@code lossError}/{@code gradError} are NaN where not measured. */
    synchronized void record(String loss, String backend, boolean passed, boolean errorCase,
                             double lossError, double gradError) {
        Row r = rows.computeIfAbsent(loss, k -> new TreeMap<>()).computeIfAbsent(backend, k -> new Row());
        r.cases++;
        r.passed += passed ? 1 : 0;
        r.errorCases += errorCase ? 1 : 0;
        r.worstLoss = worse(r.worstLoss, lossError);
        r.worstGrad = worse(r.worstGrad, gradError);
    }

    /** NaN marks a value that was not measured (an error case, or a failure before it). */
    private static double worse(double current, double candidate) {
        return Double.isNaN(candidate) ? current : Math.max(current, candidate);
    }

    synchronized boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table in Markdown. */
    synchronized String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| loss | backend | cases passed | error cases | worst rel. loss error | worst grad error |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, Row>> loss : rows.entrySet()) {
            for (String backend : backends) {
                Row r = loss.getValue().get(backend);
                if (r == null) {
                    continue;
                }
                b.append(String.format(Locale.ROOT, "| %s | %s | %d/%d | %d | %.2e | %.2e |%n", loss.getKey(), backend,
                    r.passed, r.cases, r.errorCases, r.worstLoss, r.worstGrad));
            }
        }
        b.append("\nrel. loss error: max |java - torch| / max(|torch|, 1e-6) over the loss's elements;"
            + " grad error: max |java - torch| / max |torch| per input (absolute where torch's gradient is all"
            + " zero); error cases: PyTorch raised and Java threw IllegalArgumentException.\n");
        return b.toString();
    }
}
