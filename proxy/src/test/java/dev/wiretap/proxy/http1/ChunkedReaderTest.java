package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.io.BufferPool;
import static dev.wiretap.proxy.http1.Delivery.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import java.io.ByteArrayOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkedReaderTest {

    /** A 32-byte chunk-size line limit, the least Limits allows. */
    private static final Limits SMALL = new Limits(64, 512, 8, 32);

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsSizesDataAndTrailersStepByStepCopyingTheFramingAsItCame(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("1A;a=b\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\nx-sum: 2\r\n\r\nNEXT");
        ChunkedReader reader = ChunkedReader.fromOrigin(in, Limits.DEFAULTS);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();

        assertEquals(26, reader.nextChunkSize(raw));
        byte[] data = new byte[26];
        int got = 0;
        while (got < 26) {
            got += in.read(data, got, 26 - got);
        }
        reader.endChunk(raw);
        assertEquals(0, reader.nextChunkSize(raw));
        Headers trailers = reader.readTrailers(raw);

        assertEquals("abcdefghijklmnopqrstuvwxyz", text(data));
        assertEquals("1A;a=b\r\n\r\n0\r\nX-Sum: 1\r\nx-sum: 2\r\n\r\n", raw.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals("X-Sum: 1\r\nx-sum: 2\r\n", trailers.toString());
        assertEquals('N', in.read(), "nothing after the trailer section is consumed");
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsLeadingZerosAndFifteenSignificantHexDigits(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("00000000000000000000000005\r\nhello\r\n0fffffffffffffff\r\n");
        ChunkedReader reader = ChunkedReader.fromClient(in, Limits.DEFAULTS);

        assertEquals(5, reader.nextChunkSize(null));
        skip(in, 5);
        reader.endChunk(null);
        assertEquals(0xfffffffffffffffL, reader.nextChunkSize(null));
    }

    private static void skip(HttpInput in, int n) throws Exception {
        while (n > 0) {
            assertTrue(in.await());
            n -= in.skipBuffered(n);
        }
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void returnsNoTrailersWhenTheLastChunkIsFollowedByTheEmptyLine(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("0\r\n\r\n");
        ChunkedReader reader = ChunkedReader.fromClient(in, Limits.DEFAULTS);

        assertEquals(0, reader.nextChunkSize(null));
        assertTrue(reader.readTrailers(null).isEmpty());
        assertEquals(-1, in.read());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsAChunkLineOfExactlyMaxChunkLineBytes(Delivery delivery) throws Exception {
        String line = "5;" + "e".repeat(30); // 32 bytes before the CRLF
        HttpInput in = delivery.input(line + "\r\nhello\r\n0\r\n\r\n");

        assertEquals(5, ChunkedReader.fromClient(in, SMALL).nextChunkSize(null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedBodies")
    void refusesBrokenChunkedFramingAsTheSendersProtocolFault(String why, String wire) {
        for (Delivery delivery : Delivery.values()) {
            for (boolean fromClient : new boolean[] {true, false}) {
                String context = why + " via " + delivery + (fromClient ? " from a client" : " from an origin");
                BodyRelay relay = new BodyRelay(SMALL, new BufferPool(1024, 1), 1024);
                HttpOutput out = new HttpOutput(new ByteArrayOutputStream(), new BufferPool(64, 1));

                RelayException e = assertThrows(RelayException.class,
                        () -> relay.relay(delivery.input(wire), BodyFraming.CHUNKED, fromClient, out, BodyRelay.Mode.AS_IS),
                        context);

                assertTrue(e.isSourceFault(), context);
                assertTrue(e.isProtocolFault(), context + ": " + e);
                ProtocolException cause = assertInstanceOf(ProtocolException.class, e.getCause());
                assertEquals(fromClient ? 400 : 502, cause.status(), context + ": " + cause.reason());
            }
        }
    }

    /**
     * Found by ChunkedBodyFuzzTest and TrailersFuzzTest: a line past its limit and then ended by a bare LF was refused
     * for the bare LF when it came all at once, and for its length when it came a few bytes at a time.
     */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void refusesALinePastItsLimitForItsLengthHoweverItArrives(Delivery delivery) throws Exception {
        ProtocolException sizeLine = assertThrows(ProtocolException.class,
                () -> ChunkedReader.fromClient(delivery.input("5;" + "e".repeat(40) + "\nhello\r\n"), SMALL).nextChunkSize(null));
        assertTrue(sizeLine.reason().contains("longer than 32 bytes"), sizeLine.reason());

        ChunkedReader trailers = ChunkedReader.fromClient(delivery.input("0\r\nX-Sum: " + "a".repeat(600) + "\n\r\n"), SMALL);
        assertEquals(0, trailers.nextChunkSize(null));
        ProtocolException section = assertThrows(ProtocolException.class, () -> trailers.readTrailers(null));
        assertEquals(431, section.status(), section.reason());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void refusesATrailerSectionOverMaxHeaderBytes(Delivery delivery) {
        String wire = "0\r\nX-Sum: " + "a".repeat(600) + "\r\n\r\n";
        for (boolean fromClient : new boolean[] {true, false}) {
            HttpInput in = delivery.input(wire);
            ChunkedReader reader = fromClient ? ChunkedReader.fromClient(in, SMALL) : ChunkedReader.fromOrigin(in, SMALL);

            ProtocolException e = assertThrows(ProtocolException.class, () -> {
                reader.nextChunkSize(null);
                reader.readTrailers(null);
            });

            assertEquals(fromClient ? 431 : 502, e.status(), e.reason());
        }
    }

    static Stream<Arguments> rejectedBodies() {
        return Stream.of(
                Arguments.of("non-hex size", "g\r\n"),
                Arguments.of("hex digit after a non-hex byte", "x5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("empty size line", "\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("negative size", "-5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("16 significant hex digits", "1000000000000000\r\n"),
                Arguments.of("17 hex digits (overflows a long)", "10000000000000000\r\n"),
                Arguments.of("sixteen f digits (negative as a long)", "ffffffffffffffff\r\n"),
                Arguments.of("data longer than the size", "5\r\nhelloX\r\n0\r\n\r\n"),
                Arguments.of("data followed by a bare LF", "5\r\nhello\n0\r\n\r\n"),
                Arguments.of("data followed by a bare CR", "5\r\nhello\r0\r\n\r\n"),
                Arguments.of("bare LF ending the size line", "5\nhello\r\n0\r\n\r\n"),
                Arguments.of("bare LF ending the last chunk line", "5\r\nhello\r\n0\n\r\n"),
                Arguments.of("bare CR in the size line", "5\r;a\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("space after the size", "5 \r\nhello\r\n0\r\n\r\n"),
                Arguments.of("tab after the size", "5\t\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("space after an extension", "5;a=b \r\nhello\r\n0\r\n\r\n"),
                Arguments.of("word after the size", "5 x\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("semicolon without an extension name", "5;\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("extension without a name", "5;=b\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("extension without a value after '='", "5;a=\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("two words in an extension value", "5;a=b c\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("separator in an extension name", "5;a/b=c\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("unterminated quoted extension value", "5;a=\"b\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("control byte in a quoted extension value", "5;a=\"b\u0001\"\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("escaped control byte in a quoted value", "5;a=\"b\\\u0001\"\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("NUL in the size line", "5\u0000\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk line over maxChunkLineBytes", "5;" + "e".repeat(31) + "\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk line that never ends", "5;" + "e".repeat(100)),
                Arguments.of("trailer with whitespace before the colon", "0\r\nX-Sum : 1\r\n\r\n"),
                Arguments.of("trailer with a space in its name", "0\r\nBad Trailer: x\r\n\r\n"),
                Arguments.of("trailer without a name", "0\r\n: x\r\n\r\n"),
                Arguments.of("trailer without a colon", "0\r\nX-Sum\r\n\r\n"),
                Arguments.of("NUL in a trailer value", "0\r\nX-Sum: a\u0000b\r\n\r\n"),
                Arguments.of("obs-fold in the trailers", "0\r\nX-Sum: a\r\n b\r\n\r\n"),
                Arguments.of("bare LF ending a trailer", "0\r\nX-Sum: a\n\r\n"),
                Arguments.of("bare LF as the trailers' empty line", "0\r\n\n"),
                Arguments.of("bare CR starting a trailer line", "0\r\n\rX-Sum: 1\r\n\r\n"));
    }
}
