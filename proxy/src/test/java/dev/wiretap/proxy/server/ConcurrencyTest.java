package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many clients at once, each on its own connection with several keep-alive exchanges, through wiretap's shared
 * upstream pool to one echoing origin: every client gets back exactly its own bodies (no cross-talk between
 * connections, pooled upstream connections or buffers), and every exchange is a completed flow.
 */
class ConcurrencyTest {

    private static final int CLIENTS = 200;
    private static final int REQUESTS_PER_CLIENT = 3;

    @Test
    void twoHundredConcurrentClientsEachGetTheirOwnBodiesBack() throws Exception {
        TestOrigin.Handler echo = conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                byte[] body = conn.readBody(head);
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                conn.out().write(body);
                conn.out().flush();
            }
        };
        try (TestOrigin origin = TestOrigin.start(echo); ProxyUnderTest proxy = ProxyUnderTest.start();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch startTogether = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                results.add(clients.submit(() -> {
                    startTogether.await();
                    return exchange(proxy, origin, client);
                }));
            }
            startTogether.countDown();

            for (Future<Integer> result : results) {
                assertEquals(REQUESTS_PER_CLIENT, result.get(60, TimeUnit.SECONDS));
            }
            int completed = 0;
            for (int i = 0; i < CLIENTS * REQUESTS_PER_CLIENT; i++) {
                Flow flow = proxy.nextFinishedFlow();
                assertEquals(Flow.State.COMPLETED, flow.state(), flow.toString());
                completed++;
            }
            assertEquals(CLIENTS * REQUESTS_PER_CLIENT, completed);
        }
    }

    /** One client's exchanges on one connection; returns how many came back intact. */
    private static int exchange(ProxyUnderTest proxy, TestOrigin origin, int client) throws Exception {
        int intact = 0;
        try (RawClient raw = proxy.rawClient()) {
            for (int j = 0; j < REQUESTS_PER_CLIENT; j++) {
                byte[] body = bodyOf(client, j);
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                request.writeBytes(("POST " + origin.url("/echo/" + client + "/" + j) + " HTTP/1.1\r\nHost: "
                        + origin.authority() + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                request.writeBytes(body);
                raw.send(request.toByteArray());

                RawClient.Response response = raw.readResponse();
                assertEquals(200, response.status(), "client " + client + " request " + j);
                assertArrayEquals(body, response.body(), "client " + client + " request " + j + " got another body");
                intact++;
            }
        }
        return intact;
    }

    /** A body unique to one client's request, from a few bytes to about 40 KiB, starting with who sent it. */
    private static byte[] bodyOf(int client, int request) {
        SplittableRandom random = new SplittableRandom(client * 1000L + request);
        byte[] tag = ("client " + client + " request " + request + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[tag.length + random.nextInt(40_000)];
        random.nextBytes(body);
        System.arraycopy(tag, 0, body, 0, tag.length);
        return body;
    }
}
