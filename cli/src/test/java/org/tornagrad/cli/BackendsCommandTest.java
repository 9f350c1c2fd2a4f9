package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tornagrad.compiler.ProgramCompiler;
import org.tornagrad.compiler.ProgramCompilers;
import org.tornagrad.kernels.Backends;
import org.tornagrad.losses.CompiledLoss;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Tensor;

class BackendsCommandTest {
    @Test
    void listsEveryBackendAndCompilerWithItsDescriptionAndStarsTheDefault() {
        Cli.Run run = Cli.run("backends");
        assertEquals(0, run.code(), run::toString);
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        List<String> names = new ArrayList<>(Backends.names());
        List<String> descriptions = new ArrayList<>();
        Backends.all().forEach(b -> descriptions.add("eager: " + b.description()));
        for (ProgramCompiler c : ProgramCompilers.all()) {
            names.add(c.name());
            descriptions.add("compiler: " + c.description());
        }
        assertEquals(names.size(), lines.size(), run.out());
        assertTrue(names.contains("compiled"), names::toString);
        String defaultName = Backends.defaultBackend().name();
        for (int i = 0; i < lines.size(); i++) {
            String name = names.get(i);
            String line = lines.get(i);
            assertTrue(line.matches("[* ] " + name + " +\\S.*"), line);
            assertTrue(line.endsWith(descriptions.get(i)), line);
            assertEquals(name.equals(defaultName), line.startsWith("*"), line);
        }
    }

    /**
     * This module's tests run without --add-modules jdk.incubator.vector (the launcher adds it):
     * the compiled backend then says so in `backends`, and generatedSource says why it has none,
     * instead of an empty string.
     */
    @Test
    void withoutTheVectorModuleTheCompiledBackendSaysWhyItHasNoGeneratedLoops() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(), "runs without the vector module");
        String why = "this JVM runs without the vector module (add --add-modules jdk.incubator.vector";
        Cli.Run run = Cli.run("backends");
        String compiled = run.out().lines().filter(l -> l.contains("compiled ")).findFirst().orElseThrow();
        assertTrue(compiled.contains("no generated loops (slower): " + why), compiled);

        Tensor logits = Tensor.uniform(7, -3f, 3f, 2, 1, 40, 50);
        Tensor targets = Tensor.uniform(8, 0f, 1f, 2, 1, 40, 50);
        String source = CompiledLoss.of(Losses.create("dice"))
            .generatedSource(Map.of("inputs", logits, "targets", targets), true);
        assertTrue(source.startsWith("// no generated loops: " + why), source);
        assertEquals(1, source.lines().count(), source);
    }
}
