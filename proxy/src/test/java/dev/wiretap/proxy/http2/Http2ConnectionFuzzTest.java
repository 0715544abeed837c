package dev.wiretap.proxy.http2;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.Http2Settings;
import dev.wiretap.proxy.flow.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: a client's HTTP/2 connection as wiretap serves it ({@link Http2Connection#server}): the frame reader, the
 * frames' padding, priority and flags, SETTINGS, PING, WINDOW_UPDATE, RST_STREAM, GOAWAY, header blocks over
 * CONTINUATION decoded by HPACK ({@link FieldBlockDecoder}), DATA into streams and the defences' budgets. The input
 * follows the client preface on a loopback connection, then the client half-closes; each stream that opens is answered
 * (its body read, a 200 sent). The connection must end, answering a protocol error with GOAWAY, within a few seconds
 * and without any exception but the connection's end ({@link IOException}), and every stream's thread must finish.
 * Small limits (frames of 16 KiB, 8 KiB header lists, a 64 KiB window) so they are reached. Seeds: what a client sends
 * (SETTINGS, WINDOW_UPDATE, GET and POST with CONTINUATION, padding and priority, PING, RST_STREAM, GOAWAY).
 */
class Http2ConnectionFuzzTest {

    private static final Http2Settings LIMITS = Http2Settings.DEFAULTS.withMaxHeaderListBytes(8 * 1024)
            .withStreamWindowBytes(64 * 1024).withConnectionWindowBytes(64 * 1024);
    private static final long DEADLINE_MILLIS = 8_000;
    private static final ServerSocket LISTENER = listener();

    private static ServerSocket listener() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void close() throws IOException {
        LISTENER.close();
    }

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void endsEveryConnectionWhateverTheClientSends(byte[] input) throws Exception {
        try (Socket client = new Socket(LISTENER.getInetAddress(), LISTENER.getLocalPort());
             Socket server = LISTENER.accept()) {
            List<Thread> streams = new CopyOnWriteArrayList<>();
            Http2Connection connection = Http2Connection.server(server, LIMITS, (stream, head) ->
                    streams.add(Thread.ofVirtual().name("fuzz-h2-stream").start(() -> answer(stream))), "fuzz");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().name("fuzz-h2-reader").start(() -> {
                try {
                    connection.serve((int) DEADLINE_MILLIS);
                } catch (IOException ended) {
                    // the connection ended: a documented outcome
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            client.setSoTimeout((int) DEADLINE_MILLIS);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.getOutputStream().write(Frame.CLIENT_PREFACE);
                    client.getOutputStream().write(input);
                    client.shutdownOutput();
                } catch (IOException e) {
                    // wiretap closed the connection before taking it all: an outcome too
                }
            });
            drain(client.getInputStream());
            writer.join(DEADLINE_MILLIS);
            if (!reader.join(java.time.Duration.ofMillis(DEADLINE_MILLIS))) {
                throw new AssertionError("the connection did not end within " + DEADLINE_MILLIS + " ms: " + connection);
            }
            if (failure.get() != null) {
                throw new AssertionError("serving the connection threw", failure.get());
            }
            for (Thread stream : streams) {
                if (!stream.join(java.time.Duration.ofMillis(DEADLINE_MILLIS))) {
                    throw new AssertionError("a stream's thread did not end after its connection: " + connection);
                }
            }
        }
    }

    /** What wiretap's stream threads do at the least: read the request body, answer. */
    private static void answer(Http2Stream stream) {
        try (InputStream body = stream.body()) {
            body.transferTo(java.io.OutputStream.nullOutputStream());
            stream.sendHeaders(Headers.of(":status", "200"), true);
        } catch (IOException e) {
            // the stream was reset or its connection ended
        } finally {
            stream.finish();
        }
    }

    private static void drain(InputStream in) throws IOException {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("wiretap kept the connection open " + DEADLINE_MILLIS + " ms after the client's half-close", e);
        } catch (java.net.SocketException reset) {
            // closed with the client's bytes unread: the connection ended
        }
    }
}
