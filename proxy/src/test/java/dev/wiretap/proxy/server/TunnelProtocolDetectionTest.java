package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With interception on, what wiretap does with a tunnel depends on the client's first byte: TLS is intercepted,
 * plain HTTP is read as requests of their own, anything else is relayed untouched.
 */
class TunnelProtocolDetectionTest {

    private static final TestOrigin.Handler ECHO_BYTES = conn -> conn.in().transferTo(conn.out());

    @TempDir
    static Path dir;
    static Path testCaFile;

    @BeforeAll
    static void makeTestCa() throws Exception {
        testCaFile = TestCa.ec("detection test CA").writeCertificate(dir.resolve("test-ca.pem"));
    }

    @Test
    void readsPlainHttpInsideATunnelAsFlowsToTheConnectTarget() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("plain inside");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.send("GET /plain?q=1 HTTP/1.1\r\nHost: elsewhere.example\r\nX-Inside: yes\r\n\r\n");

            RawClient.Response first = client.readResponse();
            assertEquals(200, first.status());
            assertEquals("plain inside", first.bodyText());
            assertEquals("1.1 wiretap", first.header("Via"));
            String atOrigin = origin.takeHead();
            assertEquals("GET /plain?q=1 HTTP/1.1", Heads.startLine(atOrigin));
            assertEquals("yes", Heads.value(atOrigin, "X-Inside"));
            assertEquals("1.1 wiretap", Heads.value(atOrigin, "Via"));

            client.send("POST /second HTTP/1.1\r\nHost: " + origin.authority() + "\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals("plain inside", client.readResponse().bodyText());
            assertEquals("POST /second HTTP/1.1", Heads.startLine(origin.takeHead()));

            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            assertTrue(tunnel.isIntercepted(), tunnel.toString());
            assertEquals(Flow.State.COMPLETED, tunnel.state(), tunnel.toString());
            Flow get = proxy.nextFinishedFlow();
            assertEquals(origin.url("/plain?q=1"), get.request().url());
            assertEquals("yes", get.request().headers().first("X-Inside").orElseThrow());
            assertEquals("plain inside", get.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            Flow post = proxy.nextFinishedFlow();
            assertEquals(origin.url("/second"), post.request().url());
            assertEquals("hello", post.request().body().text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void sendsAnAsteriskOptionsRequestInsideATunnelOnAsAsterisk() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.send("OPTIONS * HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            assertEquals("OPTIONS * HTTP/1.1", Heads.startLine(origin.takeHead()));
        }
    }

    @Test
    void refusesAConnectInsideAPlainTunnel() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("unused");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.send(ConnectTunnelTest.connect(origin.authority()));

            assertEquals(400, client.readResponse().status());
            proxy.nextFinishedFlow(); // the outer CONNECT
            assertEquals(FlowError.Kind.CLIENT_PROTOCOL, proxy.nextFinishedFlow().error().orElseThrow().kind());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a line protocol in lower case", "binary starting with NUL", "binary starting with 0xFF",
                            "a lower-case HTTP-like line"})
    void relaysAnyOtherProtocolUntouchedByteExact(String what) throws Exception {
        byte[] sent = switch (what) {
            case "a line protocol in lower case" -> "hello wiretap\r\nsecond line\n".getBytes(StandardCharsets.US_ASCII);
            case "binary starting with NUL" -> allByteValues(0x00);
            case "binary starting with 0xFF" -> allByteValues(0xFF);
            case "a lower-case HTTP-like line" -> "get / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            default -> throw new IllegalArgumentException(what);
        };
        try (TestOrigin echo = TestOrigin.start(ECHO_BYTES);
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile));
             RawClient client = proxy.rawClient()) {
            String connect = ConnectTunnelTest.connect(echo.authority());
            ConnectTunnelTest.openTunnel(client, echo.authority());
            client.send(sent);

            assertArrayEquals(sent, client.in().readNBytes(sent.length));
            client.socket().shutdownOutput();
            assertEquals(-1, client.in().read());

            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, tunnel.state(), tunnel.toString());
            assertFalse(tunnel.isIntercepted(), tunnel.toString());
            assertEquals(connect.length() + sent.length, tunnel.bytesFromClient());
            assertEquals("HTTP/1.1 200 Connection established\r\n\r\n".length() + sent.length, tunnel.bytesToClient());
            assertEquals(0, proxy.wiretap().stats().upstreamOpened(), "the origin was reached through the pool");
        }
    }

    @Test
    void relaysAProtocolWhereTheServerSpeaksFirst() throws Exception {
        TestOrigin.Handler banner = conn -> {
            conn.write("220 smtp.test ESMTP ready\r\n");
            ECHO_BYTES.handle(conn);
        };
        try (TestOrigin origin = TestOrigin.start(banner);
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());

            assertEquals("220 smtp.test ESMTP ready\r\n", readLine(client));
            client.send("EHLO client.test\r\n");
            assertEquals("EHLO client.test\r\n", readLine(client));
        }
    }

    @Test
    void answers502ForAClosedPortWithInterceptionOn() throws Exception {
        int port = UpstreamErrorsTest.closedPort();
        try (ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile)); RawClient client = proxy.rawClient()) {
            client.send(ConnectTunnelTest.connect("127.0.0.1:" + port));

            UpstreamErrorsTest.assertOriginError(client.readResponse(), 502, "127.0.0.1:" + port, "connection refused");
            UpstreamErrorsTest.assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.CONNECT);
        }
    }

    @Test
    void endsTheFlowOfATunnelClosedBeforeItsFirstByte() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO_BYTES);
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.socket().shutdownOutput();

            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, tunnel.state(), tunnel.toString());
            assertEquals(-1, client.in().read());
        }
    }

    private static byte[] allByteValues(int first) {
        byte[] bytes = new byte[1 + 4 * 256];
        bytes[0] = (byte) first;
        for (int i = 1; i < bytes.length; i++) {
            bytes[i] = (byte) (i - 1);
        }
        return bytes;
    }

    private static String readLine(RawClient client) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = client.in().read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
