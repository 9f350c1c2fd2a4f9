package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeUnravelTest {
    @Test
    void unravelIsTheRowMajorIndexOfEveryFlatPosition() {
        int[] dims = {2, 3, 1, 4};
        Shape shape = Shape.of(dims);
        for (int i = 0; i < shape.size(); i++) {
            assertArrayEquals(Ref.unravel(i, dims), shape.unravel(i), "position " + i);
        }
        assertArrayEquals(new int[] {1, 2, 0, 3}, shape.unravel(23));
        assertArrayEquals(new int[] {}, Shape.scalar().unravel(0));
    }

    @Test
    void aPositionOutsideTheShapeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).unravel(6));
        assertTrue(e.getMessage().contains("expected [0, 6) for shape (2, 3), got 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).unravel(-1));
    }
}
