package dev.wiretap.proxy.io;

import java.io.IOException;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Enforces read timeouts without a timer per read. A connection's reader arms a deadline before each read that may
 * block and disarms it after; one thread looks at every armed deadline every {@value #TICK_MILLIS} ms and shuts
 * down the input of a connection whose deadline has passed. Its blocked read then ends, and the reader, seeing
 * {@link Watch#expired()}, reports a timeout.
 *
 * <p>Why not the socket's own read timeout: on a virtual thread every read with a timeout is a timed park, which
 * schedules and cancels a timer on each read, twice per proxied exchange; here an exchange costs two volatile
 * writes. Timeouts fire up to one tick late, which is nothing next to timeouts of seconds.
 *
 * <p>Deadlines kept elsewhere (the waits of an HTTP/2 connection's streams) are checked by a watch that is told the
 * time on every tick ({@link #watchEach}).
 *
 * <p>Thread-safe. Deadlines are {@link System#nanoTime()} values.
 */
public final class ReadWatchdog implements AutoCloseable {

    static final int TICK_MILLIS = 50;
    private static final long DISARMED = Long.MIN_VALUE;

    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final Thread ticker;
    private volatile boolean closed;

    public ReadWatchdog() {
        ticker = Thread.ofPlatform().name("wiretap-read-deadlines").daemon(true).start(this::tickLoop);
    }

    /** Starts watching reads on {@code socket}; {@link Watch#close()} stops it. */
    public Watch watch(Socket socket) {
        Watch w = new Watch(socket, null);
        watches.add(w);
        return w;
    }

    /**
     * Calls {@code check} with the time ({@link System#nanoTime()}) on every tick, on the watchdog's thread, until the
     * watch is closed: for an owner that keeps deadlines of its own and acts on those that passed.
     */
    public Watch watchEach(LongConsumer check) {
        Watch w = new Watch(null, check);
        watches.add(w);
        return w;
    }

    /** Connections watched now. */
    public int size() {
        return watches.size();
    }

    private void tickLoop() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Watch w : watches) {
                w.check(now);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        ticker.interrupt();
    }

    /** The read deadline of one connection. Armed and disarmed by its reader's thread; checked by the watchdog. */
    public final class Watch implements ReadTimer, AutoCloseable {

        private final Socket socket;
        /** For a watch of {@link #watchEach}: told the time on every tick (and the socket is null). */
        private final LongConsumer each;
        private volatile long deadline = DISARMED;
        private volatile boolean expired;

        private Watch(Socket socket, LongConsumer each) {
            this.socket = socket;
            this.each = each;
        }

        /** The next read must end by {@code deadlineNanos}. */
        @Override
        public void arm(long deadlineNanos) {
            deadline = deadlineNanos;
        }

        @Override
        public void disarm() {
            deadline = DISARMED;
        }

        /** True once a deadline passed: the connection's input is shut and the read that was waiting timed out. */
        @Override
        public boolean expired() {
            return expired;
        }

        void check(long now) {
            if (each != null) {
                each.accept(now);
                return;
            }
            long d = deadline;
            if (d == DISARMED || expired || now - d < 0) {
                return;
            }
            expired = true;
            try {
                socket.shutdownInput(); // the blocked read returns end-of-stream
            } catch (IOException | UnsupportedOperationException e) {
                try {
                    socket.close(); // no half-close possible (already closed, or TLS): end it whole
                } catch (IOException ignored) {
                    // Closing to unblock a reader that is out of time; if this fails too, the socket is gone anyway.
                }
            }
        }

        /** Stops watching (the connection is done). */
        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
