package dev.wiretap.proxy.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.testing.Encodings;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BodyDecoderTest {

    private static final byte[] TEXT = ("{\"greeting\": \"hello\", \"items\": [1, 2, 3], \"note\": \"gr\u00fc\u00dfe\"}\n")
            .repeat(200).getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "x-gzip", "deflate", "br", "zstd"})
    void undoesEachContentCoding(String coding) {
        Headers headers = Headers.of("Content-Type", "application/json", "Content-Encoding", coding.toUpperCase());

        DecodedBody decoded = BodyDecoder.decode(headers, Body.of(Encodings.encode(coding, TEXT)));

        assertEquals(DecodedBody.Outcome.COMPLETE, decoded.outcome(), decoded.note());
        assertArrayEquals(TEXT, decoded.bytes());
        assertEquals(List.of(coding), decoded.codings());
        assertEquals("", decoded.note());
    }

    @Test
    void undoesRawDeflateSentUnderTheNameDeflate() {
        DecodedBody decoded = BodyDecoder.decode(Headers.of("Content-Encoding", "deflate"),
                Body.of(Encodings.encode("deflate-raw", TEXT)));

        assertEquals(DecodedBody.Outcome.COMPLETE, decoded.outcome(), decoded.note());
        assertArrayEquals(TEXT, decoded.bytes());
    }

    @Test
    void undoesStackedCodingsLastAppliedFirst() {
        byte[] gzipThenBr = Encodings.encode("br", Encodings.encode("gzip", TEXT));
        byte[] zstdThenDeflate = Encodings.encode("deflate", Encodings.encode("zstd", TEXT));

        DecodedBody one = BodyDecoder.decode(Headers.of("Content-Encoding", "gzip, br"), Body.of(gzipThenBr));
        // The same list spread over two fields, with identity in between (RFC 9110 section 5.3).
        DecodedBody two = BodyDecoder.decode(Headers.of("Content-Encoding", "zstd", "Content-Encoding", "identity, deflate"),
                Body.of(zstdThenDeflate));

        assertArrayEquals(TEXT, one.bytes(), one.note());
        assertEquals(List.of("gzip", "br"), one.codings());
        assertArrayEquals(TEXT, two.bytes(), two.note());
        assertEquals(List.of("zstd", "deflate"), two.codings());
    }

    @Test
    void undoesAGzipTransferCodingAfterTheContentCodings() {
        byte[] brThenGzip = Encodings.encode("gzip", Encodings.encode("br", TEXT));

        DecodedBody decoded = BodyDecoder.decode(Headers.of("Content-Encoding", "br", "Transfer-Encoding", "gzip, chunked"),
                Body.of(brThenGzip));

        assertArrayEquals(TEXT, decoded.bytes(), decoded.note());
        assertEquals(List.of("br", "gzip"), decoded.codings());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "deflate", "zstd"})
    void decodesWhatTheCaptureHoldsWhenTheCapCutTheStream(String coding) {
        byte[] noisy = noisyText(3_000_000);
        byte[] encoded = Encodings.encode(coding, noisy);
        byte[] captured = Arrays.copyOf(encoded, encoded.length / 2);

        DecodedBody decoded = BodyDecoder.decode(List.of(coding), captured, true, BodyDecoder.DEFAULT_MAX_DECODED_BYTES);

        assertEquals(DecodedBody.Outcome.CAPTURE_TRUNCATED, decoded.outcome());
        assertTrue(decoded.note().startsWith(coding + ": decoded from the captured part only ("), decoded.note());
        assertTrue(decoded.bytes().length > 0 && decoded.bytes().length < noisy.length, "some of the body");
        assertArrayEquals(Arrays.copyOf(noisy, decoded.bytes().length), decoded.bytes(), "a prefix of the body");
    }

    @Test
    void showsACutBrotliStreamAsReceivedWhenNoWholeBlockWasCaptured() {
        // Brotli gives out a meta-block only once it is whole; half of one decodes to nothing.
        byte[] encoded = Encodings.encode("br", noisyText(400_000));
        byte[] captured = Arrays.copyOf(encoded, encoded.length / 2);

        DecodedBody decoded = BodyDecoder.decode(List.of("br"), captured, true, BodyDecoder.DEFAULT_MAX_DECODED_BYTES);

        assertEquals(DecodedBody.Outcome.CAPTURE_TRUNCATED, decoded.outcome());
        assertEquals("br: the captured part is too short to decode; shown as received", decoded.note());
        assertArrayEquals(captured, decoded.bytes());
        assertEquals(List.of(), decoded.codings());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "deflate", "br", "zstd"})
    void saysTheDataIsCorruptAndShowsItAsReceivedWhenNothingDecodes(String coding) {
        byte[] garbage = "this was never compressed, whatever the header says".getBytes(StandardCharsets.US_ASCII);

        DecodedBody decoded = BodyDecoder.decode(List.of(coding), garbage, false, 1 << 20);

        assertEquals(DecodedBody.Outcome.CORRUPT, decoded.outcome());
        assertArrayEquals(garbage, decoded.bytes());
        assertEquals(List.of(), decoded.codings());
        assertTrue(decoded.note().startsWith("cannot decode " + coding + ": "), decoded.note());
        assertTrue(decoded.note().endsWith("shown as received"), decoded.note());
    }

    @Test
    void keepsWhatDecodedBeforeTheDataWentBad() throws Exception {
        byte[] first = Encodings.gzip(TEXT);
        // A second gzip member whose deflate data starts with a block of the reserved type 3 (RFC 1951 section 3.2.3).
        byte[] badMember = {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, (byte) 0xFF, 0x07, 0x12, 0x34, 0x56};
        byte[] damaged = Arrays.copyOf(first, first.length + badMember.length);
        System.arraycopy(badMember, 0, damaged, first.length, badMember.length);

        DecodedBody decoded = BodyDecoder.decode(List.of("gzip"), damaged, false, 1 << 20);

        assertEquals(DecodedBody.Outcome.CORRUPT, decoded.outcome());
        assertEquals("gzip: corrupt data (invalid block type) after " + TEXT.length + " decoded bytes; showing those",
                decoded.note());
        assertArrayEquals(TEXT, decoded.bytes());
    }

    @Test
    void saysTheBodyEndsEarlyWhenAnUntruncatedCaptureIsCut() {
        byte[] encoded = Encodings.encode("gzip", TEXT);

        DecodedBody decoded = BodyDecoder.decode(List.of("gzip"), Arrays.copyOf(encoded, encoded.length - 10), false, 1 << 20);

        assertEquals(DecodedBody.Outcome.CORRUPT, decoded.outcome());
        assertTrue(decoded.note().contains("the data ends early"), decoded.note());
    }

    @Test
    void leavesAnUnknownCodingAsReceived() {
        byte[] bytes = {0x1F, (byte) 0x9D, 0x10, 0x20};

        DecodedBody decoded = BodyDecoder.decode(Headers.of("Content-Encoding", "compress"), Body.of(bytes));

        assertEquals(DecodedBody.Outcome.UNSUPPORTED, decoded.outcome());
        assertArrayEquals(bytes, decoded.bytes());
        assertEquals("content coding 'compress' is not one wiretap can decode: shown as received", decoded.note());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "br", "zstd"})
    void stopsABombAtTheLimit(String coding) {
        byte[] zeros = new byte[8 << 20];
        byte[] bomb = Encodings.encode(coding, zeros);

        DecodedBody decoded = BodyDecoder.decode(List.of(coding), bomb, false, 1 << 20);

        assertEquals(DecodedBody.Outcome.OUTPUT_LIMIT, decoded.outcome());
        assertEquals(1 << 20, decoded.bytes().length);
        assertEquals(coding + ": decoded output cut at 1048576 bytes", decoded.note());
    }

    @Test
    void passesAnUnencodedBodyThrough() {
        DecodedBody decoded = BodyDecoder.decode(Headers.of("Content-Type", "text/plain"), Body.of(TEXT));

        assertEquals(DecodedBody.Outcome.COMPLETE, decoded.outcome());
        assertArrayEquals(TEXT, decoded.bytes());
        assertEquals(List.of(), decoded.codings());
    }

    /** Text that compresses poorly, so that half the encoded stream is well inside the body. */
    static byte[] noisyText(int length) {
        Random random = new Random(42);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(26));
        }
        return bytes;
    }
}
