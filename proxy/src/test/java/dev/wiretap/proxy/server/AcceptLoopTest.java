package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.event.FlowEvents;
import dev.wiretap.proxy.http1.RequestParser;
import dev.wiretap.proxy.http1.ResponseParser;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.DirectBufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.testing.LogCapture;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.live.FlowPublisher;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The accept loop lives as long as the listening socket: a connection whose session cannot be started (no memory for
 * its thread, a bug) is closed and reported, and the next client is served.
 */
class AcceptLoopTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("an Error", (Supplier<Throwable>) () -> new OutOfMemoryError("unable to create thread (test)")),
                Arguments.of("a RuntimeException", (Supplier<Throwable>) () -> new IllegalStateException("a bug (test)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void survivesAFailureToStartASessionReportsItAndServesTheNextClient(String kind, Supplier<Throwable> failure)
            throws Exception {
        AtomicInteger sessionsStarted = new AtomicInteger();
        ThreadFactory failingOnce = session -> {
            if (sessionsStarted.getAndIncrement() == 0) {
                throw sneaky(failure.get());
            }
            return Thread.ofVirtual().unstarted(session);
        };
        try (LogCapture log = LogCapture.of(Listener.class)) {
            ReadWatchdog watchdog = new ReadWatchdog();
            Listener listener = Listener.start(context(watchdog), HostPort.parse("127.0.0.1:0"), failingOnce);
            try {
                try (RawClient first = new RawClient(listener.address())) {
                    first.send("GET / HTTP/1.1\r\nHost: wiretap\r\n\r\n");
                    assertTrue(first.isClosedByPeer(), "the connection whose session failed to start was left open");
                }
                try (RawClient second = new RawClient(listener.address())) {
                    second.send("GET / HTTP/1.1\r\nHost: wiretap\r\n\r\n");
                    assertEquals(200, second.readResponse().status());
                }
                assertEquals(2, listener.acceptedCount());
                List<LogRecord> records = log.records();
                LogRecord reported = records.stream().filter(r -> r.getLevel() == Level.SEVERE).findFirst().orElseThrow(
                        () -> new AssertionError("nothing reported at ERROR: " + records.stream().map(LogRecord::getMessage).toList()));
                assertTrue(reported.getMessage().contains("(test)"), reported.getMessage());
                assertTrue(reported.getMessage().contains("accepting goes on"), reported.getMessage());
            } finally {
                listener.stop(Duration.ofMillis(100));
                watchdog.close();
            }
        }
    }

    /** What a session needs to answer a request for wiretap's own page. */
    private static ServerContext context(ReadWatchdog watchdog) throws Exception {
        Settings settings = Settings.defaults();
        BufferPool heads = new BufferPool(16 * 1024, 16);
        return new ServerContext(settings, new RequestParser(settings.limits()), new ResponseParser(settings.limits()),
                heads, new BufferPool(64 * 1024, 4), new DirectBufferPool(64 * 1024, 4), null, null, new FlowPublisher(),
                List.of(), new AtomicLong(), new SelfAddress(InetAddress.getLoopbackAddress()), watchdog, Optional.empty(),
                "test", dev.wiretap.proxy.flow.CaptureBudget.unlimited(), ClientGate.open());
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
