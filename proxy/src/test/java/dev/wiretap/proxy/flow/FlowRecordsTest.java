package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A flow's binary form: the TLS handshake's time survives it, and records written before it was kept still load. */
class FlowRecordsTest {

    /** Where a record's TLS time starts: version, id, a 4-byte address with its length, port, start time, dns, connect. */
    private static final int SSL_AT = 1 + 8 + 4 + 4 + 4 + 8 + 4 + 8 + 8;

    @Test
    void keepsEveryPhaseWithTheTlsHandshake() {
        Flow flow = finished();

        Flow read = FlowRecords.read(record(flow), 0);

        assertEquals(flow.timings(), read.timings());
        assertEquals(4_000, read.timings().sslNanos());
    }

    @Test
    void keepsHttp2VersionsAndAResponsesTrailers() {
        Request request = new Request("POST", "/svc/Method", HttpVersion.HTTP_2, Headers.of("content-type", "application/grpc"),
                new byte[0]);
        request.setDestination(new Destination("https", "example.com", 443, "/svc/Method"));
        Flow flow = new Flow(8, new InetSocketAddress("127.0.0.1", 50000), Instant.parse("2026-01-02T03:04:05Z"), 1_000, request);
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

    @Test
    void readsARecordOfVersion2WhichHadNoTlsTime() {
        Flow flow = finished();
        byte[] v3 = record(flow);
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

    private static Flow finished() {
        Request request = new Request("GET", "/", HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        request.setDestination(new Destination("https", "example.com", 443, "/"));
        Flow flow = new Flow(7, new InetSocketAddress("127.0.0.1", 50000), Instant.parse("2026-01-02T03:04:05Z"), 1_000, request);
        flow.setUpstream("93.184.216.34:443", false);
        flow.setDnsNanos(2_000);
        flow.setConnectNanos(3_000);
        flow.setSslNanos(4_000);
        flow.setSendNanos(5_000);
        flow.setWaitNanos(6_000);
        flow.complete(100_000);
        return flow;
    }

    private static byte[] record(Flow flow) {
        byte[] bytes = new byte[FlowRecords.size(flow)];
        assertEquals(bytes.length, FlowRecords.write(flow, bytes, 0));
        return Arrays.copyOf(bytes, bytes.length);
    }
}
