package dev.wiretap.proxy.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** HPACK field blocks through the library, as wiretap shows them (pseudo-headers first, lower case), and what is refused. */
class FieldBlockTest {

    @Test
    void decodesRfc7541ExampleC3AsTheFieldsFlowed() throws Exception {
        // RFC 7541 appendix C.3.1: a request without Huffman coding.
        byte[] block = HexFormat.of().parseHex("828684410f7777772e6578616d706c652e636f6d");
        Headers h = new FieldBlockDecoder(65_536).decode(block, 1).fields();
        assertEquals(":method: GET\r\n:scheme: http\r\n:authority: www.example.com\r\n:path: /\r\n", h.toString());
    }

    @Test
    void roundTripsKeepingOrderDuplicatesAndLowerCasingNames() throws Exception {
        FieldBlockEncoder encoder = new FieldBlockEncoder();
        FieldBlockDecoder decoder = new FieldBlockDecoder(65_536);
        Headers sent = new FieldLinesFixture().request("POST", "/a?b=1", "content-type", "text/plain",
                "cookie", "a=1", "cookie", "b=2", "te", "trailers");
        for (int round = 0; round < 2; round++) { // the second time from the dynamic table
            Headers got = decoder.decode(encoder.encode(sent), 1 + 2 * round).fields();
            assertEquals(sent.toString(), got.toString());
        }
        Headers mixedCase = Headers.of("X-Custom", "v");
        assertEquals("x-custom: v\r\n", decoder.decode(encoder.encode(mixedCase), 5).fields().toString());
    }

    @Test
    void trailersAndResponsesDecodeWithTheirOwnPseudoFields() throws Exception {
        FieldBlockEncoder encoder = new FieldBlockEncoder();
        FieldBlockDecoder decoder = new FieldBlockDecoder(65_536);
        FieldLines response = new FieldLines();
        response.add(":status", "200");
        response.add("content-type", "application/grpc");
        assertEquals(":status: 200\r\ncontent-type: application/grpc\r\n",
                decoder.decode(encoder.encode(response.toHeaders()), 1).fields().toString());
        assertEquals("grpc-status: 0\r\ngrpc-message: ok\r\n",
                decoder.decode(encoder.encode(Headers.of("grpc-status", "0", "grpc-message", "ok")), 1).fields().toString());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("connection", "close"),
                Arguments.of("keep-alive", "5"),
                Arguments.of("transfer-encoding", "chunked"),
                Arguments.of("upgrade", "h2c"),
                Arguments.of("proxy-connection", "keep-alive"),
                Arguments.of("te", "gzip"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void connectionSpecificFieldsMakeAStreamError(String name, String value) {
        byte[] block = new FieldBlockEncoder().encode(new FieldLinesFixture().request("GET", "/", name, value));
        Http2Exception e = assertThrows(Http2Exception.class, () -> new FieldBlockDecoder(65_536).decode(block, 3));
        assertEquals(3, e.streamId());
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
    }

    @Test
    void anUpperCaseNameOrAPseudoFieldAfterOthersIsMalformed() throws Exception {
        ByteArrayOutputStream upper = new ByteArrayOutputStream();
        upper.write(new FieldBlockEncoder().encode(new FieldLinesFixture().request("GET", "/")));
        upper.write(new byte[] {0x00, 7});
        upper.write("X-Upper".getBytes(StandardCharsets.US_ASCII));
        upper.write(new byte[] {1, '1'});
        Http2Exception e = assertThrows(Http2Exception.class, () -> new FieldBlockDecoder(65_536).decode(upper.toByteArray(), 1));
        assertFalse(e.isConnectionError());

        FieldLines late = new FieldLines();
        late.add(":method", "GET");
        late.add("x", "1");
        late.add(":path", "/");
        byte[] block = new FieldBlockEncoder().encode(late.toHeaders());
        assertFalse(assertThrows(Http2Exception.class, () -> new FieldBlockDecoder(65_536).decode(block, 1)).isConnectionError());
    }

    @Test
    void anHpackBombStopsAtTheHeaderListLimitAsAConnectionError() throws Exception {
        // One 4,000-byte entry put in the dynamic table, then referenced 20,000 times in one byte each: 23 KB on the wire
        // that would decode to 80 MB.
        FieldBlockEncoder encoder = new FieldBlockEncoder();
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(encoder.encode(new FieldLinesFixture().request("GET", "/", "x-bomb", "y".repeat(4000))));
        for (int i = 0; i < 20_000; i++) {
            bomb.write(0xbe); // indexed field 62: the newest dynamic entry
        }
        Http2Exception e = assertThrows(Http2Exception.class, () -> new FieldBlockDecoder(65_536).decode(bomb.toByteArray(), 1));
        assertTrue(e.isConnectionError());
        assertEquals(ErrorCode.ENHANCE_YOUR_CALM, e.code());
    }

    @Test
    void aValueWithALineBreakIsRefused() {
        FieldLines lines = new FieldLines();
        lines.add("x", "a\r\nInjected: 1");
        assertFalse(lines.isValid());
    }
}
