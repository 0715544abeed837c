package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Throttle;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delay and throttle through a running wiretap. Only lower bounds on time are asserted (a loaded machine is slower,
 * never faster): 64 KiB at 32 KiB/s cannot take less than about two seconds, less one pacing chunk of burst.
 */
class DelayAndThrottleTest {

    private static final int SIZE = 64 * 1024;
    private static final long AT_LEAST_NANOS = 1_500_000_000L;

    @TempDir
    Path dir;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Answers every request with {@code body}, framed by Content-Length or as chunks of 10,000 bytes. */
    private static TestOrigin.Handler serving(byte[] body, boolean chunked) {
        return conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                if (!chunked) {
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                    conn.out().write(body);
                } else {
                    conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                    for (int off = 0; off < body.length; off += 10_000) {
                        int n = Math.min(10_000, body.length - off);
                        conn.write(Integer.toHexString(n) + "\r\n");
                        conn.out().write(body, off, n);
                        conn.write("\r\n");
                    }
                    conn.write("0\r\n\r\n");
                }
                conn.out().flush();
            }
        };
    }

    @Test
    void aDelayHoldsTheRequestBackForAtLeastItsLatency() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("a"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: slow api
                         match: path:/slow
                         delay: 400ms
                     """));
             HttpClient client = proxy.httpClient()) {
            long start = System.nanoTime();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.url("/slow")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;

            assertEquals("GET /slow HTTP/1.1\n", response.body());
            assertTrue(took >= 400_000_000L, "took " + took / 1_000_000 + " ms");
            assertEquals(List.of("slow api"), proxy.nextFinishedFlow().appliedRules());
        }
    }

    @Test
    void aDelayHoldsBackAnAnswerMadeByARuleToo() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:api.example.invalid
                         delay: 300ms
                         respond: {status: 200, body: late}
                     """));
             RawClient client = proxy.rawClient()) {
            long start = System.nanoTime();
            client.send("GET http://api.example.invalid/ HTTP/1.1\r\nHost: api.example.invalid\r\n\r\n");

            assertEquals("late", client.readResponse().bodyText());
            assertTrue(System.nanoTime() - start >= 300_000_000L);
        }
    }

    @Test
    void throttlesTheResponseToTheClientAndKeepsEveryByte() throws Exception {
        byte[] body = randomBytes(SIZE, 1);
        try (TestOrigin origin = TestOrigin.start(serving(body, false));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: slow download
                         match: path:/file
                         throttle: {down: 32k}
                     """));
             HttpClient client = proxy.httpClient()) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(origin.url("/file")))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            long took = System.nanoTime() - start;

            assertArrayEquals(body, response.body());
            assertTrue(took >= AT_LEAST_NANOS, "64 KiB at 32 KiB/s took " + took / 1_000_000 + " ms");
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Optional.of(new Throttle(0, 32 * 1024)), flow.throttle());
            assertEquals(List.of("slow download"), flow.appliedRules());
            assertEquals(SIZE, flow.response().orElseThrow().body().size());
        }
    }

    @Test
    void throttlesAChunkedResponseAndTheConnectionCarriesOn() throws Exception {
        byte[] body = randomBytes(SIZE, 2);
        try (TestOrigin origin = TestOrigin.start(serving(body, true));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: path:/slow
                         throttle: {down: 32k}
                     """));
             RawClient client = proxy.rawClient()) {
            long start = System.nanoTime();
            client.send("GET " + origin.url("/slow") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response slow = client.readResponse();
            long took = System.nanoTime() - start;
            client.send("GET " + origin.url("/fast") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response fast = client.readResponse();

            assertArrayEquals(body, slow.body());
            assertTrue(took >= AT_LEAST_NANOS, "took " + took / 1_000_000 + " ms");
            assertArrayEquals(body, fast.body());
        }
    }

    @Test
    void throttlesTheRequestBodyToTheOriginAndKeepsEveryByte() throws Exception {
        byte[] upload = randomBytes(SIZE, 3);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                 String head;
                 while ((head = conn.readHead()) != null) {
                     byte[] got = conn.readBody(head);
                     conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + got.length + "\r\n\r\n");
                     conn.out().write(got);
                     conn.out().flush();
                 }
             });
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: slow upload
                         match: method:POST
                         throttle: {up: 32k}
                     """));
             HttpClient client = proxy.httpClient()) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(origin.url("/upload")))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            long took = System.nanoTime() - start;

            assertArrayEquals(upload, response.body(), "the origin did not get the body intact");
            assertTrue(took >= AT_LEAST_NANOS, "a 64 KiB upload at 32 KiB/s took " + took / 1_000_000 + " ms");
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Optional.of(new Throttle(32 * 1024, 0)), flow.throttle());
            assertEquals(SIZE, flow.request().body().size());
        }
    }

    @Test
    void throttlesALocalFile() throws Exception {
        byte[] file = randomBytes(SIZE, 4);
        Files.write(dir.resolve("big.bin"), file);
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:files.example.invalid
                         map_local: big.bin
                         throttle: 32k
                     """));
             RawClient client = proxy.rawClient()) {
            long start = System.nanoTime();
            client.send("GET http://files.example.invalid/big.bin HTTP/1.1\r\nHost: files.example.invalid\r\n\r\n");
            RawClient.Response response = client.readResponse();
            long took = System.nanoTime() - start;

            assertArrayEquals(file, response.body());
            assertTrue(took >= AT_LEAST_NANOS, "took " + took / 1_000_000 + " ms");
        }
    }

    @Test
    void anUnthrottledExchangeBesideAThrottledOneIsNotHeldBack() throws Exception {
        byte[] body = randomBytes(SIZE, 5);
        try (TestOrigin origin = TestOrigin.start(serving(body, false));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: path:/slow
                         throttle: {down: 1k}
                     """));
             RawClient slow = proxy.rawClient();
             RawClient fast = proxy.rawClient()) {
            slow.send("GET " + origin.url("/slow") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            slow.readHead(); // the slow download is under way: at 1 KiB/s it lasts about a minute

            fast.send("GET " + origin.url("/fast") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertArrayEquals(body, fast.readResponse().body());
            ByteArrayOutputStream some = new ByteArrayOutputStream();
            some.write(slow.in().readNBytes(100));
            assertEquals(100, some.size());
            assertEquals(new String(body, 0, 100, StandardCharsets.ISO_8859_1), some.toString(StandardCharsets.ISO_8859_1));
        }
    }
}
