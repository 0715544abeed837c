package dev.wiretap.proxy.server;

import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.DirectBufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;

/**
 * Relays bytes both ways between two connections until both directions have ended: a CONNECT tunnel, or an
 * upgraded (101) connection. The calling thread carries one direction and a new virtual thread the other.
 * Bytes already read into an {@link HttpInput} go first. Between two plain socket channels the bytes move through
 * a direct buffer (kernel to kernel, nothing copied in between); otherwise through the sockets' streams.
 *
 * <p>When one side ends its stream the other side's output is shut down (half-close) and the other direction
 * carries on; an error on either side closes both. Both sockets are watched by the {@link ReadWatchdog} with one
 * shared deadline that every byte moved pushes forward, so the splice ends once neither direction has moved a byte
 * for the idle timeout.
 */
final class Splice {

    private static final System.Logger LOG = System.getLogger(Splice.class.getName());

    /** Bytes moved each way. */
    record Result(long aToB, long bToA) {
    }

    private final BufferPool heapBuffers;
    private final DirectBufferPool directBuffers;
    private final ReadWatchdog watchdog;
    private final long idleNanos;
    private ReadWatchdog.Watch watchA;
    private ReadWatchdog.Watch watchB;

    Splice(BufferPool heapBuffers, DirectBufferPool directBuffers, ReadWatchdog watchdog, Duration idle) {
        this.heapBuffers = heapBuffers;
        this.directBuffers = directBuffers;
        this.watchdog = watchdog;
        this.idleNanos = idle.toNanos();
    }

    /**
     * @param aIn what was already read from {@code a} (sent on to {@code b} first), or null
     * @param bIn what was already read from {@code b}, or null
     */
    Result run(Socket a, HttpInput aIn, Socket b, HttpInput bIn) {
        watchA = watchdog.watch(a);
        watchB = watchdog.watch(b);
        try {
            touch();
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
        } finally {
            watchA.close();
            watchB.close();
        }
    }

    /** Bytes moved: the tunnel is not idle; both directions get a fresh deadline. */
    private void touch() {
        long deadline = System.nanoTime() + idleNanos;
        watchA.arm(deadline);
        watchB.arm(deadline);
    }

    private boolean timedOut() {
        return watchA.expired() || watchB.expired();
    }

    private void pump(Socket from, HttpInput buffered, Socket to, AtomicLong moved) {
        try {
            OutputStream out = to.getOutputStream();
            if (buffered != null && buffered.buffered() > 0) {
                byte[] leftover = new byte[buffered.buffered()];
                int n = buffered.read(leftover, 0, leftover.length);
                out.write(leftover, 0, n);
                moved.addAndGet(n);
                touch();
            }
            SocketChannel fromChannel = plainChannel(from);
            SocketChannel toChannel = plainChannel(to);
            ByteBuffer direct = fromChannel != null && toChannel != null ? directBuffers.acquire() : null;
            boolean ended;
            if (direct != null) {
                try {
                    ended = pumpChannels(fromChannel, toChannel, direct, moved);
                } finally {
                    directBuffers.release(direct);
                }
            } else {
                ended = pumpStreams(from.getInputStream(), out, moved);
            }
            if (!ended || timedOut()) {
                closeBoth(from, to); // idle for too long, or cut off: the whole splice ends
            } else {
                halfClose(to, from);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "splice ended: " + e);
            closeBoth(from, to);
        }
    }

    /**
     * The channel that carries {@code socket}'s bytes as they are, or null. A TLS socket layered over a channel-backed
     * one reports that channel as its own, but its bytes are the encrypted records: they must go through its streams.
     */
    private static SocketChannel plainChannel(Socket socket) {
        return socket instanceof SSLSocket ? null : socket.getChannel();
    }

    /** Returns true when the source ended its stream (rather than being cut off). */
    private boolean pumpChannels(SocketChannel from, SocketChannel to, ByteBuffer buf, AtomicLong moved) throws IOException {
        while (true) {
            buf.clear();
            int n = from.read(buf);
            if (n < 0) {
                return !timedOut();
            }
            buf.flip();
            while (buf.hasRemaining()) {
                to.write(buf);
            }
            moved.addAndGet(n);
            touch();
        }
    }

    private boolean pumpStreams(InputStream in, OutputStream out, AtomicLong moved) throws IOException {
        byte[] buf = heapBuffers.acquire();
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                moved.addAndGet(n);
                touch();
            }
            return !timedOut();
        } finally {
            heapBuffers.release(buf);
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
