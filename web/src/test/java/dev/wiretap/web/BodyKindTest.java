package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** How a body is shown: by its type, and by its bytes when untyped; bytes still encoded are binary. */
class BodyKindTest {

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "application/json|{\"a\":1}|JSON",
            "application/problem+json; charset=utf-8|{}|JSON",
            "text/plain|[1, 2]|TEXT",
            "|  {\"untyped\": true}|JSON",
            "|plain words|TEXT",
            "text/html; charset=utf-8|<p>hi</p>|HTML",
            "application/xhtml+xml|<html/>|HTML",
            "image/svg+xml|<svg/>|IMAGE",
            "application/atom+xml|<feed/>|XML",
            "text/javascript|let a = 1|JAVASCRIPT",
            "application/javascript|let a = 1|JAVASCRIPT",
            "text/css|a { }|CSS",
            "application/x-www-form-urlencoded|a=1&b=2|TEXT"})
    void choosesTheKindByTypeThenByTheBytes(String type, String text, BodyKind kind) {
        assertEquals(kind, BodyKind.of(type == null ? "" : type, text.getBytes(StandardCharsets.UTF_8), false));
    }

    @Test
    void showsBytesThatAreNotTextAsBinaryAndNothingAsEmpty() {
        assertEquals(BodyKind.BINARY, BodyKind.of("application/octet-stream", new byte[] {0, 1, 2, (byte) 0xff}, false));
        assertEquals(BodyKind.BINARY, BodyKind.of("text/plain", new byte[] {(byte) 0xc3, 0x28}, false), "not UTF-8");
        assertEquals(BodyKind.EMPTY, BodyKind.of("application/json", new byte[0], false));
        assertEquals(BodyKind.BINARY, BodyKind.of("application/json", "{}".getBytes(StandardCharsets.UTF_8), true), "still encoded");
    }

    @Test
    void aCharacterCutInTwoByTheCaptureCapIsStillText() {
        byte[] cut = "grüße".getBytes(StandardCharsets.UTF_8);
        byte[] shorter = java.util.Arrays.copyOf(cut, cut.length - 1); // the last ß cut in two
        assertTrue(BodyKind.isText(shorter, StandardCharsets.UTF_8));
    }
}
