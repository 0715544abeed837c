package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests whose framing or syntax is in doubt, sent on raw sockets: wiretap answers each with its 4xx, closes the
 * connection, and sends the origin nothing, since an origin that read such a request differently from wiretap
 * would let one request hide inside another (RFC 9112 sections 6.3 and 11.2). {@code ORIGIN} in a request stands
 * for the test origin's authority.
 */
class RequestSmugglingTest {

    private static final String POST = "POST http://ORIGIN/upload HTTP/1.1\r\nHost: ORIGIN\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";
    private static final String HIDDEN = "GET http://ORIGIN/smuggled HTTP/1.1\r\nHost: ORIGIN\r\n\r\n";

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("Content-Length with Transfer-Encoding",
                        POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("Transfer-Encoding with Content-Length",
                        POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("differing duplicate Content-Lengths", POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
                Arguments.of("differing Content-Lengths in one field", POST + "Content-Length: 5, 6\r\n\r\nhello!", 400),
                Arguments.of("signed Content-Length", POST + "Content-Length: +5\r\n\r\nhello", 400),
                Arguments.of("overflowing Content-Length", POST + "Content-Length: 99999999999999999999\r\n\r\nhello", 400),
                Arguments.of("chunk size not hex", CHUNKED + "zz\r\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("negative chunk size", CHUNKED + "-5\r\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("chunk size with 0x", CHUNKED + "0x5\r\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("overflowing chunk size", CHUNKED + "10000000000000005\r\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("chunk-size line ending in a bare LF", CHUNKED + "5\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("chunk data longer than its size", CHUNKED + "3\r\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("obs-fold", "GET http://ORIGIN/ HTTP/1.1\r\nHost: ORIGIN\r\nX-Folded: a\r\n b\r\n\r\n", 400),
                Arguments.of("obs-fold hiding Transfer-Encoding",
                        POST + "Transfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\nhello", 400),
                Arguments.of("whitespace before the colon", POST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("bare CR in a field value", "GET http://ORIGIN/ HTTP/1.1\r\nHost: ORIGIN\r\nX-A: a\rb\r\n\r\n", 400),
                Arguments.of("bare CR after the request line", "GET http://ORIGIN/ HTTP/1.1\rHost: ORIGIN\r\n\r\n", 400),
                Arguments.of("bare LF line endings", "GET http://ORIGIN/ HTTP/1.1\nHost: ORIGIN\n\n", 400),
                Arguments.of("bare LF after a field", "GET http://ORIGIN/ HTTP/1.1\r\nHost: ORIGIN\nX-A: b\r\n\r\n", 400),
                Arguments.of("NUL in a field value", "GET http://ORIGIN/ HTTP/1.1\r\nHost: ORIGIN\r\nX-A: a\0b\r\n\r\n", 400),
                Arguments.of("vertical tab before chunked", POST + "Transfer-Encoding: \u000bchunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("Transfer-Encoding in HTTP/1.0",
                        "POST http://ORIGIN/upload HTTP/1.0\r\nHost: ORIGIN\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("chunked applied twice", POST + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("chunked not the final coding", POST + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("chunked with a parameter", POST + "Transfer-Encoding: chunked;foo=bar\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("chunked with a quoted parameter",
                        POST + "Transfer-Encoding: chunked; x=\"a,b\"\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("unknown transfer coding xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501),
                Arguments.of("unknown coding beside chunked",
                        POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n", 501),
                Arguments.of("missing Host in HTTP/1.1", "GET http://ORIGIN/ HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
                Arguments.of("two Hosts", "GET http://ORIGIN/ HTTP/1.1\r\nHost: ORIGIN\r\nHost: example.com\r\n\r\n", 400),
                Arguments.of("CONNECT with a Content-Length body", "CONNECT ORIGIN HTTP/1.1\r\nHost: ORIGIN\r\nContent-Length: 5\r\n\r\nhello", 400),
                Arguments.of("CONNECT with a chunked body",
                        "CONNECT ORIGIN HTTP/1.1\r\nHost: ORIGIN\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void refusesClosesAndForwardsNothing(String fault, String request, int status) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (TestOrigin origin = recordingOrigin(received); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(request.replace("ORIGIN", origin.authority()));

            RawClient.Response response = client.readResponse();
            assertEquals(status, response.status(), response.head() + response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.isClosedByPeer(), "wiretap kept the connection open after " + status);
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.CLIENT_PROTOCOL, flow.error().orElseThrow().kind(), flow.toString());
            for (String bytes : bytesEachUpstreamConnectionCarried(proxy, received)) {
                assertEquals("", bytes, "the origin received part of a refused request");
            }
        }
    }

    static Stream<Arguments> smugglingCarriers() {
        return Stream.of(
                Arguments.of("CL.TE", POST + "Content-Length: 52\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE.CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n"),
                Arguments.of("TE.TE with an unknown second coding", POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n"),
                Arguments.of("CL.CL", POST + "Content-Length: 0\r\nContent-Length: 52\r\n\r\n"),
                Arguments.of("obs-folded Transfer-Encoding", POST + "Content-Length: 0\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("space before the colon", POST + "Content-Length: 0\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunk size with a bare LF", CHUNKED + "0\n\r\n"),
                Arguments.of("TE with a parameter", POST + "Transfer-Encoding: chunked;foo=bar\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("HTTP/1.0 chunked", "POST http://ORIGIN/upload HTTP/1.0\r\nHost: ORIGIN\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smugglingCarriers")
    void aRequestHiddenBehindASmugglingAttemptNeverReachesTheOrigin(String attack, String carrier) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (TestOrigin origin = recordingOrigin(received); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            String pipelined = "GET http://ORIGIN/first HTTP/1.1\r\nHost: ORIGIN\r\n\r\n" + carrier + HIDDEN;
            client.send(pipelined.replace("ORIGIN", origin.authority()));

            assertEquals(200, client.readResponse().status());
            int status = client.readResponse().status();
            assertTrue(status == 400 || status == 501, "status " + status);
            assertTrue(client.isClosedByPeer(), "wiretap kept the connection open after " + status);
            String all = String.join("", bytesEachUpstreamConnectionCarried(proxy, received));
            assertTrue(all.startsWith("GET /first HTTP/1.1\r\n"), all);
            assertEquals(1, all.split("\r\n\r\n", -1).length - 1, "the origin received more than the first request: " + all);
            assertFalse(all.contains("smuggled") || all.contains("SMUGGLED"), all);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {",chunked,", " , Chunked ", "CHUNKED", "chunked\r\nTransfer-Encoding: ,"})
    void forwardsATransferEncodingSpelledOddlyAsPlainChunked(String spelling) throws Exception {
        // wiretap reads each of these as chunked; an origin might not (",chunked," as no coding at all, then the body
        // as the next request), so the origin is told what wiretap read.
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (TestOrigin origin = recordingOrigin(received); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send((POST + "Transfer-Encoding: " + spelling + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                    .replace("ORIGIN", origin.authority()));

            assertEquals(200, client.readResponse().status());
            String all = String.join("", bytesEachUpstreamConnectionCarried(proxy, received));
            String head = all.substring(0, all.indexOf("\r\n\r\n") + 4);
            assertEquals(List.of("chunked"), Heads.values(head, "Transfer-Encoding"), all);
            assertTrue(all.endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), all);
        }
    }

    @Test
    void aRequestInABodyWhoseLengthIsNamedHopByHopStaysInTheBody() throws Exception {
        // A client lists Content-Length in Connection, hoping a proxy drops it and the origin reads the body as a
        // request of its own. Framing fields are never hop-by-hop (RFC 9110 section 7.6.1).
        String hidden = HIDDEN.replace("ORIGIN", "example.com");
        TestOrigin.Handler echoBodies = conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                byte[] body = conn.readBody(head);
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                conn.out().write(body);
                conn.out().flush();
            }
        };
        try (TestOrigin origin = TestOrigin.start(echoBodies); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send((POST + "Connection: Content-Length\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden
                    + "GET http://ORIGIN/after HTTP/1.1\r\nHost: ORIGIN\r\n\r\n").replace("ORIGIN", origin.authority()));

            RawClient.Response carried = client.readResponse();
            assertEquals(hidden, carried.bodyText());
            assertEquals(200, client.readResponse().status());
            String first = origin.takeHead();
            assertEquals("POST /upload HTTP/1.1", Heads.startLine(first));
            assertEquals(List.of(Integer.toString(hidden.length())), Heads.values(first, "Content-Length"));
            assertEquals("GET /after HTTP/1.1", Heads.startLine(origin.takeHead()), "the origin saw the hidden request");
        }
    }

    /**
     * An origin that answers every request head with a 200 and, when a connection ends, reports every byte it
     * received on it.
     */
    static TestOrigin recordingOrigin(BlockingQueue<String> received) throws IOException {
        return TestOrigin.start(conn -> {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                byte[] buf = new byte[8192];
                int answered = 0;
                int n;
                while ((n = conn.in().read(buf)) > 0) {
                    all.write(buf, 0, n);
                    int heads = all.toString(StandardCharsets.ISO_8859_1).split("\r\n\r\n", -1).length - 1;
                    for (; answered < heads; answered++) {
                        conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    }
                }
            } finally {
                received.add(all.toString(StandardCharsets.ISO_8859_1));
            }
        });
    }

    /**
     * Stops wiretap, which closes every connection it opened to the origin, and returns what the recording origin
     * received on each.
     */
    static List<String> bytesEachUpstreamConnectionCarried(ProxyUnderTest proxy, BlockingQueue<String> received)
            throws InterruptedException {
        long opened = proxy.wiretap().stats().upstreamOpened();
        proxy.wiretap().stop(Duration.ofSeconds(1));
        List<String> all = new ArrayList<>();
        for (long i = 0; i < opened; i++) {
            String bytes = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(bytes, "an upstream connection was not closed");
            all.add(bytes);
        }
        return all;
    }
}
