package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RandomBody;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 100 MiB of random bytes each way through wiretap, with Content-Length and chunked framing and through a CONNECT
 * tunnel, compared by SHA-256 computed while streaming on both ends (nothing holds a whole body: the test JVM has
 * 512 MiB). The flows keep only a bounded capture of each body.
 */
class IntegrityTest {

    private static final long SIZE = 100L * 1024 * 1024;
    private static final Duration LONG = Duration.ofSeconds(120);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"content-length", "chunked"})
    void uploadsArriveByteExact(String framing) throws Exception {
        try (TestOrigin origin = TestOrigin.start(IntegrityTest::digestUploads); ProxyUnderTest proxy = ProxyUnderTest.start();
             HttpClient client = proxy.httpClient()) {
            RandomBody body = new RandomBody(SIZE, 1);
            HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> body);
            HttpRequest request = HttpRequest.newBuilder(URI.create(origin.url("/upload"))).timeout(LONG)
                    .POST(framing.equals("chunked") ? stream : HttpRequest.BodyPublishers.fromPublisher(stream, SIZE)).build();

            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode(), response.body());
            assertEquals(SIZE + " " + body.sha256(), response.body());
            assertBoundedCapture(proxy.nextFinishedFlow().request().body(), proxy);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"content-length", "chunked"})
    void downloadsArriveByteExact(String framing) throws Exception {
        BlockingQueue<String> sent = new LinkedBlockingQueue<>();
        TestOrigin.Handler download = conn -> {
            conn.readHead();
            RandomBody body = new RandomBody(SIZE, 2);
            OutputStream out = conn.out();
            if (framing.equals("chunked")) {
                conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                writeChunked(body, out);
            } else {
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n");
                body.writeTo(out, 100_000);
            }
            sent.add(body.sha256());
            conn.in().read();
        };
        try (TestOrigin origin = TestOrigin.start(download); ProxyUnderTest proxy = ProxyUnderTest.start();
             HttpClient client = proxy.httpClient()) {
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(origin.url("/download")))
                    .timeout(LONG).build(), HttpResponse.BodyHandlers.ofInputStream());
            RandomBody.Digest received;
            try (InputStream in = response.body()) {
                received = RandomBody.sha256Of(in, Long.MAX_VALUE);
            }

            assertEquals(200, response.statusCode());
            assertEquals(SIZE, received.bytes());
            assertEquals(sent.poll(10, TimeUnit.SECONDS), received.sha256());
            assertBoundedCapture(proxy.nextFinishedFlow().response().orElseThrow().body(), proxy);
        }
    }

    @Test
    void aTunnelCarriesBothWaysByteExact() throws Exception {
        BlockingQueue<String> originReport = new LinkedBlockingQueue<>();
        TestOrigin.Handler exchange = conn -> {
            RandomBody toClient = new RandomBody(SIZE, 3);
            CompletableFuture<Void> writer = runAsync(() -> {
                toClient.writeTo(conn.out(), 50_000);
                conn.socket().shutdownOutput();
            });
            RandomBody.Digest fromClient = RandomBody.sha256Of(conn.in(), Long.MAX_VALUE);
            writer.get(120, TimeUnit.SECONDS);
            originReport.add(fromClient.bytes() + " " + fromClient.sha256() + " / " + toClient.sha256());
        };
        try (TestOrigin origin = TestOrigin.start(exchange); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.socket().setSoTimeout((int) LONG.toMillis());
            ConnectTunnelTest.openTunnel(client, origin.authority());
            RandomBody toOrigin = new RandomBody(SIZE, 4);
            CompletableFuture<Void> writer = runAsync(() -> {
                toOrigin.writeTo(client.out(), 30_000);
                client.socket().shutdownOutput();
            });
            RandomBody.Digest fromOrigin = RandomBody.sha256Of(client.in(), Long.MAX_VALUE);
            writer.get(120, TimeUnit.SECONDS);

            String report = originReport.poll(10, TimeUnit.SECONDS);
            assertNotNull(report, "the origin did not finish");
            assertEquals(SIZE + " " + toOrigin.sha256() + " / " + fromOrigin.sha256(), report);
            assertEquals(SIZE, fromOrigin.bytes());
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(SIZE + ConnectTunnelTest.connect(origin.authority()).length(), flow.bytesFromClient());
        }
    }

    /** The flow saw the whole body go by but kept no more than the capture limit of it. */
    private static void assertBoundedCapture(Body body, ProxyUnderTest proxy) {
        assertEquals(SIZE, body.size());
        assertTrue(body.isTruncated());
        assertEquals(proxy.wiretap().settings().capture().maxBodyBytes(), body.capturedLength());
    }

    /** Answers each request with {@code <bytes> <sha256>} of its body, Content-Length or chunked. */
    private static void digestUploads(TestOrigin.Conn conn) throws IOException {
        InputStream in = new BufferedInputStream(conn.in(), 64 * 1024);
        String head;
        while ((head = readHead(in)) != null) {
            RandomBody.Digest digest = Heads.isChunked(head)
                    ? RandomBody.sha256Of(new Dechunked(in), Long.MAX_VALUE)
                    : RandomBody.sha256Of(in, Math.max(0, Heads.contentLength(head)));
            String answer = digest.bytes() + " " + digest.sha256();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length() + "\r\n\r\n" + answer);
        }
    }

    /** Writes {@code body} as chunks of random sizes from 1 byte to 96 KiB, then the last chunk. */
    private static void writeChunked(RandomBody body, OutputStream out) throws IOException {
        SplittableRandom sizes = new SplittableRandom(5);
        byte[] buf = new byte[96 * 1024];
        int n;
        while ((n = body.read(buf, 0, sizes.nextInt(1, buf.length + 1))) > 0) {
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(buf, 0, n);
            out.write('\r');
            out.write('\n');
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                return null;
            }
            head.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (line.isEmpty()) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** One CRLF-ended line without its CRLF; null at end of stream before any byte. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n' && !line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
                return line.substring(0, line.length() - 1);
            }
            line.append((char) b);
        }
        if (line.isEmpty()) {
            return null;
        }
        throw new EOFException("end of stream mid-line");
    }

    /** The payload of a chunked body, read as it comes. */
    private static final class Dechunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] dst, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String line = readLine(in);
                int semicolon = line.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).strip(), 16);
                if (left == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailer fields
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(dst, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("end of stream inside a chunk");
            }
            left -= n;
            if (left == 0 && !readLine(in).isEmpty()) {
                throw new IOException("chunk data not followed by CRLF");
            }
            return n;
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private static CompletableFuture<Void> runAsync(IoAction action) {
        return CompletableFuture.runAsync(() -> {
            try {
                action.run();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
    }
}
