package dev.wiretap.proxy.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.http1.HttpInput;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** The watchdog cuts off a read that outlives its deadline, on a real connection, and leaves others alone. */
class ReadWatchdogTest {

    @Test
    void cutsOffAReadThatWaitsPastItsTimeoutAndReportsATimeout() throws Exception {
        try (ReadWatchdog watchdog = new ReadWatchdog(); Pair pair = new Pair()) {
            ReadWatchdog.Watch watch = watchdog.watch(pair.server);
            HttpInput in = new HttpInput(pair.server.getInputStream(), 64, watch);
            in.setReadTimeout(200_000_000L);

            assertThrows(SocketTimeoutException.class, in::read); // the peer never sends: cut off after ~200 ms
            assertTrue(watch.expired());
            pair.server.getOutputStream().write('x'); // the output stays usable, e.g. for a 408
        }
    }

    @Test
    void leavesAReadThatGetsItsDataInTime() throws Exception {
        try (ReadWatchdog watchdog = new ReadWatchdog(); Pair pair = new Pair()) {
            ReadWatchdog.Watch watch = watchdog.watch(pair.server);
            HttpInput in = new HttpInput(pair.server.getInputStream(), 64, watch);
            in.setReadTimeout(5_000_000_000L);
            pair.client.getOutputStream().write('a');

            assertEquals('a', in.read());
            assertFalse(watch.expired());
        }
    }

    @Test
    void forgetsAConnectionOnceItsWatchIsClosed() throws Exception {
        try (ReadWatchdog watchdog = new ReadWatchdog(); Pair pair = new Pair()) {
            ReadWatchdog.Watch watch = watchdog.watch(pair.server);
            assertEquals(1, watchdog.size());
            watch.close();
            assertEquals(0, watchdog.size());
        }
    }

    @Test
    void tellsAWatchOfItsOwnDeadlinesTheTimeOnEveryTickUntilItIsClosed() throws Exception {
        try (ReadWatchdog watchdog = new ReadWatchdog()) {
            java.util.concurrent.LinkedBlockingQueue<Long> ticks = new java.util.concurrent.LinkedBlockingQueue<>();
            ReadWatchdog.Watch watch = watchdog.watchEach(ticks::add);
            Long first = ticks.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            Long second = ticks.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(first != null && second != null && second - first > 0, first + " then " + second);

            watch.close();
            assertEquals(0, watchdog.size());
        }
    }

    /** A connected pair of sockets on loopback. */
    private static final class Pair implements AutoCloseable {
        final Socket client;
        final Socket server;

        Pair() throws IOException {
            try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                server = listener.accept();
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
        }
    }
}
