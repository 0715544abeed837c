package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.CaptureAccount;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.live.LiveFlow;
import java.io.IOException;
import java.io.InputStream;

/**
 * Copies a request body from a client's HTTP/2 stream towards the origin on a virtual thread of its own
 * ({@code wiretap-h2-body-N}), while the exchange's thread waits for the response: the two directions of a stream are
 * independent, and a gRPC bidirectional call needs both at once. The body is captured on the flow when it has ended.
 *
 * <p>Started and joined by the exchange's thread; the copy runs on the pump's.
 */
final class RequestPump {

    /** Where the body goes: an HTTP/1.1 connection (framed) or an origin's stream. */
    interface Sink {
        void write(byte[] b, int off, int len) throws IOException;

        /** Writes out what is buffered: a message of a streaming call goes on at once. */
        void flush() throws IOException;

        /** The body has ended, {@code total} bytes in all (trailers, if any, are the sink's business). */
        void finish(long total) throws IOException;
    }

    /** The client's body broke its own framing (more or less than its content-length): the client's fault. */
    static final class ClientFault extends IOException {
        ClientFault(String message) {
            super(message);
        }
    }

    private final Thread thread;
    private volatile IOException sourceFailure;
    private volatile IOException sinkFailure;

    /**
     * @param first bytes read already (a held body's part that did not fit), sent first; or null
     */
    RequestPump(LiveFlow flow, InputStream source, byte[] first, Sink sink, CaptureAccount captures, Runnable onSourceFailure) {
        this.thread = Thread.ofVirtual().name("wiretap-h2-body-" + flow.id()).unstarted(() -> {
            BodyCapture capture = captures.capture(Flow.Side.REQUEST, -1);
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            try {
                if (first != null) {
                    capture.add(first, 0, first.length);
                    sinkWrite(sink, first, first.length);
                    total += first.length;
                }
                while (true) {
                    int n;
                    try {
                        n = source.read(buffer);
                    } catch (IOException e) {
                        sourceFailure = e;
                        onSourceFailure.run(); // the exchange's thread may be waiting for the origin: it must wake
                        return;
                    }
                    if (n < 0) {
                        break;
                    }
                    capture.add(buffer, 0, n);
                    total += n;
                    sinkWrite(sink, buffer, n);
                    if (source.available() == 0) {
                        sink.flush();
                    }
                }
                sink.finish(total);
            } catch (ClientFault e) {
                sourceFailure = e;
                onSourceFailure.run();
            } catch (IOException e) {
                sinkFailure = e;
            } finally {
                flow.request().setBody(capture.finish());
                flow.addBytesFromClient(total);
            }
        });
    }

    private static void sinkWrite(Sink sink, byte[] b, int n) throws IOException {
        sink.write(b, 0, n);
    }

    void start() {
        thread.start();
    }

    /** Waits for the copy to end (bounded by the client's and origin's own timeouts); true if it ended whole. */
    boolean join() throws IOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the request body was sent");
        }
        return sourceFailure == null && sinkFailure == null;
    }

    boolean isDone() {
        return !thread.isAlive();
    }

    /** Why reading the client's body failed (a reset, a timeout), or null. */
    IOException sourceFailure() {
        return sourceFailure;
    }

    /** Why writing to the origin failed, or null. */
    IOException sinkFailure() {
        return sinkFailure;
    }
}
