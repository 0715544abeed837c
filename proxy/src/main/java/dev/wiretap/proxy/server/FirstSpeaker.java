package dev.wiretap.proxy.server;

import dev.wiretap.proxy.http1.HttpInput;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLSocket;

/**
 * Tells who speaks first on a tunnel just opened for interception. Most protocols start with the client (TLS, HTTP),
 * but some start with the server's greeting (SMTP, SSH, FTP, MySQL): waiting for the client alone would stall those.
 * The server's greeting comes as soon as it accepted the connection, so it is looked for only for a short window,
 * while the client's input is checked between short waits on the server: a client that speaks first is noticed
 * within a few milliseconds, and nothing is read from it.
 */
final class FirstSpeaker {

    /** The client has bytes waiting (or the window passed in silence): read the client as usual. */
    static final int CLIENT = -2;
    /** How long a server greeting is waited for. */
    private static final long WINDOW_NANOS = 1_000_000_000L;
    private static final int FIRST_WAIT_MILLIS = 1;
    private static final int LONGEST_WAIT_MILLIS = 25;

    private FirstSpeaker() {
    }

    /**
     * Returns {@link #CLIENT}, or the server's first byte (0-255, consumed: the caller passes it on), or -1 if the
     * server closed the connection at once.
     */
    static int await(Socket client, HttpInput clientIn, Socket server) throws IOException {
        if (clientIn.buffered() > 0 || client instanceof SSLSocket) {
            return CLIENT; // an SSL socket cannot tell what is waiting before it decrypts it
        }
        InputStream clientBytes = client.getInputStream();
        InputStream serverBytes = server.getInputStream();
        int before = server.getSoTimeout();
        long end = System.nanoTime() + WINDOW_NANOS;
        int wait = FIRST_WAIT_MILLIS;
        try {
            while (clientBytes.available() == 0 && System.nanoTime() - end < 0) {
                server.setSoTimeout(wait);
                try {
                    return serverBytes.read();
                } catch (SocketTimeoutException quiet) {
                    wait = Math.min(wait * 2, LONGEST_WAIT_MILLIS);
                }
            }
            return CLIENT;
        } finally {
            server.setSoTimeout(before);
        }
    }
}
