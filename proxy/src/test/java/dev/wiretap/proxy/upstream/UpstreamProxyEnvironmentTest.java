package dev.wiretap.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.UpstreamProxies;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The environment's proxies ({@code --upstream-proxy env}) at work: http_proxy for plain requests, https_proxy for
 * tunnels, and straight to origins for no_proxy hosts and loopback. Stand-in proxies record what reaches them; names
 * under {@code .invalid} never resolve, so a request that went directly fails its DNS lookup, one that went to a
 * proxy does not.
 */
class UpstreamProxyEnvironmentTest {

    @Test
    void sendsPlainRequestsToHttpProxyAndTunnelsToHttpsProxy() throws Exception {
        try (TestOrigin httpProxy = answering("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhttp");
             TestOrigin httpsProxy = answering("HTTP/1.1 200 Connection established\r\n\r\n");
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxies(UpstreamProxies.parse("env", Map.of(
                     "http_proxy", "http://127.0.0.1:" + httpProxy.port(),
                     "HTTPS_PROXY", "127.0.0.1:" + httpsProxy.port()))));
             RawClient client = a.rawClient();
             RawClient tunnelClient = a.rawClient()) {

            RawClient.Response plain = client.send("GET http://origin.invalid/p HTTP/1.1\r\nHost: origin.invalid\r\n\r\n").readResponse();
            String established = tunnelClient.send("CONNECT origin.invalid:443 HTTP/1.1\r\nHost: origin.invalid:443\r\n\r\n").readHead();

            assertEquals("http", plain.bodyText());
            assertEquals("GET http://origin.invalid/p HTTP/1.1", Heads.startLine(httpProxy.takeHead()));
            assertEquals("HTTP/1.1 200 Connection established", Heads.startLine(established));
            assertEquals("CONNECT origin.invalid:443 HTTP/1.1", Heads.startLine(httpsProxy.takeHead()));
        }
    }

    @Test
    void goesStraightToNoProxyHostsAndToLoopback() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("local");
             TestOrigin corpProxy = answering("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nproxy");
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxies(UpstreamProxies.parse("env", Map.of(
                     "http_proxy", "http://127.0.0.1:" + corpProxy.port(),
                     "https_proxy", "http://127.0.0.1:" + corpProxy.port(),
                     "no_proxy", ".intranet.invalid"))));
             RawClient client = a.rawClient()) {

            RawClient.Response loopback = client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\n\r\n").readResponse();
            RawClient.Response intranet = client.send("GET http://wiki.intranet.invalid/ HTTP/1.1\r\nHost: wiki.intranet.invalid\r\n\r\n")
                    .readResponse();

            assertEquals("local", loopback.bodyText(), "loopback never goes to the company proxy");
            assertEquals(502, intranet.status());
            assertTrue(intranet.bodyText().contains("cannot resolve host wiki.intranet.invalid"), intranet.bodyText());
            a.nextFinishedFlow();
            assertEquals(FlowError.Kind.DNS, a.nextFinishedFlow().error().orElseThrow().kind());
            assertEquals(0, corpProxy.connectionCount(), "the proxy was never asked");
        }
    }

    /** A stand-in proxy that answers every head with {@code answer} and then holds the connection until closed. */
    private static TestOrigin answering(String answer) throws Exception {
        return TestOrigin.start(conn -> {
            while (conn.readHead() != null) {
                conn.write(answer);
            }
        });
    }
}
