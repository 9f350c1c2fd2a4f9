package org.tornagrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OptionsTest {
    private static double number(String value) {
        return new Options("dice", Map.of("smooth", value)).number("smooth", 1.0, 0.0, Float.MAX_VALUE);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "1.5, 1.5", "1e-3, 0.001", "2E+2, 200", ".5, 0.5", "5., 5", "+3, 3", "0, 0"})
    void plainDecimalsAndExponentsAreNumbers(String value, double expected) {
        assertEquals(expected, number(value));
        assertEquals(List.of(expected, 2.0), new Options("dice", Map.of("class_weights", value + ",2"))
            .numbers("class_weights", 0, Float.MAX_VALUE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1f", "1d", "1.5F", "2D", "0x1p3", "0x10", "1e", "e3", ".", "1..2", "1 5"})
    void javaLiteralSuffixesAndHexFloatsAreRefused(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> number(value));
        assertEquals("dice option smooth: expected a finite number >= 0.0 written as a decimal such as 1, 0.5 or 1e-3,"
            + " got '" + value + "'", e.getMessage());
        IllegalArgumentException list = assertThrows(IllegalArgumentException.class,
            () -> new Options("dice", Map.of("class_weights", "1," + value)).numbers("class_weights", 0, Float.MAX_VALUE));
        assertEquals("dice option class_weights: expected a comma-separated list of finite numbers >= 0.0 written as a"
            + " decimal such as 1, 0.5 or 1e-3, got '1," + value + "'", list.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-2", "1e39", "Infinity", "NaN"})
    void numbersOutOfRangeNameTheRangeReadably(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Options("dice", Map.of("class_weights", value)).numbers("class_weights", 0, Float.MAX_VALUE));
        String expected = value.equals("-2") || value.equals("1e39") ? "finite numbers >= 0.0"
            : "a comma-separated list of finite numbers >= 0.0 written as a decimal such as 1, 0.5 or 1e-3";
        assertEquals("dice option class_weights: expected " + expected + ", got '" + value + "'", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1,,2", "1,2,", ",1", "1, ,2", "[1,,2]", "", " ", "[]"})
    void aListWithAnEmptyElementIsRefusedNotReadAsAShorterList(String value) {
        // "1,,2,3" for three classes was read as 1, 2, 3: a missing weight shifted the others silently.
        String rule = value.replaceAll("[\\[\\] ]", "").isEmpty() ? ", with at least one element" : ", with no empty element";
        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class,
            () -> new Options("dice", Map.of("class_weights", value)).numbers("class_weights", 0, Float.MAX_VALUE));
        assertEquals("dice option class_weights: expected a comma-separated list of finite numbers >= 0.0 written as a"
            + " decimal such as 1, 0.5 or 1e-3" + rule + ", got '" + value.trim() + "'", weights.getMessage());
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
            () -> new Options("dice", Map.of("classes", value)).integers("classes", 0, Integer.MAX_VALUE));
        assertEquals("dice option classes: expected a comma-separated list of integers" + rule + ", got '"
            + value.trim() + "'", classes.getMessage());
    }

    @Test
    void listsMayHaveBracketsAndSpaces() {
        assertEquals(List.of(1, 2), new Options("dice", Map.of("classes", " [1, 2] ")).integers("classes", 0, 9));
        assertEquals(List.of(0.5, 2.0), new Options("dice", Map.of("class_weights", "0.5 ,2"))
            .numbers("class_weights", 0, Float.MAX_VALUE));
    }

    @Test
    void aNullValueOrNameIsRefusedNotReadAsAbsent() {
        // A null value read as "not given": smooth=null silently became the default smooth 1.
        Map<String, String> nullValue = new java.util.HashMap<>();
        nullValue.put("smooth", null);
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class, () -> Losses.create("dice", nullValue));
        assertEquals("dice option smooth: expected a value, got null", value.getMessage());
        Map<String, String> nullName = new java.util.HashMap<>();
        nullName.put(null, "1");
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> Losses.create("focal", nullName));
        assertEquals("focal options: expected option names, got a null key", name.getMessage());
    }
}
