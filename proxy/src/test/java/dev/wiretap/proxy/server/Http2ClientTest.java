package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.testing.Curl;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 clients inside intercepted TLS (ALPN h2), to an HTTP/1.1 origin: each stream is a flow, shown as it flowed
 * (pseudo-header fields first, lower case), and the origin gets HTTP/1.1 made by RFC 9113 section 8's rules. Real
 * clients: the JDK's HttpClient and curl.
 */
class Http2ClientTest {

    @TempDir
    static Path dir;
    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("h2 client test CA");

    @Test
    void anHttp2ClientIsServedOverHttp2AndTheOriginGetsHttp11() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), HttpsInterceptionTest.ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.h2Client(proxy)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/hello?x=1")))
                    .header("X-Test", "over h2").header("Cookie", "a=1").timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals(200, response.statusCode());
            assertEquals("GET /hello?x=1 HTTP/1.1\n", response.body());
            assertEquals("tls", response.headers().firstValue("x-origin").orElseThrow());

            String atOrigin = origin.takeHead();
            assertEquals("GET /hello?x=1 HTTP/1.1", Heads.startLine(atOrigin));
            assertEquals(origin.authority(), Heads.value(atOrigin, "Host"));
            assertEquals("over h2", Heads.value(atOrigin, "x-test"));
            assertEquals("2 wiretap", Heads.value(atOrigin, "Via"));
            assertTrue(!atOrigin.contains(":method"), atOrigin);

            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            Flow get = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, get.state(), get.toString());
            assertEquals(HttpVersion.HTTP_2, get.request().version());
            assertEquals(HttpVersion.HTTP_1_1, get.response().orElseThrow().version());
            assertEquals(origin.httpsUrl("/hello?x=1"), get.request().url());
            assertEquals(":method", get.request().headers().name(0));
            assertEquals(":path", get.request().headers().name(3));
            assertEquals("/hello?x=1", get.request().headers().value(3));
            assertEquals("over h2", get.request().headers().first("x-test").orElseThrow());
            assertEquals("GET /hello?x=1 HTTP/1.1\n", get.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            assertTrue(get.bytesToClient() > 0 && get.bytesFromClient() > 0, get.bytesToClient() + " " + get.bytesFromClient());
            // The stream's flow records the tunnel's TLS, as a request over HTTP/1.1 in it would.
            assertTrue(get.clientTls().orElseThrow().protocol().startsWith("TLSv1."), get.clientTls().toString());
        }
    }

    @Test
    void curlPostsOverHttp2ThroughTheProxy() throws Exception {
        String sent = "field=" + "v".repeat(70_000); // larger than a stream's first window and a frame
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), HttpsInterceptionTest.ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception())) {
            Path ca = Curl.writePem(proxy.wiretap().certificateAuthority().orElseThrow().certificate(), dir.resolve("wiretap.pem"));
            Path body = dir.resolve("body.txt");
            java.nio.file.Files.writeString(body, sent);
            Curl.Result r = Curl.run(List.of("--http2", "-sS", "--max-time", "30", "--cacert", ca.toString(),
                    "-x", "http://127.0.0.1:" + proxy.port(), "--data-binary", "@" + body,
                    "-w", "\n%{http_version} %{response_code}", origin.httpsUrl("/form")));
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("POST /form HTTP/1.1\n" + sent + "\n2 200", r.stdout());

            proxy.nextFinishedFlow(); // the CONNECT
            Flow post = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, post.state(), post + " " + post.error());
            assertEquals(HttpVersion.HTTP_2, post.request().version());
            assertEquals(sent, post.request().body().text(StandardCharsets.UTF_8));
            assertEquals(sent.length(), post.request().body().size());
        }
    }
}
