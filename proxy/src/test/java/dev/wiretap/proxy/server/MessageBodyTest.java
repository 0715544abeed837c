package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Message bodies through wiretap, framed as RFC 9112 section 6 says, byte for byte where nothing needs changing. */
class MessageBodyTest {

    /** Chunk extensions (token and quoted values) and trailer fields, all of which must pass untouched. */
    private static final String CHUNKED = "4;name=value\r\nWiki\r\n"
            + "6 ; quoted=\"a \\\"b\\\"\"\r\npedia \r\n"
            + "e\r\nin \r\n\r\nchunks.\r\n"
            + "0;last\r\nX-Checksum: 8d7e\r\nX-Trace:  abc \r\n\r\n";

    @Test
    void relaysContentLengthBodiesBothWays() throws Exception {
        byte[] upload = randomBytes(300_000, 1);
        byte[] download = randomBytes(500_000, 2);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                received.complete(conn.readBody(head));
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + download.length + "\r\n\r\n");
                conn.out().write(download);
            });
             ProxyUnderTest proxy = ProxyUnderTest.start()) {
            HttpResponse<byte[]> response = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create(origin.url("/data")))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());

            assertEquals(200, response.statusCode());
            assertArrayEquals(download, response.body());
            assertArrayEquals(upload, received.get(5, TimeUnit.SECONDS));
            assertEquals(String.valueOf(upload.length), Heads.value(origin.takeHead(), "Content-Length"));
        }
    }

    @Test
    void relaysAChunkedRequestBodyWithExtensionsAndTrailersByteForByte() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                received.complete(Heads.isChunked(head) ? ChunkedWire.readRaw(conn.in()) : new byte[0]);
                conn.write("HTTP/1.1 204 No Content\r\n\r\n");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED);

            assertEquals(204, client.readResponse().status());
            assertEquals(CHUNKED, new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void relaysAChunkedResponseWithTrailersByteForByte() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED);
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            String head = client.readHead();
            assertEquals("chunked", Heads.value(head, "Transfer-Encoding"));
            assertEquals(CHUNKED, new String(ChunkedWire.readRaw(client.in()), StandardCharsets.ISO_8859_1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {",chunked,", " , Chunked ", "CHUNKED", "chunked\r\nTransfer-Encoding: ,"})
    void tellsTheClientTheTransferCodingWiretapReadInAResponse(String spelling) throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + spelling + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            String head = client.readHead();
            assertEquals(List.of("chunked"), Heads.values(head, "Transfer-Encoding"), head);
            assertEquals("5\r\nhello\r\n0\r\n\r\n", new String(ChunkedWire.readRaw(client.in()), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void refusesAResponseWhoseTransferCodingHasParameters() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;foo=bar\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals(502, response.status(), response.head() + response.bodyText());
            assertTrue(response.bodyText().contains("a transfer coding with parameters"), response.bodyText());
        }
    }

    @Test
    void relaysALargeChunkedResponseIntact() throws Exception {
        byte[] payload = randomBytes(1_000_000, 3);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                for (int off = 0; off < payload.length; off += 70_000) {
                    int n = Math.min(70_000, payload.length - off);
                    conn.write(Integer.toHexString(n) + "\r\n");
                    conn.out().write(payload, off, n);
                    conn.write("\r\n");
                }
                conn.write("0\r\n\r\n");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start()) {
            HttpResponse<byte[]> response = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create(origin.url("/big"))).build(), HttpResponse.BodyHandlers.ofByteArray());

            assertEquals(200, response.statusCode());
            assertArrayEquals(payload, response.body());
        }
    }

    @Test
    void sendsACloseDelimitedResponseToA11ClientChunkedAndKeepsItsConnection() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                String path = Heads.startLine(head).split(" ")[1];
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close " + path);
                // returning closes the connection: that is the body's end
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/one") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response first = client.readResponse();
            assertEquals("chunked", first.header("Transfer-Encoding"));
            assertNull(first.header("Connection"));
            assertEquals("until close /one", first.bodyText());

            client.send("GET " + origin.url("/two") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertEquals("until close /two", client.readResponse().bodyText());
        }
    }

    /** RFC 9112 section 6.3: a response to HEAD has no body, whatever its Content-Length says. */
    @Test
    void sendsNoBodyAfterHeadEvenWithAContentLength() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head;
                while ((head = conn.readHead()) != null) {
                    conn.write(head.startsWith("HEAD")
                            ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                            : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
                }
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("HEAD " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response head = client.readResponse(true);
            assertEquals("5", head.header("Content-Length"));

            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response get = client.readResponse();
            assertEquals(200, get.status(), "stray bytes after the HEAD response would show up here");
            assertEquals("hello", get.bodyText());
        }
    }

    /** RFC 9112 section 6.3: 204 and 304 responses end at their head, even with a misleading Content-Length. */
    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: \"v1\"\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n",
    })
    void sendsNoBodyAfter204Or304(String bodiless) throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head;
                while ((head = conn.readHead()) != null) {
                    conn.write(head.startsWith("GET /again") ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain" : bodiless);
                }
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            String head = client.readHead();
            assertNull(Heads.value(head, "Transfer-Encoding"), head);

            client.send("GET " + origin.url("/again") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response next = client.readResponse();
            assertEquals(200, next.status(), "stray bytes after the bodiless response would show up here");
            assertEquals("again", next.bodyText());
        }
    }

    @Test
    void relaysEarlyHintsToA11ClientBeforeTheFinalResponse() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npage");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            String hints = client.readHead();
            assertEquals("HTTP/1.1 103 Early Hints", Heads.startLine(hints));
            assertEquals("</style.css>; rel=preload", Heads.value(hints, "Link"));
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("page", response.bodyText());
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
