package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.testing.CodedOrigin;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bodies as the UI shows them: content codings undone by the engine's decoder (each coding, stacked ones, the charset
 * the Content-Type names); what cannot be decoded shown as it flowed, with a note saying why.
 */
class BodyDecodingTest {

    private static final byte[] JSON = CodedOrigin.JSON.getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "deflate", "br", "zstd", "gzip,br", "br,zstd"})
    void undoesEachCodingAndStackedOnes(String codings) {
        Headers headers = Headers.of("Content-Type", "application/json", "Content-Encoding", codings.replace(",", ", "));
        BodyDecoding.ShownBody shown = BodyDecoding.show(headers, Body.of(CodedOrigin.encode(codings, JSON)));
        assertArrayEquals(JSON, shown.bytes());
        assertEquals(codings.replace(",", ", "), shown.codings());
        assertTrue(shown.decoded());
        assertFalse(shown.isStillEncoded());
        assertEquals("", shown.note());
        assertEquals(BodyKind.JSON, BodyKind.of("application/json", shown.bytes(), shown.isStillEncoded()));
    }

    @Test
    void readsTheTextInTheCharsetTheContentTypeNames() {
        byte[] latin1 = "grüße".getBytes(StandardCharsets.ISO_8859_1);
        Headers headers = Headers.of("Content-Type", "text/plain; charset=ISO-8859-1", "Content-Encoding", "gzip");
        BodyDecoding.ShownBody shown = BodyDecoding.show(headers, Body.of(CodedOrigin.encode("gzip", latin1)));
        assertEquals("grüße", new String(shown.bytes(), shown.charset()));
    }

    @Test
    void anUnknownCodingOrCorruptDataIsShownAsItFlowedWithANote() {
        byte[] compressed = {0x1f, (byte) 0x9d, 0x10, 0x20};
        BodyDecoding.ShownBody unknown = BodyDecoding.show(Headers.of("Content-Encoding", "compress"), Body.of(compressed));
        assertArrayEquals(compressed, unknown.bytes());
        assertTrue(unknown.isStillEncoded());
        assertTrue(unknown.note().contains("'compress' is not one wiretap can decode"), unknown.note());

        BodyDecoding.ShownBody corrupt = BodyDecoding.show(Headers.of("Content-Encoding", "gzip"), Body.of(new byte[] {1, 2, 3}));
        assertTrue(corrupt.isStillEncoded());
        assertTrue(corrupt.note().startsWith("cannot decode gzip"), corrupt.note());
        assertEquals(BodyKind.BINARY, BodyKind.of("", corrupt.bytes(), corrupt.isStillEncoded()));
    }

    @Test
    void aBodyCutAtTheCaptureCapIsDecodedAsFarAsItWasCaptured() {
        byte[] gzip = CodedOrigin.encode("gzip", JSON);
        BodyCapture capture = new BodyCapture(gzip.length / 2, gzip.length);
        capture.add(gzip, 0, gzip.length);
        Body cut = capture.finish();
        assertTrue(cut.isTruncated());

        BodyDecoding.ShownBody shown = BodyDecoding.show(Headers.of("Content-Encoding", "gzip"), cut);

        assertTrue(shown.decoded());
        assertTrue(shown.bytes().length > 0 && shown.bytes().length < JSON.length, shown.bytes().length + " bytes");
        assertArrayEquals(Arrays.copyOf(JSON, shown.bytes().length), shown.bytes());
        assertTrue(shown.note().contains("decoded from the captured part only"), shown.note());
    }
}
