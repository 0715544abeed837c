package dev.wiretap.proxy.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Encoded bodies are read back by decoders other than wiretap's own: the JDK's, brotli's reference one, aircompressor's. */
class BodyEncoderTest {

    private static final byte[] TEXT = "{\"name\":\"Grace\",\"note\":\"gr\u00fc\u00dfe\"}\n".repeat(300).getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "x-gzip", "deflate", "br", "zstd", "gzip, br", "zstd, deflate"})
    void whatItEncodesDecodesBackToThePayload(String codings) {
        List<String> list = Arrays.stream(codings.split(",")).map(String::strip).toList();

        byte[] encoded = BodyEncoder.encode(list, TEXT);
        DecodedBody decoded = BodyDecoder.decode(list, encoded, false, 1 << 20);

        assertEquals(DecodedBody.Outcome.COMPLETE, decoded.outcome(), decoded.note());
        assertArrayEquals(TEXT, decoded.bytes());
    }

    @Test
    void deflateIsTheZlibFormatTheRfcNames() throws Exception {
        byte[] encoded = BodyEncoder.encode(List.of("deflate"), TEXT);

        try (InputStream in = new InflaterInputStream(new java.io.ByteArrayInputStream(encoded))) {
            assertArrayEquals(TEXT, in.readAllBytes()); // the JDK's zlib reader, which refuses raw deflate
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 100, 65_535, 65_536, 65_537, 300_000})
    void brotliOfUncompressedMetaBlocksIsReadByBothBrotliDecoders(int length) throws Exception {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);

        byte[] encoded = BodyEncoder.encode(List.of("br"), data);

        // org.brotli:dec, the reference decoder in Java, strict about padding and the last meta-block.
        try (InputStream in = new org.brotli.dec.BrotliInputStream(new java.io.ByteArrayInputStream(encoded))) {
            assertArrayEquals(data, readAll(in));
        }
        // brotli4j, Google's C decoder.
        Brotli4jLoader.ensureAvailability();
        DirectDecompress native_ = Decoder.decompress(encoded);
        assertEquals(DecoderJNI.Status.DONE, native_.getResultStatus());
        assertArrayEquals(data, Optional.ofNullable(native_.getDecompressedData()).orElse(new byte[0]));
    }

    @Test
    void anEmptyBrotliStreamIsTheOneByteEveryEncoderWrites() {
        assertArrayEquals(new byte[] {0x06}, BodyEncoder.encode(List.of("br"), new byte[0]));
    }

    @Test
    void refusesACodingItCannotApplyNamingIt() {
        assertEquals(Optional.of("compress"), BodyEncoder.unsupported(List.of("gzip", "compress")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BodyEncoder.encode(List.of("gzip", "compress"), TEXT));
        assertTrue(e.getMessage().contains("'compress'"), e.getMessage());
    }

    private static byte[] readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
