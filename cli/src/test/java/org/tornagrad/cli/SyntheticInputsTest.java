package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tornagrad.tensor.Tensor;

class SyntheticInputsTest {
    @TempDir
    Path dir;

    @Test
    void ccsWeightsWithNoClassesAreRefusedAsAShapeNotADivisionByZero() {
        Path w = TestData.write(dir, "w.npy", Tensor.zeros(4, 0));
        for (String command : List.of("graph", "eval")) {
            Cli.Run run = command.equals("graph") ? Cli.run("graph", "ccs", "weights=" + w)
                : Cli.run("eval", "ccs", "weights=" + w,
                    "anchors=" + TestData.write(dir, "a.npy", Tensor.zeros(1, 2, 4)),
                    "embeddings=" + TestData.write(dir, "e.npy", Tensor.zeros(1, 2, 4)),
                    "annotations=" + TestData.write(dir, "m.npy", Tensor.of(new float[] {0, 0, 1, 1, 0}, 1, 1, 5)));
            assertEquals(2, run.code(), run::toString);
            assertEquals(List.of("tornagrad " + command + ": weights: expected shape (E, K) with K >= 1, got (4, 0)"),
                run.errLines());
        }
    }
}
