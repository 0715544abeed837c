package dev.wiretap.proxy.server;

import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.DirectBufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.io.SpliceTap;
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
 * <p>A {@link SpliceTap}, when given, sees every chunk before it goes on and writes it itself (a WebSocket's frames
 * read as they pass), and may end the splice.
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
    private SpliceTap tap;

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
        return run(a, aIn, b, bIn, null);
    }

    /**
     * As {@link #run(Socket, HttpInput, Socket, HttpInput)}, with every chunk going through {@code tap} (side A is
     * {@code a}), or untouched when it is null.
     */
    Result run(Socket a, HttpInput aIn, Socket b, HttpInput bIn, SpliceTap tap) {
        this.tap = tap;
        if (tap != null) {
            tap.start(outlet(a), outlet(b));
        }
        watchA = watchdog.watch(a);
        watchB = watchdog.watch(b);
        try {
            touch();
            AtomicLong bToA = new AtomicLong();
            Thread other = Thread.ofVirtual().name("wiretap-splice").start(() -> pump(false, b, bIn, a, bToA));
            AtomicLong aToB = new AtomicLong();
            pump(true, a, aIn, b, aToB);
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

    private void pump(boolean fromA, Socket from, HttpInput buffered, Socket to, AtomicLong moved) {
        try {
            OutputStream out = to.getOutputStream();
            if (buffered != null && buffered.buffered() > 0) {
                byte[] leftover = new byte[buffered.buffered()];
                int n = buffered.read(leftover, 0, leftover.length);
                if (tap == null) {
                    out.write(leftover, 0, n);
                } else if (!tap.pass(fromA, ByteBuffer.wrap(leftover, 0, n))) {
                    closeBoth(from, to);
                    return;
                }
                moved.addAndGet(n);
                touch();
            }
            SocketChannel fromChannel = plainChannel(from);
            SocketChannel toChannel = plainChannel(to);
            ByteBuffer direct = fromChannel != null && toChannel != null ? directBuffers.acquire() : null;
            boolean ended;
            if (direct != null) {
                try {
                    ended = pumpChannels(fromA, fromChannel, toChannel, direct, moved);
                } finally {
                    directBuffers.release(direct);
                }
            } else {
                ended = pumpStreams(fromA, from.getInputStream(), out, moved);
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

    /** Returns true when the source ended its stream (rather than being cut off, or ended by the tap). */
    private boolean pumpChannels(boolean fromA, SocketChannel from, SocketChannel to, ByteBuffer buf, AtomicLong moved)
            throws IOException {
        while (true) {
            buf.clear();
            int n = from.read(buf);
            if (n < 0) {
                return !timedOut();
            }
            buf.flip();
            if (tap != null) {
                if (!tap.pass(fromA, buf)) {
                    return false;
                }
            } else {
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
            }
            moved.addAndGet(n);
            touch();
        }
    }

    private boolean pumpStreams(boolean fromA, InputStream in, OutputStream out, AtomicLong moved) throws IOException {
        byte[] buf = heapBuffers.acquire();
        ByteBuffer wrapped = ByteBuffer.wrap(buf);
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (tap != null) {
                    if (!tap.pass(fromA, wrapped.limit(n).position(0))) {
                        return false;
                    }
                } else {
                    out.write(buf, 0, n);
                }
                moved.addAndGet(n);
                touch();
            }
            return !timedOut();
        } finally {
            heapBuffers.release(buf);
        }
    }

    /** Where a tap writes towards {@code socket}: its channel when plain, else its stream. */
    private static SpliceTap.Outlet outlet(Socket socket) {
        SocketChannel channel = plainChannel(socket);
        return new SpliceTap.Outlet() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                if (channel != null) {
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                } else if (bytes.hasArray()) {
                    socket.getOutputStream().write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                    bytes.position(bytes.limit());
                } else {
                    byte[] copy = new byte[bytes.remaining()];
                    bytes.get(copy);
                    socket.getOutputStream().write(copy);
                }
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                if (channel != null) {
                    write(ByteBuffer.wrap(bytes, offset, length));
                } else {
                    socket.getOutputStream().write(bytes, offset, length);
                }
            }
        };
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
