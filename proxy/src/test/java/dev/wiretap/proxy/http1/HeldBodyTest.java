package dev.wiretap.proxy.http1;

import static dev.wiretap.proxy.http1.Delivery.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.CaptureAccount;
import dev.wiretap.proxy.http1.BodyRelay.Mode;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import dev.wiretap.proxy.io.BufferPool;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Holding a body: whole when it fits, and otherwise sent on exactly as it would have been, its first bytes from memory
 * and the rest from the wire. Transcripts: bytes in, bytes out.
 */
class HeldBodyTest {

    private static final String CHUNKED = "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n";
    private static final String PAYLOAD = "Wikipedia in\r\n\r\nchunks.";

    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final HttpOutput out = new HttpOutput(sent, new BufferPool(64, 1));

    /** Held bodies drawn from a budget that never runs out. */
    private static final CaptureAccount ANY = CaptureAccount.unbudgeted(1 << 20);

    private static BodyRelay relay(int captureCap) {
        return new BodyRelay(Limits.DEFAULTS, new BufferPool(4096, 2), captureCap);
    }

    private String sentText() throws Exception {
        out.flush();
        return sent.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aChunkedBodyThatFitsIsHeldWholeAsItsPayloadAndTheNextMessageIsLeft(Delivery delivery) throws Exception {
        HttpInput in = delivery.input(CHUNKED + "GET /next");

        HeldBody held = HeldBody.read(in, BodyFraming.CHUNKED, true, Limits.DEFAULTS, 100, ANY);

        assertTrue(held.isWhole());
        assertEquals(PAYLOAD, text(held.bytes()));
        assertEquals("GET /next", rest(in));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aFixedBodyThatFitsIsHeldWhole(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("hello worldGET");

        HeldBody held = HeldBody.read(in, new BodyFraming.Fixed(11), true, Limits.DEFAULTS, 11, ANY);

        assertTrue(held.isWhole());
        assertEquals("hello world", text(held.bytes()));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aFixedBodyOverTheLimitIsNotReadAndGoesOnWhole(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("hello world");
        assertFalse(HeldBody.mayFit(new BodyFraming.Fixed(11), 10));

        HeldBody held = HeldBody.read(in, new BodyFraming.Fixed(11), true, Limits.DEFAULTS, 10, ANY);
        assertFalse(held.isWhole());
        Body body = held.relayRest(relay(1024), out, Mode.AS_IS);

        assertEquals("hello world", sentText());
        assertEquals(11, body.size());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aChunkedBodyOverTheLimitGoesOnAsAValidChunkedBodyWithTheSamePayload(Delivery delivery) throws Exception {
        HttpInput in = delivery.input(CHUNKED + "GET /next");

        HeldBody held = HeldBody.read(in, BodyFraming.CHUNKED, true, Limits.DEFAULTS, 12, ANY);
        assertFalse(held.isWhole());
        assertEquals("Wikipedia", text(held.bytes()), "the chunks that fit");
        Body body = held.relayRest(relay(1024), out, Mode.AS_IS);

        assertEquals("9\r\nWikipedia\r\ne\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n", sentText());
        assertEquals(PAYLOAD, body.text(StandardCharsets.ISO_8859_1));
        assertEquals(PAYLOAD.length(), body.size());
        assertEquals("GET /next", rest(in));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aChunkedBodyOverTheLimitCanGoOnDechunked(Delivery delivery) throws Exception {
        HttpInput in = delivery.input(CHUNKED);

        HeldBody held = HeldBody.read(in, BodyFraming.CHUNKED, false, Limits.DEFAULTS, 4, ANY);
        held.relayRest(relay(1024), out, Mode.DECHUNK);

        assertEquals(PAYLOAD, sentText());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aCloseDelimitedBodyOverTheLimitGoesOnAsChunksWithTheSamePayload(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("0123456789abcdef");

        HeldBody held = HeldBody.read(in, BodyFraming.UNTIL_CLOSE, false, Limits.DEFAULTS, 10, ANY);
        assertFalse(held.isWhole());
        Body body = held.relayRest(relay(4), out, Mode.CHUNK);

        String wire = sentText();
        assertTrue(wire.startsWith("a\r\n0123456789\r\n"), wire);
        assertTrue(wire.endsWith("0\r\n\r\n"), wire);
        assertEquals("0123456789abcdef", dechunk(wire));
        assertEquals(16, body.size());
        assertEquals("0123", body.text(StandardCharsets.ISO_8859_1), "captured up to the cap");
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aCloseDelimitedBodyThatEndsAtTheLimitIsWhole(Delivery delivery) throws Exception {
        HeldBody held = HeldBody.read(delivery.input("0123456789"), BodyFraming.UNTIL_CLOSE, false, Limits.DEFAULTS, 10, ANY);

        assertTrue(held.isWhole());
        assertEquals("0123456789", text(held.bytes()));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aBodyCutShortIsTheSendersFault(Delivery delivery) {
        RelayException fixed = assertThrows(RelayException.class,
                () -> HeldBody.read(delivery.input("short"), new BodyFraming.Fixed(10), true, Limits.DEFAULTS, 100, ANY));
        assertTrue(fixed.isSourceFault());

        RelayException chunked = assertThrows(RelayException.class,
                () -> HeldBody.read(delivery.input("4\r\nWi"), BodyFraming.CHUNKED, false, Limits.DEFAULTS, 100, ANY));
        assertTrue(chunked.isSourceFault());

        RelayException framing = assertThrows(RelayException.class,
                () -> HeldBody.read(delivery.input("zz\r\n"), BodyFraming.CHUNKED, true, Limits.DEFAULTS, 100, ANY));
        assertTrue(framing.isProtocolFault());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aFixedBodyTheBudgetRefusesStopsWhereItIsAndGoesOnWhole(Delivery delivery) throws Exception {
        String payload = "0123456789".repeat(2000);
        HttpInput in = delivery.input(payload + "GET /next");
        dev.wiretap.proxy.flow.CaptureBudget budget = new dev.wiretap.proxy.flow.CaptureBudget(8 * 1024);

        HeldBody held = HeldBody.read(in, new BodyFraming.Fixed(payload.length()), true, Limits.DEFAULTS, 1 << 20,
                budget.open(1 << 20, null));

        assertFalse(held.isWhole(), "the budget held 8k, not 20k");
        assertEquals(8 * 1024, held.bytes().length);
        Body body = held.relayRest(relay(1 << 20), out, Mode.AS_IS);
        assertEquals(payload, sentText());
        assertEquals(payload.length(), body.size());
        assertEquals("GET /next", rest(in));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aFixedBodyIsReadIntoMemoryThatGrowsWithIt(Delivery delivery) throws Exception {
        dev.wiretap.proxy.flow.CaptureBudget budget = new dev.wiretap.proxy.flow.CaptureBudget(1 << 30);
        HeldBody held = HeldBody.read(delivery.input("hello"), new BodyFraming.Fixed(5), true, Limits.DEFAULTS, 1 << 20,
                budget.open(1 << 20, null));
        assertTrue(held.isWhole());
        assertEquals(5, budget.usedBytes(), "as long as the body, not the cap");
    }

    /** Everything left on the input. */
    private static String rest(HttpInput in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
        }
        return sb.toString();
    }

    /** The payload of a chunked body without extensions or trailers. */
    private static String dechunk(String wire) {
        StringBuilder payload = new StringBuilder();
        int p = 0;
        while (true) {
            int lineEnd = wire.indexOf("\r\n", p);
            int size = Integer.parseInt(wire.substring(p, lineEnd), 16);
            if (size == 0) {
                return payload.toString();
            }
            payload.append(wire, lineEnd + 2, lineEnd + 2 + size);
            p = lineEnd + 2 + size + 2;
        }
    }
}
