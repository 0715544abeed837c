package dev.wiretap.proxy.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: a tunnel's first bytes, end to end. A real wiretap with interception on opens a CONNECT tunnel to a
 * real origin (which echoes what it gets) on 127.0.0.1; the input goes into the tunnel, then the client half-closes.
 * What decides TLS, HTTP or anything else ({@link ConnectTunnel}, {@link FirstSpeaker}, the tls package's
 * {@code ClientHello} and the JDK's TLS handshake with the client, or the HTTP/1 session inside) must end the tunnel
 * and every flow it made, soon and cleanly: the connection closes, and no flow ends as {@link FlowError.Kind#INTERNAL}
 * (wiretap's own fault). Slower than the other targets (real sockets: about a thousand inputs a second). Seeds: a TLS
 * 1.3 ClientHello, HTTP requests, an SSH greeting, binary and a lower-case line protocol.
 */
class TunnelFirstBytesFuzzTest {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static TestOrigin echo;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("wiretap-tunnel-fuzz");
        Path ca = TestCa.ec("tunnel fuzz CA").writeCertificate(dir.resolve("ca.pem"));
        echo = TestOrigin.start(conn -> conn.in().transferTo(conn.out()));
        proxy = ProxyUnderTest.start(Interception.on(ca));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        echo.close();
    }

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void endsEveryTunnelWhateverItsFirstBytes(byte[] input) throws Exception {
        proxy.drainEvents();
        try (Socket client = new Socket(proxy.address().getAddress(), proxy.port())) {
            client.setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(DEADLINE_NANOS));
            client.getOutputStream().write(("CONNECT " + echo.authority() + " HTTP/1.1\r\nHost: " + echo.authority()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            readHead(in);
            client.getOutputStream().write(input);
            client.shutdownOutput();
            try {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the tunnel did not end within 8 s after the client's bytes and half-close", e);
            } catch (java.net.SocketException reset) {
                // a reset ends the tunnel too (wiretap closing with unread bytes from the client)
            }
        }
        awaitEveryFlowEnded();
    }

    private static void readHead(InputStream in) throws Exception {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("wiretap closed instead of opening the tunnel");
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    /** Every flow that began ends, none of them as wiretap's own fault. */
    private static void awaitEveryFlowEnded() throws InterruptedException {
        Set<Long> open = new HashSet<>();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        boolean sawOne = false;
        while (!sawOne || !open.isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("flows " + open + " did not end within 8 s of the tunnel closing");
            }
            for (FlowEvent e : proxy.drainEvents()) {
                switch (e) {
                    case FlowEvent.Requested r -> {
                        open.add(r.flow().id());
                        sawOne = true;
                    }
                    case FlowEvent.Completed c -> open.remove(c.flow().id());
                    case FlowEvent.Failed f -> {
                        open.remove(f.flow().id());
                        FlowError error = f.flow().error().orElseThrow();
                        if (error.kind() == FlowError.Kind.INTERNAL) {
                            throw new AssertionError("wiretap failed on its own: " + error);
                        }
                    }
                    default -> { }
                }
            }
            Thread.sleep(1);
        }
    }
}
