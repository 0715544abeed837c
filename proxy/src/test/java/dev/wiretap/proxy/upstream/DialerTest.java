package dev.wiretap.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Limits;
import dev.wiretap.config.Timeouts;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** Dialing real sockets on 127.0.0.1 (and a name that can never resolve). */
class DialerTest {

    @Test
    void connectsToTheOriginAndTimesTheLookupAndTheConnect() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("hi")) {
            LiveFlow flow = UpstreamPoolTest.flow();
            try (Socket socket = dialer(a -> false).dial(UpstreamPoolTest.routeTo(origin), flow)) {
                assertEquals(origin.port(), socket.getPort());
                assertTrue(socket.getTcpNoDelay(), "small heads and bodies must not wait for Nagle");
            }
            assertTrue(flow.timings().dnsNanos() >= 0);
            assertTrue(flow.timings().connectNanos() >= 0);
        }
    }

    @Test
    void failsWithDnsAndA502ForANameThatDoesNotResolve() {
        Route route = new Route("http", "no-such-host.invalid", 8080, Optional.empty());

        UpstreamException e = assertThrows(UpstreamException.class, () -> dialer(a -> false).dial(route, UpstreamPoolTest.flow()));

        assertEquals(FlowError.Kind.DNS, e.kind());
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
        assertEquals(new FlowError(FlowError.Kind.DNS, e.getMessage()), e.toFlowError());
    }

    @Test
    void failsWithConnectAndA502WhenTheOriginRefuses() throws Exception {
        int port = closedPort();
        Route route = new Route("http", "127.0.0.1", port, Optional.empty());

        UpstreamException e = assertThrows(UpstreamException.class, () -> dialer(a -> false).dial(route, UpstreamPoolTest.flow()));

        assertEquals(FlowError.Kind.CONNECT, e.kind());
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void namesTheUpstreamProxyWhenItRefuses() throws Exception {
        int port = closedPort();
        Route route = new Route("http", "example.com", 80, Optional.of(new UpstreamProxy(new HostPort("127.0.0.1", port))));

        UpstreamException e = assertThrows(UpstreamException.class, () -> dialer(a -> false).dial(route, UpstreamPoolTest.flow()));

        assertEquals(FlowError.Kind.CONNECT, e.kind());
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains("upstream proxy 127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void refusesToDialItselfWithLoopAnd508() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("never reached")) {
            AtomicReference<InetSocketAddress> asked = new AtomicReference<>();
            Dialer dialer = dialer(address -> {
                asked.set(address);
                return true;
            });

            UpstreamException e = assertThrows(UpstreamException.class,
                    () -> dialer.dial(UpstreamPoolTest.routeTo(origin), UpstreamPoolTest.flow()));

            assertEquals(FlowError.Kind.LOOP, e.kind());
            assertEquals(508, e.status());
            assertTrue(e.getMessage().contains("127.0.0.1:" + origin.port()), e.getMessage());
            assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), origin.port()), asked.get());
            assertEquals(0, origin.connectionCount(), "no connection was made");
        }
    }

    @Test
    void refusesToTunnelToItself() {
        Route route = new Route("tcp", "127.0.0.1", 9, Optional.empty());

        UpstreamException e = assertThrows(UpstreamException.class, () -> dialer(a -> true).dialTunnel(route, UpstreamPoolTest.flow()));

        assertEquals(FlowError.Kind.LOOP, e.kind());
        assertEquals(508, e.status());
        assertTrue(e.getMessage().contains("127.0.0.1:9"), e.getMessage());
    }

    /** A port nothing listens on: bound, then closed again. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Dialer dialer(Predicate<InetSocketAddress> isSelf) {
        try {
            return new Dialer(Timeouts.DEFAULTS, Limits.DEFAULTS, isSelf, SSLContext.getDefault().getSocketFactory(),
                    new BufferPool(16 * 1024, 4));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
