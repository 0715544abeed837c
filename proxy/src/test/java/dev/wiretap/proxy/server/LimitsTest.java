package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The limits on request heads, set small: a request just within each limit is served, one just over it gets its
 * own status (414 for the target, 431 for the header section's size or field count) and the connection closed.
 * Requests stay under 4 KiB so that each arrives whole in one read.
 */
class LimitsTest {

    private static final int MAX_TARGET = 256;
    private static final int MAX_HEADER_BYTES = 1024;
    private static final int MAX_HEADER_COUNT = 10;

    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.fixed("ok");
        Limits limits = new Limits(MAX_TARGET, MAX_HEADER_BYTES, MAX_HEADER_COUNT, Limits.DEFAULTS.maxChunkLineBytes());
        proxy = ProxyUnderTest.start(s -> s.withLimits(limits));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        origin.close();
    }

    @Test
    void servesATargetOfExactlyTheLimit() throws Exception {
        assertEquals(200, send(requestWithTarget(MAX_TARGET)).status());
    }

    @Test
    void answers414ForATargetOneByteOverTheLimit() throws Exception {
        assertRefused(requestWithTarget(MAX_TARGET + 1), 414, "request target longer than " + MAX_TARGET);
    }

    @Test
    void answers414ForARequestLineFarOverTheLimit() throws Exception {
        assertRefused(requestWithTarget(8 * MAX_TARGET), 414, "longer than");
    }

    @Test
    void servesAHeaderSectionOfExactlyTheLimit() throws Exception {
        assertEquals(200, send(requestWithHeadBytes(MAX_HEADER_BYTES)).status());
    }

    @Test
    void answers431ForAHeaderSectionOneByteOverTheLimit() throws Exception {
        assertRefused(requestWithHeadBytes(MAX_HEADER_BYTES + 1), 431, "larger than " + MAX_HEADER_BYTES + " bytes");
    }

    @Test
    void answers431ForAHeaderSectionFarOverTheLimit() throws Exception {
        assertRefused(requestWithHeadBytes(3 * MAX_HEADER_BYTES), 431, "larger than " + MAX_HEADER_BYTES + " bytes");
    }

    @Test
    void servesExactlyTheMaximumNumberOfFields() throws Exception {
        assertEquals(200, send(requestWithFields(MAX_HEADER_COUNT)).status());
    }

    @Test
    void answers431ForOneFieldTooMany() throws Exception {
        assertRefused(requestWithFields(MAX_HEADER_COUNT + 1), 431, "more than " + MAX_HEADER_COUNT + " header fields");
    }

    @Test
    void answers502ForAResponseHeadOverTheLimit() throws Exception {
        TestOrigin.Handler bigHead = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(2 * MAX_HEADER_BYTES) + "\r\nContent-Length: 2\r\n\r\nok");
            conn.in().read();
        };
        try (TestOrigin big = TestOrigin.start(bigHead); RawClient client = proxy.rawClient()) {
            client.send("GET " + big.url("/") + " HTTP/1.1\r\nHost: " + big.authority() + "\r\n\r\n");
            UpstreamErrorsTest.assertOriginError(client.readResponse(), 502, big.authority(), "larger than");
        }
    }

    private void assertRefused(String request, int status, String reason) throws Exception {
        try (RawClient client = proxy.rawClient()) {
            client.send(request);
            RawClient.Response response = client.readResponse();
            assertEquals(status, response.status(), response.head() + response.bodyText());
            assertTrue(response.bodyText().contains(reason), response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.isClosedByPeer(), "the connection stayed open after " + status);
        }
        assertEquals(FlowError.Kind.CLIENT_PROTOCOL, proxy.nextFinishedFlow().error().orElseThrow().kind());
        assertEquals(0, proxy.wiretap().stats().upstreamOpened(), "wiretap went to the origin with a refused request");
    }

    private RawClient.Response send(String request) throws IOException {
        try (RawClient client = proxy.rawClient()) {
            return client.send(request).readResponse();
        }
    }

    /** A GET whose absolute-form target is exactly {@code length} bytes long. */
    private String requestWithTarget(int length) {
        String base = origin.url("/");
        return "GET " + base + "t".repeat(length - base.length()) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
    }

    /** A GET whose head (request line to the final empty line) is exactly {@code bytes} long. */
    private String requestWithHeadBytes(int bytes) {
        String start = "GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nX-Pad: ";
        return start + "p".repeat(bytes - start.length() - 4) + "\r\n\r\n";
    }

    /** A GET with {@code count} fields, Host among them. */
    private String requestWithFields(int count) {
        StringBuilder request = new StringBuilder("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n");
        for (int i = 1; i < count; i++) {
            request.append("X-Field-").append(i).append(": ").append(i).append("\r\n");
        }
        return request.append("\r\n").toString();
    }
}
