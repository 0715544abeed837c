package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 1: slow uploads must not exhaust the heap. wiretap runs as users run it, in a JVM of 256 MiB, and a
 * thousand clients each declare a body of 1 MiB and send one byte of it. Each is forwarded to the origin and waits
 * there, while another client is served; then the body deadline ends them, each with a 408 and a line in the log.
 * Before the fix, each capture was made at the declared length at once: 1 GiB for these, and wiretap ran out of memory.
 */
class SlowUploadsProcessTest {

    private static final int SLOW_CLIENTS = 1000;
    private static final int DECLARED = 1024 * 1024;

    @TempDir
    Path dir;

    private ChildWiretap wiretap;
    private final List<Socket> clients = new ArrayList<>();
    /** Slow uploads whose head reached the origin. */
    private final java.util.concurrent.atomic.AtomicInteger uploadsAtOrigin = new java.util.concurrent.atomic.AtomicInteger();

    @AfterEach
    void closeWhatIsLeft() {
        clients.forEach(SlowUploadsProcessTest::closeQuietly);
        if (wiretap != null) {
            wiretap.close();
        }
    }

    @Test
    void aThousandSlowUploadsDeclaringAMegabyteEachFitIn256MegabytesAndEachEndsWith408() throws Exception {
        try (TestOrigin origin = TestOrigin.start(this::serve)) {
            ChildWiretap.Started started = ChildWiretap.startListeningInHeap(dir.resolve("home"), "256m", "--headless",
                    "--no-web", "--set", "timeouts.client_body=6s");
            wiretap = started.wiretap();

            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket client = new Socket();
                clients.add(client);
                client.connect(new InetSocketAddress("127.0.0.1", started.port()), 10_000);
                client.setSoTimeout(30_000);
                OutputStream out = client.getOutputStream();
                out.write(("POST " + origin.url("/slow/" + i) + " HTTP/1.1\r\nHost: " + origin.authority()
                        + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + DECLARED + "\r\n\r\nx")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            // Every upload is under way: its head reached the origin, which waits for the rest of the body.
            awaitUploadsAtOrigin(SLOW_CLIENTS);

            HttpClient other = HttpClient.newBuilder()
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", started.port()))).build();
            HttpResponse<String> served = other.send(HttpRequest.newBuilder(URI.create(origin.url("/fast")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, served.statusCode());
            assertEquals("fast", served.body());

            for (int i = 0; i < SLOW_CLIENTS; i++) {
                String status = statusLine(clients.get(i).getInputStream());
                assertTrue(status.startsWith("HTTP/1.1 408 "), "slow client " + i + " got: " + status);
            }
            Set<Integer> logged = new HashSet<>();
            String prefix = "POST " + origin.url("/slow/");
            while (logged.size() < SLOW_CLIENTS) {
                String line = wiretap.awaitLine(l -> l.contains(prefix));
                assertTrue(line.contains(" 408 ") && line.contains("the request body came too slowly"), line);
                String rest = line.substring(line.indexOf(prefix) + prefix.length());
                assertTrue(logged.add(Integer.parseInt(rest.substring(0, rest.indexOf(' ')))), "logged twice: " + line);
            }
            String everything = wiretap.stdoutTranscript() + wiretap.stderr();
            assertFalse(everything.contains("OutOfMemoryError"), everything);
            String last = wiretap.stopWithSigterm(); // and nothing on stderr: no failure of any kind
            assertTrue(last.contains((SLOW_CLIENTS + 1) + " flows"), last);
        }
    }

    /** The origin: a slow upload's body is read until wiretap gives up on it and closes; anything else is answered. */
    private void serve(TestOrigin.Conn conn) throws IOException {
        String head = conn.readHead();
        if (head == null) {
            return;
        }
        if (head.startsWith("POST /slow/")) {
            uploadsAtOrigin.incrementAndGet();
            InputStream in = conn.in();
            byte[] sink = new byte[1024];
            try {
                while (in.read(sink) >= 0) {
                    // the one byte, then nothing until wiretap closes the connection
                }
            } catch (IOException closed) {
                // wiretap reset the connection: the upload is over
            }
            return;
        }
        conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nfast");
    }

    private void awaitUploadsAtOrigin(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (uploadsAtOrigin.get() < count) {
            assertTrue(System.nanoTime() < deadline, "only " + uploadsAtOrigin.get() + " uploads reached the origin");
            Thread.sleep(20); // polling a counter: a wait, not an assertion about time
        }
    }

    /** The first line wiretap answered on a connection. */
    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString().strip();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the test is over; a socket that will not close changes nothing
        }
    }
}
