package dev.wiretap.proxy.flow;

import dev.wiretap.proxy.live.LiveFlow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A flow's binary form: the TLS handshake's time and what the handshakes settled survive it, records written before
 * they were kept still load, and a damaged or crafted record (from a session file) is refused with a reason, never
 * read past its end.
 */
class FlowRecordsTest {

    /** Where a record's TLS time starts: version, id, a 4-byte address with its length, port, start time, dns, connect. */
    private static final int SSL_AT = 1 + 8 + 4 + 4 + 4 + 8 + 4 + 8 + 8;

    @Test
    void keepsEveryPhaseWithTheTlsHandshake() {
        LiveFlow flow = finished();

        Flow read = FlowRecords.read(record(flow), 0);

        assertEquals(flow.timings(), read.timings());
        assertEquals(4_000, read.timings().sslNanos());
    }

    @Test
    void keepsWhatTheTlsHandshakesWithTheClientAndTheOriginSettled() {
        LiveFlow flow = finished();
        flow.setClientTls(new TlsHandshake("TLSv1.3", "TLS_AES_256_GCM_SHA384", "example.com"));
        flow.setUpstream("93.184.216.34:443", true, new TlsHandshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", ""));

        Flow read = FlowRecords.read(record(flow), 0);

        assertEquals(flow.clientTls(), read.clientTls());
        assertEquals(flow.upstreamTls(), read.upstreamTls());
        assertEquals(true, read.isReusedUpstream());
        assertEquals(flow.clientTls(), FlowRecords.readWithoutBodies(record(flow), 0).clientTls());
    }

    @Test
    void readsARecordOfVersion3WhichHadNoTlsDetails() {
        LiveFlow flow = finished();
        byte[] v4 = Arrays.copyOf(version5(flow), version5(flow).length - 1); // without the "no messages" flag
        byte[] v3 = Arrays.copyOf(v4, v4.length - 2); // without the two "no TLS" flags at the end
        v3[0] = 3;

        Flow read = FlowRecords.read(v3, 0);

        assertEquals(flow.timings(), read.timings());
        assertEquals(java.util.Optional.empty(), read.clientTls());
        assertEquals(java.util.Optional.empty(), read.upstreamTls());
    }

    @Test
    void keepsHttp2VersionsAndAResponsesTrailers() {
        Request request = new Request("POST", "/svc/Method", HttpVersion.HTTP_2, Headers.of("content-type", "application/grpc"),
                new byte[0]);
        request.setDestination(new Destination("https", "example.com", 443, "/svc/Method"));
        LiveFlow flow = new LiveFlow(8, new InetSocketAddress("127.0.0.1", 50000), Instant.parse("2026-01-02T03:04:05Z"), 1_000, request);
        Response response = new Response(HttpVersion.HTTP_2, 200, "", Headers.of("content-type", "application/grpc"), new byte[0]);
        response.setTrailers(Headers.of("grpc-status", "5", "grpc-message", "not found"));
        flow.setResponse(response);
        flow.complete(100_000);

        Flow read = FlowRecords.read(record(flow), 0);

        assertEquals(HttpVersion.HTTP_2, read.request().version());
        assertEquals(HttpVersion.HTTP_2, read.response().orElseThrow().version());
        assertEquals("grpc-status: 5\r\ngrpc-message: not found\r\n",
                read.response().orElseThrow().trailers().orElseThrow().toString());
    }

    /**
     * Found by FlowRecordFuzzTest: trailer fields whose record says they share the message head's bytes (as a head's
     * fields do) had no head to share, and reading them threw a NullPointerException instead of refusing the record.
     */
    @Test
    void refusesTrailersThatClaimToShareAHead() {
        Request request = new Request("POST", "/svc/Method", HttpVersion.HTTP_2, new Headers(), new byte[0]);
        request.setDestination(new Destination("https", "example.com", 443, "/svc/Method"));
        LiveFlow flow = new LiveFlow(8, new InetSocketAddress("127.0.0.1", 50000), Instant.parse("2026-01-02T03:04:05Z"), 1_000, request);
        Response response = new Response(HttpVersion.HTTP_2, 200, "", new Headers(), new byte[0]);
        response.setTrailers(Headers.of("grpc-status", "5"));
        flow.setResponse(response);
        flow.complete(100_000);
        byte[] record = record(flow);
        int text = indexOf(record, "grpc-status: 5".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        int sharedFlag = text - 4 - 1; // before the fields' own bytes: their length, and before that the flag
        assertEquals(0, record[sharedFlag]);
        record[sharedFlag] = 1;

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowRecords.read(record, 0));

        assertTrue(e.getMessage().contains("share a head"), e.getMessage());
    }

    @Test
    void readsARecordOfVersion2WhichHadNoTlsTime() {
        LiveFlow flow = finished();
        byte[] v4 = Arrays.copyOf(version5(flow), version5(flow).length - 1);
        byte[] v3 = Arrays.copyOf(v4, v4.length - 2);
        byte[] v2 = new byte[v3.length - 8];
        System.arraycopy(v3, 0, v2, 0, SSL_AT);
        System.arraycopy(v3, SSL_AT + 8, v2, SSL_AT, v3.length - SSL_AT - 8);
        v2[0] = 2;

        Flow read = FlowRecords.read(v2, 0);

        Timings t = flow.timings();
        assertEquals(new Timings(t.started(), t.dnsNanos(), t.connectNanos(), -1, t.sendNanos(), t.waitNanos(), t.receiveNanos(),
                t.totalNanos()), read.timings());
        assertEquals(flow.request().url(), read.request().url());
        assertEquals(flow.serverAddress(), read.serverAddress());
    }

    @Test
    void keepsAWebSocketsMessagesAndHowManyWentBefore() {
        LiveFlow flow = finished();
        WebSocketMessages log = new WebSocketMessages(2, 1 << 20);
        flow.startWebSocket(log);
        Instant t = Instant.parse("2026-01-02T03:04:06.123456789Z");
        log.add(new WebSocketMessage(0, true, WebSocketMessage.Type.TEXT, t, 5, 5, false, "first".getBytes(), -1, ""));
        log.add(new WebSocketMessage(1, false, WebSocketMessage.Type.BINARY, t, 10, 300, true, new byte[] {1, 2, 3}, -1, ""));
        log.add(new WebSocketMessage(2, false, WebSocketMessage.Type.CLOSE, t, 6, 6, false, new byte[] {3, (byte) 0xE8, 'b', 'y', 'e', '!'},
                1000, "bye! ✓"));

        Flow read = FlowRecords.read(record(flow), 0);

        WebSocketMessages back = read.webSocket().orElseThrow();
        assertEquals(log.all(), back.all());
        assertEquals(1, back.dropped());
        assertEquals(3, back.total());
        assertEquals(0, FlowRecords.readWithoutBodies(record(flow), 0).webSocket().orElseThrow().all().get(0).content().length);
    }

    @Test
    void readsARecordOfVersion4WhichHadNoMessages() {
        LiveFlow flow = finished();
        byte[] v5 = version5(flow);
        byte[] v4 = Arrays.copyOf(v5, v5.length - 1); // the last byte says whether messages follow
        v4[0] = 4;

        Flow read = FlowRecords.read(v4, 0);

        assertEquals(java.util.Optional.empty(), read.webSocket());
        assertEquals(flow.timings(), read.timings());
    }

    /**
     * Issue 12, item 4: records come from files too. Every prefix of a sound record, and the record with any one byte
     * changed, is a flow or an IllegalArgumentException that says what is wrong: never another exception, an Error, or a
     * huge allocation.
     */
    @Test
    void aRecordCutShortAtAnyByteIsRefusedSayingWhy() {
        byte[] record = record(withFieldsAndBodies());

        for (int length = 0; length < record.length; length++) {
            byte[] cut = Arrays.copyOf(record, length);
            int at = length;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowRecords.read(cut, 0),
                    "cut at " + at);
            assertTrue(e.getMessage().startsWith("damaged flow record") || e.getMessage().startsWith("no flow record"),
                    "cut at " + at + ": " + e.getMessage());
        }
    }

    @Test
    void aRecordWithAnyByteChangedIsAFlowOrRefusedSayingWhy() {
        byte[] record = record(withFieldsAndBodies());

        for (int i = 0; i < record.length; i++) {
            for (int value : new int[] {0x00, 0x7F, 0xFF}) {
                byte[] changed = record.clone();
                changed[i] = (byte) value;
                try {
                    Flow flow = FlowRecords.read(changed, 0);
                    // Whatever was read must be usable: a flow that throws only when shown is what went wrong before.
                    flow.request().headers().toString();
                    flow.response().ifPresent(r -> r.headers().toString());
                    flow.request().body().bytes();
                } catch (IllegalArgumentException expected) {
                    assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty(), "byte " + i);
                }
            }
        }
    }

    @Test
    void refusesALengthLargerThanTheRecordBeforeAllocatingIt() {
        byte[] record = record(finished());
        // The client address's length follows the version and the id: ask for 2 GB.
        byte[] crafted = Arrays.copyOf(record, record.length);
        crafted[9] = 0x7F;
        crafted[10] = (byte) 0xFF;
        crafted[11] = 0x00;
        crafted[12] = 0x00;

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowRecords.read(crafted, 0));

        assertEquals("damaged flow record: a byte run of 2147418112 bytes at byte 13, where " + (record.length - 13)
                + " are left", e.getMessage());
    }

    @Test
    void refusesHeaderOffsetsOutsideTheFieldBytes() {
        byte[] record = record(withFieldsAndBodies());
        // The request's one field "A: b" was added, so it has its own bytes: spans 0, 1, 3, 4, 4 after its count of 1.
        int at = indexOf(record, new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4});
        assertTrue(at > 0, "the field's offsets are in the record");
        record[at + 4 + 3 * 4 + 3] = 99; // value end past the field bytes

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowRecords.read(record, 0));

        assertEquals("damaged flow record: header field 1 of 1 has offsets outside its 4 bytes", e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * A finished flow with added fields, bodies, a rule, a note, an error and WebSocket messages: something in every
     * part of a record.
     */
    private static Flow withFieldsAndBodies() {
        Request request = new Request("POST", "/form", HttpVersion.HTTP_1_1, Headers.of("A", "b"), new byte[0]);
        request.setDestination(new Destination("http", "example.com", 80, "/form"));
        request.setBody(Body.of("name=Ada".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        LiveFlow flow = new LiveFlow(9, new InetSocketAddress("127.0.0.1", 50000), Instant.parse("2026-01-02T03:04:05Z"), 1_000, request);
        Response response = new Response(HttpVersion.HTTP_1_1, 502, "Bad Gateway", Headers.of("Content-Type", "text/plain"), new byte[0]);
        response.setBody(Body.of("no".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        flow.setResponse(response);
        flow.addAppliedRule("rule one");
        flow.addNote("a note");
        WebSocketMessages messages = new WebSocketMessages(10, 1 << 20);
        messages.add(new WebSocketMessage(0, true, WebSocketMessage.Type.TEXT, Instant.parse("2026-01-02T03:04:06Z"), 2, 2,
                false, "hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII), -1, ""));
        flow.startWebSocket(messages);
        flow.fail(new FlowError(FlowError.Kind.CONNECT, "connection refused"), 50_000);
        return flow;
    }

    private static LiveFlow finished() {
        Request request = new Request("GET", "/", HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        request.setDestination(new Destination("https", "example.com", 443, "/"));
        LiveFlow flow = new LiveFlow(7, new InetSocketAddress("127.0.0.1", 50000), Instant.parse("2026-01-02T03:04:05Z"), 1_000, request);
        flow.setUpstream("93.184.216.34:443", false);
        flow.setDnsNanos(2_000);
        flow.setConnectNanos(3_000);
        flow.setSslNanos(4_000);
        flow.setSendNanos(5_000);
        flow.setWaitNanos(6_000);
        flow.complete(100_000);
        return flow;
    }

    /**
     * The flow's record as version 5 wrote it, for a flow without TLS details and WebSocket: without the "no trailers"
     * flag version 6 writes after a response (before the two TLS flags and the messages flag).
     */
    private static byte[] version5(Flow flow) {
        byte[] v6 = record(flow);
        if (flow.response().isEmpty()) {
            v6[0] = 5;
            return v6;
        }
        byte[] v5 = new byte[v6.length - 1];
        int trailersFlag = v6.length - 4;
        System.arraycopy(v6, 0, v5, 0, trailersFlag);
        System.arraycopy(v6, trailersFlag + 1, v5, trailersFlag, v6.length - trailersFlag - 1);
        v5[0] = 5;
        return v5;
    }

    @Test
    void readsARecordOfVersion5WhichHadNoTrailers() {
        Request request = new Request("GET", "/", HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        request.setDestination(new Destination("http", "example.com", 80, "/"));
        LiveFlow flow = new LiveFlow(9, new InetSocketAddress("127.0.0.1", 50000), Instant.parse("2026-01-02T03:04:05Z"), 1_000, request);
        flow.setResponse(new Response(HttpVersion.HTTP_1_1, 200, "OK", Headers.of("Content-Length", "2"), "hi".getBytes()));
        flow.complete(100_000);

        Flow read = FlowRecords.read(version5(flow), 0);

        assertEquals(java.util.Optional.empty(), read.response().orElseThrow().trailers());
        assertEquals(flow.response().orElseThrow().body(), read.response().orElseThrow().body());
        assertEquals(flow.timings(), read.timings());
    }

    private static byte[] record(Flow flow) {
        byte[] bytes = new byte[FlowRecords.size(flow)];
        assertEquals(bytes.length, FlowRecords.write(flow, bytes, 0));
        return Arrays.copyOf(bytes, bytes.length);
    }
}
