package org.tornagrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniJsonTest {
    @Test
    void parsesWhatJmhWrites() {
        Object v = MiniJson.parse("[{\"a\": [1, 2.5e1], \"b\": {\"c\": null, \"d\": true, \"e\": \"x\\u0041\"}}]");
        Map<?, ?> m = (Map<?, ?>) ((List<?>) v).get(0);
        assertEquals(List.of(1.0, 25.0), m.get("a"));
        assertEquals("xA", ((Map<?, ?>) m.get("b")).get("e"));
    }

    @Test
    void nestingUpToTheLimitIsFineAndDeeperIsAClearError() {
        int limit = MiniJson.MAX_DEPTH;
        MiniJson.parse("[".repeat(limit) + "]".repeat(limit));
        // Siblings do not add up: the depth is that of the deepest value, not a count of brackets.
        MiniJson.parse("[" + "[[]],".repeat(2 * limit) + "[]]");
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MiniJson.parse(deep));
        assertEquals("JSON: expected arrays and objects nested at most 512 levels deep, got more at character 512",
            e.getMessage());
        String deepObjects = "{\"a\":".repeat(limit + 1) + "1" + "}".repeat(limit + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MiniJson.parse(deepObjects))
            .getMessage().contains("nested at most 512 levels"));
    }
}
