package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP's field rules (RFC 9110 sections 5.5 and 5.6.2), the one copy the codec and the config loader share. */
class FieldCharsTest {

    @ParameterizedTest
    @ValueSource(strings = {"X-A", "content-type", "!#$%&'*+-.^_`|~09az"})
    void takesTokensAsFieldNames(String name) {
        assertTrue(FieldChars.isToken(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Name", "X:A", "X[1]", "X\u0001", "X\u007f", "caf\u00e9", "X\"A"})
    void refusesOtherFieldNames(String name) {
        assertFalse(FieldChars.isToken(name));
    }

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("plain value", -1),
                Arguments.of("tab\tand  spaces", -1),
                Arguments.of("caf\u00e9 obs-text \u0085", -1),
                Arguments.of("a\u0001b", 1),
                Arguments.of("a\u007f", 1),
                Arguments.of("\u001b[2J", 0),
                Arguments.of("a\rb", 1),
                Arguments.of("a\nb", 1),
                Arguments.of("\u2028", 0),
                Arguments.of("\u0100", 0));
    }

    @ParameterizedTest
    @MethodSource("values")
    void findsTheFirstCharacterAFieldValueMayNotHold(String value, int index) {
        assertEquals(index, FieldChars.firstInvalidValueChar(value));
    }
}
