package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stopping wiretap while it works: one client waits on a slow exchange (the origin answers {@code /slow} only when
 * the test says so) and another sits idle on a kept-alive connection. Stop closes the listener and the idle
 * connection at once, lets the exchange in flight finish within the grace, and cuts off one that outlasts it.
 */
class GracefulStopTest {

    private final CountDownLatch answerSlow = new CountDownLatch(1);
    private final BlockingQueue<String> originConnectionEnds = new LinkedBlockingQueue<>();
    private TestOrigin origin;
    private ProxyUnderTest proxy;
    private RawClient idle;
    private RawClient busy;
    private Thread stopper;

    @BeforeEach
    void startAnIdleAndABusyClient() throws Exception {
        origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                if (Heads.startLine(head).contains("/slow")) {
                    // While the answer waits, a second thread watches for wiretap closing the connection.
                    Thread watcher = Thread.ofVirtual().start(() -> originConnectionEnds.add(endOf(conn)));
                    answerSlow.await();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
                    watcher.join();
                    return;
                }
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
            }
        });
        proxy = ProxyUnderTest.start();
        idle = proxy.rawClient();
        idle.send(get("/quick"));
        assertEquals(200, idle.readResponse().status());
        assertEquals("GET /quick HTTP/1.1", Heads.startLine(origin.takeHead()));
        proxy.nextFinishedFlow();

        busy = proxy.rawClient();
        busy.send(get("/slow"));
        assertEquals("GET /slow HTTP/1.1", Heads.startLine(origin.takeHead())); // the exchange is in flight
    }

    @AfterEach
    void cleanUp() throws Exception {
        answerSlow.countDown();
        if (stopper != null) {
            stopper.join();
        }
        idle.close();
        busy.close();
        proxy.close();
        origin.close();
    }

    @Test
    void letsAnExchangeInFlightFinishWithinTheGrace() throws Exception {
        stopInBackground(Duration.ofSeconds(30));
        assertTrue(idle.isClosedByPeer()); // stop has begun
        assertTrue(stopper.isAlive(), "stop returned with an exchange in flight and the grace not over");

        answerSlow.countDown();
        RawClient.Response response = busy.readResponse();
        assertEquals(200, response.status());
        assertEquals("done", response.bodyText());
        assertEquals("close", response.header("Connection"), "a stopping wiretap must not promise another exchange");
        assertTrue(busy.isClosedByPeer());
        stopper.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(stopper.isAlive(), "stop did not return once the last exchange had ended");
        Flow slow = proxy.nextFinishedFlow();
        assertEquals(Flow.State.COMPLETED, slow.state(), slow.toString());
        assertTrue(slow.request().target().endsWith("/slow"), slow.toString());
    }

    @Test
    void refusesNewConnectionsOnceStopping() throws Exception {
        stopInBackground(Duration.ofSeconds(30));
        assertTrue(idle.isClosedByPeer()); // the listener closes before the idle connections do

        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(proxy.address(), 5000);
            }
        });
    }

    @Test
    void closesIdleKeptAliveConnectionsAtOnce() throws Exception {
        stopInBackground(Duration.ofSeconds(30));

        assertTrue(idle.isClosedByPeer(), "the idle connection got bytes instead of a close");
        assertTrue(stopper.isAlive() && answerSlow.getCount() == 1, "the idle connection was closed only after the busy one");
    }

    @Test
    void cutsOffAnExchangeThatOutlastsTheGraceAndItsOriginConnection() throws Exception {
        stopInBackground(Duration.ofMillis(500));
        stopper.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(stopper.isAlive(), "stop outlasted its grace");

        assertEquals("", UpstreamErrorsTest.readUntilClosed(busy), "the client got a response after all");
        String end = originConnectionEnds.poll(10, TimeUnit.SECONDS);
        assertNotNull(end, "the origin connection of the cut-off exchange stayed open after stop");
    }

    private static String endOf(TestOrigin.Conn conn) {
        try {
            return conn.in().read() < 0 ? "closed" : "unexpected bytes";
        } catch (IOException e) {
            return "reset";
        }
    }

    private void stopInBackground(Duration grace) {
        stopper = Thread.ofVirtual().name("stopper").start(() -> proxy.wiretap().stop(grace));
    }

    private String get(String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
    }
}
