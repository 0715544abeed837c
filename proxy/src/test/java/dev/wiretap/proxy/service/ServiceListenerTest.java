package dev.wiretap.proxy.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Limits;
import dev.wiretap.proxy.testing.RawClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The service listener over real sockets, bytes in and bytes out: requests served with keep-alive, bodies within a
 * route's limit, streamed responses flushed per part, and every kind of bad input refused with its own status and the
 * connection closed, with the handler's own refusal body.
 */
class ServiceListenerTest {

    private static final Limits LIMITS = new Limits(256, 1024, 10, Limits.DEFAULTS.maxChunkLineBytes());
    private static final int ECHO_LIMIT = 16;

    private ServiceListener listener;
    private final CountDownLatch streamEnded = new CountDownLatch(1);
    private final CountDownLatch partTwo = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        listener = ServiceListener.bind(HostPort.parse("127.0.0.1:0"),
                new ServiceOptions("test-service", LIMITS, Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(5)));
        listener.start(new ServiceHandler() {
            @Override
            public ServiceResponse handle(ServiceRequest request) throws IOException, ServiceException {
                return switch (request.path()) {
                    case "/hello" -> ServiceResponse.text(200, "hello " + request.query("name").orElse("?")
                            + " from " + request.header("host").orElse("-")).with("X-Test", "1");
                    case "/echo" -> ServiceResponse.of(200, "application/octet-stream", request.body(ECHO_LIMIT));
                    case "/upload" -> ServiceResponse.of(200, "application/octet-stream", request.bodyStream(ECHO_LIMIT).readAllBytes());
                    case "/peek" -> ServiceResponse.text(400, "starts with " + new String(request.bodyStream(1 << 20).readNBytes(2),
                            StandardCharsets.US_ASCII));
                    case "/boom" -> throw new IllegalStateException("a bug");
                    case "/stream" -> ServiceResponse.streamed(200, "text/event-stream", stream -> {
                        try {
                            stream.send("one\n".getBytes(StandardCharsets.UTF_8));
                            partTwo.await();
                            stream.send("two\n".getBytes(StandardCharsets.UTF_8));
                            while (true) { // until the client goes away
                                Thread.sleep(20);
                                stream.send(":\n".getBytes(StandardCharsets.UTF_8));
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            streamEnded.countDown();
                        }
                    });
                    case "/short" -> ServiceResponse.streamed(200, "text/plain", stream -> stream.send("all\n".getBytes(StandardCharsets.UTF_8)));
                    default -> ServiceResponse.text(404, "nothing at " + request.path());
                };
            }

            @Override
            public ServiceResponse refusal(int status, String reason) {
                return ServiceResponse.of(status, "application/json", ("{\"error\":\"" + reason + "\"}").getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    @AfterEach
    void stop() {
        listener.stop(Duration.ofMillis(100));
    }

    private RawClient client() throws IOException {
        return new RawClient(listener.address());
    }

    @Test
    void servesRequestsOneAfterAnotherOnAKeptAliveConnection() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response first = c.send("GET /hello?name=Ada+L%C3%B6 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readResponse();
            assertEquals(200, first.status());
            assertEquals("hello Ada Lö from 127.0.0.1", first.bodyText());
            assertEquals("1", first.header("X-Test"));
            assertEquals("text/plain; charset=utf-8", first.header("Content-Type"));
            RawClient.Response second = c.send("GET /nope HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(404, second.status());
            assertEquals("nothing at /nope", second.bodyText());
        }
    }

    @Test
    void readsABodyWithinTheRoutesLimitByLengthOrChunked() throws Exception {
        try (RawClient c = client()) {
            assertEquals("0123456789abcdef", c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n0123456789abcdef")
                    .readResponse().bodyText());
            assertEquals("hello, world", c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n").readResponse().bodyText());
        }
    }

    @Test
    void sends100ContinueBeforeReadingABodyThatWaitsForIt() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            assertTrue(c.readHead().startsWith("HTTP/1.1 100 Continue\r\n"));
            assertEquals("ok", c.send("ok").readResponse().bodyText());
        }
    }

    @Test
    void readsAwayASmallBodyTheHandlerLeftUnreadAndCarriesOn() throws Exception {
        try (RawClient c = client()) {
            assertEquals(200, c.send("POST /hello HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nxxxxx").readResponse().status());
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void answers413ForABodyOverTheRoutesLimitAndCloses() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n0123456789abcdefg").readResponse();
            assertEquals(413, r.status());
            assertEquals("{\"error\":\"a request body larger than 16 bytes, the most this takes\"}", r.bodyText());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void answers413ForAChunkedBodyThatGrowsOverTheLimit() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n").readResponse();
            assertEquals(413, r.status());
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void streamsABodyWithinTheRoutesLimitByLengthOrChunkedAndCarriesOn() throws Exception {
        try (RawClient c = client()) {
            assertEquals("0123456789abcdef", c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n0123456789abcdef")
                    .readResponse().bodyText());
            assertEquals("hello, world", c.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n").readResponse().bodyText());
            assertEquals("", c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").readResponse().bodyText());
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void sends100ContinueBeforeStreamingABodyThatWaitsForIt() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            assertTrue(c.readHead().startsWith("HTTP/1.1 100 Continue\r\n"));
            assertEquals("ok", c.send("ok").readResponse().bodyText());
        }
    }

    @Test
    void answers413AtOnceForAStreamedBodyWhoseLengthIsOverTheLimit() throws Exception {
        try (RawClient c = client()) {
            // No 100 Continue, and nothing of the body is awaited: the length alone refuses it.
            RawClient.Response r = c.send("POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n")
                    .readResponse();
            assertEquals(413, r.status());
            assertEquals("{\"error\":\"a request body larger than 16 bytes, the most this takes\"}", r.bodyText());
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void answers413WhenAStreamedChunkedBodyGrowsOverTheLimit() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n").readResponse();
            assertEquals(413, r.status());
            assertEquals("{\"error\":\"a request body larger than 16 bytes, the most this takes\"}", r.bodyText());
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void answers400ForAStreamedChunkedBodyWithABadChunkSize() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\nzz\r\n").readResponse();
            assertEquals(400, r.status());
            assertTrue(r.bodyText().contains("an invalid chunk size"), r.bodyText());
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void aStreamedBodyTheHandlerLeftPartWayGetsItsAnswerAndTheConnectionCloses() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("POST /peek HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n"
                    + "PK" + "x".repeat(100_000)).readResponse();
            assertEquals(400, r.status());
            assertEquals("starts with PK", r.bodyText());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.isClosedByPeer());
        }
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("GET /a HTTP/1.1\nHost: a\r\n\r\n", 400, "a line ending in a bare LF"),
                Arguments.of("GET  /a HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line"),
                Arguments.of("GET /a HTTP/1.1\r\nHost : a\r\n\r\n", 400, "whitespace between a field name and its colon"),
                Arguments.of("GET /a HTTP/1.1\r\n\r\n", 400, "missing Host header"),
                Arguments.of("GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host header"),
                Arguments.of("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "this service serves paths (/...), not absolute-form targets"),
                Arguments.of("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 400, "not authority-form targets"),
                Arguments.of("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both Transfer-Encoding and Content-Length"),
                Arguments.of("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "an invalid chunk size"),
                Arguments.of("GET /hello?x=%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "a malformed percent-escape in the query at '%zz'"),
                Arguments.of("GET /hello?x=%ff HTTP/1.1\r\nHost: a\r\n\r\n", 400, "not UTF-8"),
                Arguments.of("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: br, chunked\r\n\r\n", 501, "unknown transfer coding"),
                Arguments.of("GET /a HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP version 2.0 is not supported"),
                Arguments.of("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "request target longer than 256 bytes"),
                Arguments.of("GET /a HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(1100) + "\r\n\r\n", 431, "a header section larger than 1024 bytes"),
                Arguments.of("GET /a HTTP/1.1\r\nHost: a\r\n" + "X-F: 1\r\n".repeat(10) + "\r\n", 431, "more than 10 header fields"),
                Arguments.of("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n", 500, "the service failed (a bug in wiretap; its log says more)"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("badRequests")
    void refusesBadInputWithItsOwnStatusTheHandlersBodyAndACloseThatLetsItBeRead(String request, int status, String reason) throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send(request).readResponse();
            assertEquals(status, r.status(), r.head());
            assertTrue(r.bodyText().startsWith("{\"error\":\"") && r.bodyText().contains(reason), r.bodyText());
            assertEquals("application/json", r.header("Content-Type"));
            assertEquals("close", r.header("Connection"));
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void answers408WhenAHeadDoesNotArriveInTime() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("GET /hello HTTP/1.1\r\nHost: a\r\n").readResponse(); // never ends
            assertEquals(408, r.status());
            assertTrue(r.bodyText().contains("the request head did not arrive within 500 ms"), r.bodyText());
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void sendsAHeadWithoutItsBodyToHead() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(true);
            assertEquals(200, r.status());
            assertEquals("14", r.header("Content-Length")); // "hello ? from a"
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void closesAfterAnHttp10RequestUnlessAskedToKeepAlive() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("GET /hello HTTP/1.0\r\n\r\n").readResponse();
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void streamsEachPartAsItIsSentAndEndsWhenTheClientGoesAway() throws Exception {
        RawClient c = client();
        String head = c.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n").readHead();
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
        assertTrue(head.contains("Transfer-Encoding: chunked\r\n") && head.contains("Content-Type: text/event-stream\r\n"), head);
        assertEquals("4\r\none\n\r\n", read(c, 9), "the first part arrives before the second is even made");
        partTwo.countDown();
        assertEquals("4\r\ntwo\n\r\n", read(c, 9));
        c.close();
        assertTrue(streamEnded.await(10, TimeUnit.SECONDS), "the writer saw the client go");
    }

    @Test
    void endsAStreamThatIsDoneWithTheLastChunkAndCarriesOn() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = c.send("GET /short HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals("all\n", r.bodyText());
            assertEquals(200, c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void stopEndsAStreamInProgress() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n").readHead();
            read(c, 9);
            listener.stop(Duration.ofMillis(50));
            partTwo.countDown();
            assertTrue(streamEnded.await(10, TimeUnit.SECONDS));
            assertThrows(IOException.class, () -> new Socket().connect(listener.address(), 1000));
        }
    }

    @Test
    void survivesAFailureToStartServingAConnectionAndServesTheNextOne() throws Exception {
        // As Thread.start does when there is no memory for a thread: the loop must neither end nor leave the client waiting.
        AtomicInteger started = new AtomicInteger();
        ThreadFactory failingOnce = connection -> {
            if (started.getAndIncrement() == 0) {
                throw new OutOfMemoryError("unable to create thread (test)");
            }
            return Thread.ofVirtual().unstarted(connection);
        };
        try (ServiceListener other = ServiceListener.bind(HostPort.parse("127.0.0.1:0"),
                new ServiceOptions("test-other", LIMITS, Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(5)))) {
            other.start(request -> ServiceResponse.text(200, "served"), failingOnce);
            try (RawClient first = new RawClient(other.address())) {
                first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertTrue(first.isClosedByPeer(), "the connection that failed to start was left open");
            }
            try (RawClient second = new RawClient(other.address())) {
                second.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("served", second.readResponse().bodyText());
            }
        }
    }

    @Test
    void bindingATakenAddressSaysWhich() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            HostPort address = new HostPort("127.0.0.1", taken.getLocalPort());
            IOException e = assertThrows(IOException.class, () -> ServiceListener.bind(address,
                    new ServiceOptions("x", LIMITS, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1))));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "), e.getMessage());
        }
    }

    private static String read(RawClient c, int n) throws IOException {
        byte[] bytes = c.in().readNBytes(n);
        assertNotNull(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

}
