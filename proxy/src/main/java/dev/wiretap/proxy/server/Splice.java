package dev.wiretap.proxy.server;

import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.http1.HttpInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Relays bytes both ways between two connections until both directions have ended: a CONNECT tunnel, or an
 * upgraded (101) connection. The calling thread carries one direction and a new virtual thread the other.
 * Bytes already read into an {@link HttpInput} go first. When one side ends its stream the other side's output
 * is shut down (half-close) and the other direction carries on; an error on either side closes both. The splice
 * ends when neither direction has moved a byte for the idle timeout.
 */
final class Splice {

    private static final System.Logger LOG = System.getLogger(Splice.class.getName());

    /** Bytes moved each way. */
    record Result(long aToB, long bToA) {
    }

    private final BufferPool buffers;
    private final long idleNanos;
    private final int pollMillis;
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());

    Splice(BufferPool buffers, Duration idle) {
        this.buffers = buffers;
        this.idleNanos = idle.toNanos();
        this.pollMillis = (int) Math.max(100, Math.min(idle.toMillis() / 4, 30_000));
    }

    /**
     * @param aIn what was already read from {@code a} (sent on to {@code b} first), or null
     * @param bIn what was already read from {@code b}, or null
     */
    Result run(Socket a, HttpInput aIn, Socket b, HttpInput bIn) {
        AtomicLong bToA = new AtomicLong();
        Thread other = Thread.ofVirtual().name("wiretap-splice").start(() -> pump(b, bIn, a, bToA));
        AtomicLong aToB = new AtomicLong();
        pump(a, aIn, b, aToB);
        try {
            other.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeBoth(a, b);
        }
        return new Result(aToB.get(), bToA.get());
    }

    private void pump(Socket from, HttpInput buffered, Socket to, AtomicLong moved) {
        byte[] buf = buffers.acquire();
        try {
            OutputStream out = to.getOutputStream();
            if (buffered != null) {
                while (buffered.buffered() > 0) {
                    int n = buffered.read(buf, 0, Math.min(buf.length, buffered.buffered()));
                    out.write(buf, 0, n);
                    moved.addAndGet(n);
                }
            }
            InputStream in = from.getInputStream();
            from.setSoTimeout(pollMillis);
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException quiet) {
                    if (System.nanoTime() - lastActivity.get() >= idleNanos) {
                        closeBoth(from, to);
                        return;
                    }
                    continue;
                }
                if (n < 0) {
                    halfClose(to, from);
                    return;
                }
                out.write(buf, 0, n);
                moved.addAndGet(n);
                lastActivity.set(System.nanoTime());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "splice ended: " + e);
            closeBoth(from, to);
        } finally {
            buffers.release(buf);
        }
    }

    /** Passes on the end of one direction; a TLS socket cannot half-close, so then both close. */
    private static void halfClose(Socket to, Socket from) {
        try {
            to.shutdownOutput();
        } catch (IOException | UnsupportedOperationException e) {
            closeBoth(from, to);
        }
    }

    private static void closeBoth(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Tearing a broken tunnel down: nothing can be done about a failing close.
            }
        }
    }
}
