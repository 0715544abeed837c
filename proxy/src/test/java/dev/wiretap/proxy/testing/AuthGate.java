package dev.wiretap.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * An upstream proxy that demands Basic credentials, for tests: in front of a real proxy (a second wiretap), it reads
 * every request head a client sends it, absolute-form or CONNECT, and answers 407 with {@code Proxy-Authenticate:
 * Basic realm="corp"} (closing the connection) unless its {@code Proxy-Authorization} holds the right user and
 * password; a request that passes goes on to the proxy behind without that field, and everything the proxy behind
 * answers comes back untouched. After a CONNECT the connection is piped both ways. Optionally over TLS (an {@code
 * https://} proxy). Each head it read is recorded ({@link #takeHead()}). Close it to stop.
 */
public final class AuthGate implements AutoCloseable {

    private final TestOrigin front;
    private final AtomicInteger refusals = new AtomicInteger();

    private AuthGate(SSLContext tls, String expected, InetSocketAddress behind) throws IOException {
        TestOrigin.Handler handler = conn -> serve(conn, expected, behind);
        this.front = tls != null ? TestOrigin.startTls(tls, handler) : TestOrigin.start(handler);
    }

    /** A gate on plain TCP for {@code user:password}, in front of the proxy at {@code behind}. */
    public static AuthGate start(String user, String password, InetSocketAddress behind) throws IOException {
        return start(null, user, password, behind);
    }

    /** As {@link #start(String, String, InetSocketAddress)}, over TLS with {@code tls}'s certificate; null: plain TCP. */
    public static AuthGate start(SSLContext tls, String user, String password, InetSocketAddress behind) throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new AuthGate(tls, expected, behind);
    }

    public int port() {
        return front.port();
    }

    /** The next request head the gate read, as it arrived (with the client's Proxy-Authorization), waiting up to 5 s. */
    public String takeHead() throws InterruptedException {
        return front.takeHead();
    }

    /** How many requests it answered with 407. */
    public int refusals() {
        return refusals.get();
    }

    private void serve(TestOrigin.Conn conn, String expected, InetSocketAddress behind) throws IOException {
        Socket back = null;
        try {
            String head;
            while ((head = conn.readHead()) != null) {
                if (!expected.equals(Heads.value(head, "Proxy-Authorization"))) {
                    refusals.incrementAndGet();
                    conn.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n"
                            + "Content-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                if (back == null) {
                    back = new Socket(behind.getAddress(), behind.getPort());
                    pipe(back.getInputStream(), conn.out());
                }
                OutputStream toBack = back.getOutputStream();
                toBack.write(withoutProxyAuthorization(head).getBytes(StandardCharsets.ISO_8859_1));
                if (Heads.startLine(head).startsWith("CONNECT ")) {
                    conn.in().transferTo(toBack); // the tunnel: the rest of the connection is the client's bytes
                    return;
                }
                toBack.write(conn.readBody(head));
                toBack.flush();
            }
        } finally {
            if (back != null) {
                back.close();
            }
        }
    }

    /** Copies what the proxy behind answers to the client, on a thread of its own, until either side ends. */
    private static void pipe(InputStream from, OutputStream to) {
        Thread.ofVirtual().name("auth-gate-back").start(() -> {
            try {
                from.transferTo(to);
            } catch (IOException e) {
                // One side closed: the connection is over, nothing to report.
            }
        });
    }

    private static String withoutProxyAuthorization(String head) {
        StringBuilder sb = new StringBuilder();
        for (String line : head.split("\r\n", -1)) {
            if (!line.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)) {
                sb.append(line).append("\r\n");
            }
        }
        return sb.substring(0, sb.length() - 2); // split kept the head's two final empty strings; one CRLF too many
    }

    @Override
    public void close() throws IOException {
        front.close();
    }
}
