package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a client gets when the origin cannot be reached or breaks HTTP: before the response has begun, a short
 * plain-text 502 or 504 from wiretap naming the origin and the cause; once a response is under way, an aborted
 * connection, so that a cut-off body can never pass for a whole one.
 */
class UpstreamErrorsTest {

    @Test
    void answers502NamingTheHostWhenItsNameDoesNotResolve() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET http://no-such-host.invalid/x HTTP/1.1\r\nHost: no-such-host.invalid\r\n\r\n");

            assertOriginError(client.readResponse(), 502, "no-such-host.invalid", "DNS lookup failed");
            assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.DNS);
        }
    }

    @Test
    void answers502WhenTheOriginRefusesTheConnectionAndServesTheNextRequest() throws Exception {
        int port = closedPort();
        try (ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            String request = "GET http://127.0.0.1:" + port + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n";
            client.send(request);
            assertOriginError(client.readResponse(), 502, "127.0.0.1:" + port, "connection refused");
            assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.CONNECT);

            client.send(request); // a request without a body leaves the client connection usable
            assertOriginError(client.readResponse(), 502, "127.0.0.1:" + port, "connection refused");
        }
    }

    @Test
    void answers502WhenTheOriginResetsTheConnection() throws Exception {
        TestOrigin.Handler reset = conn -> {
            conn.readHead();
            conn.socket().setSoLinger(true, 0);
            conn.socket().close();
        };
        try (TestOrigin origin = TestOrigin.start(reset); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/reset"));

            assertOriginError(client.readResponse(), 502, origin.authority(), "reset");
            assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.UPSTREAM_CLOSED);
        }
    }

    @Test
    void answers504WhenTheOriginNeverAnswers() throws Exception {
        TestOrigin.Handler silent = conn -> {
            conn.readHead();
            conn.in().read(); // until wiretap gives up and closes
        };
        try (TestOrigin origin = TestOrigin.start(silent);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withUpstreamRead(Duration.ofMillis(500))));
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/slow"));

            RawClient.Response response = client.readResponse();
            assertOriginError(response, 504, origin.authority(), "did not answer");
            assertTrue(response.bodyText().contains("500 ms"), response.bodyText());
            assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.UPSTREAM_TIMEOUT);
        }
    }

    static Stream<Arguments> malformedResponses() {
        return Stream.of(
                Arguments.of("garbage status line", "HELLO WORLD\r\n\r\n", "malformed status line"),
                Arguments.of("status code not three digits", "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", "malformed status"),
                Arguments.of("obs-fold", "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok", "obs-fold"),
                Arguments.of("bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "bare LF"),
                Arguments.of("Content-Length with Transfer-Encoding",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        "both Transfer-Encoding and Content-Length"),
                Arguments.of("differing Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!",
                        "Content-Length fields that differ"),
                Arguments.of("bad chunk size before any body",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                Arguments.of("overflowing chunk size before any body",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n",
                        "chunk size too large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedResponses")
    void answers502ForAMalformedResponse(String fault, String answer, String cause) throws Exception {
        TestOrigin.Handler malformed = conn -> {
            conn.readHead();
            conn.write(answer);
            conn.in().read(); // keep the connection until wiretap is done with it
        };
        try (TestOrigin origin = TestOrigin.start(malformed); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/malformed"));

            assertOriginError(client.readResponse(), 502, origin.authority(), cause);
            assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.UPSTREAM_PROTOCOL);
        }
    }

    /**
     * The head is passed on as soon as wiretap would otherwise wait for the body (so that a stream's headers reach
     * its client at once); when the body then never comes, the client connection is aborted, never left looking
     * complete.
     */
    @Test
    void abortsTheClientConnectionWhenTheOriginClosesRightAfterTheHead() throws Exception {
        TestOrigin.Handler closesAfterHead = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        };
        try (TestOrigin origin = TestOrigin.start(closesAfterHead); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/empty"));

            String got = readUntilClosed(client);
            assertTrue(got.isEmpty() || got.startsWith("HTTP/1.1 200 OK"), got);
            assertTrue(got.isEmpty() || got.endsWith("\r\n\r\n"), "no body byte may follow the head: " + got);
            assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.UPSTREAM_CLOSED);
        }
    }

    @Test
    void abortsTheClientConnectionWhenTheOriginStallsAfterTheHead() throws Exception {
        TestOrigin.Handler stalls = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            conn.in().read();
        };
        try (TestOrigin origin = TestOrigin.start(stalls);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withUpstreamRead(Duration.ofMillis(500))));
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/stall"));

            String got = readUntilClosed(client);
            assertTrue(got.isEmpty() || got.startsWith("HTTP/1.1 200 OK"), got);
            assertTrue(got.isEmpty() || got.endsWith("\r\n\r\n"), "no body byte may follow the head: " + got);
            FlowError error = proxy.nextFinishedFlow().error().orElseThrow();
            assertEquals(FlowError.Kind.UPSTREAM_TIMEOUT, error.kind());
        }
    }

    @Test
    void abortsTheClientConnectionWhenTheOriginStallsMidBody() throws Exception {
        TestOrigin.Handler stalls = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "s".repeat(100));
            conn.in().read();
        };
        try (TestOrigin origin = TestOrigin.start(stalls);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withUpstreamRead(Duration.ofMillis(500))));
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/stall"));

            String got = readUntilClosed(client);
            int headEnd = got.indexOf("\r\n\r\n");
            assertTrue(headEnd < 0 || got.length() - headEnd - 4 < 1000, "the client received a whole response: " + got);
            assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.UPSTREAM_TIMEOUT);
        }
    }

    static Stream<Arguments> responsesCutMidBody() {
        String hundred = "a".repeat(100);
        Predicate<String> wholeFixed = got -> got.indexOf("\r\n\r\n") >= 0 && got.length() - got.indexOf("\r\n\r\n") - 4 >= 1000;
        Predicate<String> lastChunk = got -> got.contains("\r\n0\r\n\r\n");
        return Stream.of(
                Arguments.of("Content-Length 1000, 100 bytes sent", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + hundred, wholeFixed),
                Arguments.of("chunked, cut inside a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + hundred, lastChunk),
                Arguments.of("chunked, cut between chunks",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + hundred + "\r\n", lastChunk));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responsesCutMidBody")
    void abortsTheClientConnectionWhenTheOriginDiesMidBody(String cut, String partial, Predicate<String> isWhole) throws Exception {
        TestOrigin.Handler dies = conn -> {
            conn.readHead();
            conn.write(partial);
        };
        try (TestOrigin origin = TestOrigin.start(dies); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/cut"));

            String got = readUntilClosed(client);
            assertFalse(isWhole.test(got), "the client received what looks like a whole response: " + got);
            Flow flow = proxy.nextFinishedFlow();
            assertFailed(flow, FlowError.Kind.UPSTREAM_CLOSED);
            assertTrue(flow.error().orElseThrow().message().contains(origin.authority()), flow.error().toString());
        }
    }

    static String get(TestOrigin origin, String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
    }

    /** A wiretap error: the status, a short plain-text body naming the target and the cause, nothing internal. */
    static void assertOriginError(RawClient.Response response, int status, String target, String cause) {
        String body = response.bodyText();
        assertEquals(status, response.status(), response.head() + body);
        assertTrue(response.header("Content-Type").startsWith("text/plain"), response.head());
        assertTrue(body.startsWith("wiretap: "), body);
        assertTrue(body.contains(target), "body does not name " + target + ": " + body);
        assertTrue(body.contains(cause), "body does not say '" + cause + "': " + body);
        assertTrue(body.length() < 300 && !body.contains("Exception") && !body.contains("\tat "), body);
    }

    static void assertFailed(Flow flow, FlowError.Kind kind) {
        assertEquals(Flow.State.FAILED, flow.state(), flow.toString());
        assertEquals(kind, flow.error().orElseThrow().kind(), flow.error().toString());
    }

    /** Everything the client receives until wiretap closes or resets the connection. */
    static String readUntilClosed(RawClient client) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = client.in().read(buf)) > 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // An aborted connection: what arrived before the reset is what the client saw.
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** A loopback port nothing listens on (bound once by the test, then closed). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
