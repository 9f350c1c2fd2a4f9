package org.tornagrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tornagrad.kernels.Backends;

class BackendsCommandTest {
    @Test
    void listsEveryBackendWithItsDescriptionAndStarsTheDefault() {
        Cli.Run run = Cli.run("backends");
        assertEquals(0, run.code(), run::toString);
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(Backends.names().size(), lines.size(), run.out());
        String defaultName = Backends.defaultBackend().name();
        for (int i = 0; i < lines.size(); i++) {
            String name = Backends.names().get(i);
            String line = lines.get(i);
            assertTrue(line.matches("[* ] " + name + " +\\S.*"), line);
            assertTrue(line.endsWith(Backends.get(name).description()), line);
            assertEquals(name.equals(defaultName), line.startsWith("*"), line);
        }
    }
}
