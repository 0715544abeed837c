package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.ReadTimer;
import static dev.wiretap.proxy.http1.Delivery.bytes;
import static dev.wiretap.proxy.http1.Delivery.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpInputTest {

    private static HttpInput input(String text, int bufferSize) {
        return new HttpInput(new ByteArrayInputStream(bytes(text)), bufferSize, ReadTimer.NONE);
    }

    @Test
    void failsReadsThatNeedTheStreamOnceTheDeadlineHasPassed() throws Exception {
        HttpInput in = input("abcdef", 4);
        assertEquals('a', in.read());
        in.setDeadline(System.nanoTime() - 1);

        assertEquals('b', in.read(), "buffered bytes are still there");
        in.skipBuffered(2);
        assertThrows(SocketTimeoutException.class, in::read);
        assertThrows(SocketTimeoutException.class, in::await);
        assertThrows(SocketTimeoutException.class, () -> in.fill(64));
        assertThrows(SocketTimeoutException.class, () -> in.read(new byte[16], 0, 16));
    }

    @Test
    void readsAgainOnceTheDeadlineIsCleared() throws Exception {
        HttpInput in = input("ab", 16);
        in.setDeadline(System.nanoTime() - 1);
        assertThrows(SocketTimeoutException.class, in::read);

        in.clearDeadline();

        assertEquals('a', in.read());
    }

    @Test
    void armsTheHeadDeadlineBeforeEachReadAndDisarmsAfter() throws Exception {
        RecordingTimer timer = new RecordingTimer();
        HttpInput in = new HttpInput(new Delivery.OneBytePerRead(bytes("ab")), 16, timer);
        long deadline = System.nanoTime() + 5_000_000_000L;
        in.setDeadline(deadline);

        in.read();
        in.read();

        assertEquals(List.of(deadline, deadline), timer.armed);
        assertEquals(2, timer.disarmed);
    }

    @Test
    void armsTheInactivityTimeoutAfreshForEachRead() throws Exception {
        RecordingTimer timer = new RecordingTimer();
        HttpInput in = new HttpInput(new Delivery.OneBytePerRead(bytes("ab")), 16, timer);
        in.setReadTimeout(2_000_000_000L);
        long before = System.nanoTime();

        in.read();
        in.read();
        long after = System.nanoTime();

        assertEquals(2, timer.armed.size());
        for (long deadline : timer.armed) {
            assertTrue(deadline >= before + 2_000_000_000L && deadline <= after + 2_000_000_000L);
        }
        assertEquals(2, timer.disarmed);
    }

    @Test
    void leavesTheReadTimerAloneWithoutATimeout() throws Exception {
        RecordingTimer timer = new RecordingTimer();
        HttpInput in = new HttpInput(new ByteArrayInputStream(bytes("ab")), 16, timer);

        in.read();

        assertTrue(timer.armed.isEmpty());
    }

    @Test
    void reportsAReadTheTimerCutOffAsATimeoutNotAnEnd() {
        RecordingTimer timer = new RecordingTimer();
        timer.expired = true; // as when the watchdog shut the input: the stream reports its end
        HttpInput in = new HttpInput(new ByteArrayInputStream(new byte[0]), 16, timer);
        in.setReadTimeout(1_000_000L);

        assertThrows(SocketTimeoutException.class, in::read);
    }

    /** A read timer that records what it was told. */
    private static final class RecordingTimer implements ReadTimer {
        final List<Long> armed = new ArrayList<>();
        int disarmed;
        boolean expired;

        @Override
        public void arm(long deadlineNanos) {
            armed.add(deadlineNanos);
        }

        @Override
        public void disarm() {
            disarmed++;
        }

        @Override
        public boolean expired() {
            return expired;
        }
    }

    @Test
    void growsTheBufferOnlyUpToTheAskedMaximum() throws Exception {
        HttpInput in = input("x".repeat(5000), 4);

        while (in.buffered() < 3000) {
            in.fill(3000);
        }

        assertEquals(3000, in.capacity());
        assertEquals(3000, in.buffered());
        assertThrows(IllegalStateException.class, () -> in.fill(3000));
    }

    @Test
    void fillWithoutAMaximumCompactsInsteadOfGrowing() throws Exception {
        HttpInput in = input("abcdefgh", 4);
        in.fill();
        in.skipBuffered(2);

        in.fill();

        assertEquals(4, in.capacity());
        assertEquals("cdef", text(java.util.Arrays.copyOfRange(in.buffer(), in.position(), in.limit())));
    }

    @Test
    void shrinksBackToItsFirstSizeKeepingUnreadBytes() throws Exception {
        HttpInput in = input("x".repeat(2000) + "tail", 16);
        while (in.buffered() < 2004) {
            in.fill(4096);
        }
        in.skipBuffered(2000);

        in.shrink();

        assertEquals(16, in.capacity());
        assertEquals(4, in.buffered());
        assertEquals('t', in.read());
    }

    @Test
    void doesNotShrinkWhileMoreThanTheFirstSizeIsUnread() throws Exception {
        HttpInput in = input("x".repeat(100), 16);
        while (in.buffered() < 100) {
            in.fill(1024);
        }

        in.shrink();

        assertEquals(1024, in.capacity());
        assertEquals(100, in.buffered());
    }

    @Test
    void readsLargeRequestsStraightIntoTheCallersArray() throws Exception {
        HttpInput in = input("0123456789abcdef0123456789", 8);
        byte[] dst = new byte[26];

        int first = in.read(dst, 0, 20);
        int second = in.read(dst, first, 26 - first);

        assertEquals(20, first, "a read at least as large as the buffer bypasses it");
        assertEquals(6, second);
        assertEquals("0123456789abcdef0123456789", text(dst));
        assertEquals(26, in.consumedCount());
        assertEquals(-1, in.read(dst, 0, 26));
    }

    @Test
    void servesBufferedBytesBeforeReadingMore() throws Exception {
        HttpInput in = input("abcdefgh", 8);
        in.fill();
        in.skipBuffered(6);
        byte[] dst = new byte[16];

        assertEquals(2, in.read(dst, 0, 16));
        assertEquals("gh", text(java.util.Arrays.copyOf(dst, 2)));
        assertEquals(0, in.read(dst, 0, 0));
    }

    @Test
    void awaitsBytesAndReportsTheEndOfTheStream() throws Exception {
        InputStream stream = new Delivery.OneBytePerRead(bytes("a"));
        HttpInput in = new HttpInput(stream, 4, ReadTimer.NONE);

        assertTrue(in.await());
        assertEquals(1, in.buffered());
        in.skipBuffered(5);
        assertFalse(in.await());
        assertEquals(1, in.consumedCount());
    }

    @Test
    void refusesToConsumeMoreThanIsBuffered() throws Exception {
        HttpInput in = input("ab", 4);
        in.fill();

        assertThrows(IllegalArgumentException.class, () -> in.consume(3));
        assertThrows(IllegalArgumentException.class, () -> in.consume(-1));
    }

    // A reader with a pool: a small idle buffer of its own, a pooled one borrowed while a bigger head is read.

    private static HttpInput pooled(String text, int idleBytes, BufferPool pool) {
        return new HttpInput(new ByteArrayInputStream(bytes(text)), null, idleBytes, pool, ReadTimer.NONE);
    }

    @Test
    void readsIntoItsIdleBufferAloneWhileWhatComesFitsIt() throws Exception {
        BufferPool pool = new BufferPool(64, 4);
        HttpInput in = pooled("GET / HTTP/1.1\r\n", 16, pool);

        in.fill();

        assertEquals(16, in.capacity());
        assertEquals("GET / HTTP/1.1\r\n", text(java.util.Arrays.copyOfRange(in.buffer(), in.position(), in.limit())));
    }

    @Test
    void borrowsAPooledBufferForMoreThanItsIdleBufferHoldsAndGivesItBackOnShrink() throws Exception {
        BufferPool pool = new BufferPool(64, 4);
        byte[] lent = pool.acquire();
        pool.release(lent);
        HttpInput in = pooled("x".repeat(40) + "tail", 16, pool);
        in.fill(1000);
        in.fill(1000); // the idle buffer is full: what was read moves into the pooled one, and more is read

        assertSame(lent, in.buffer());
        while (in.buffered() < 44) {
            in.fill(1000);
        }
        in.skipBuffered(40);
        in.shrink();

        assertEquals(16, in.capacity());
        assertEquals(4, in.buffered());
        assertEquals("tail", text(java.util.Arrays.copyOfRange(in.buffer(), in.position(), in.limit())));
        assertSame(lent, pool.acquire(), "the borrowed buffer went back to the pool");
    }

    @Test
    void keepsTheBorrowedBufferWhileMoreIsUnreadThanTheIdleBufferHolds() throws Exception {
        BufferPool pool = new BufferPool(64, 4);
        HttpInput in = pooled("x".repeat(40), 16, pool);
        while (in.buffered() < 40) {
            in.fill(1000);
        }

        in.shrink();

        assertEquals(64, in.capacity());
        assertEquals(40, in.buffered());
    }

    @Test
    void aReaderWithoutAnIdleBufferBorrowsOnItsFirstRead() throws Exception {
        BufferPool pool = new BufferPool(64, 4);
        HttpInput in = pooled("HTTP/1.1 200 OK\r\n", 0, pool);
        assertEquals(0, in.capacity());

        assertTrue(in.await());

        assertEquals(64, in.capacity());
        in.skipBuffered(in.buffered());
        in.shrink();
        assertEquals(0, in.capacity());
    }

    @Test
    void aHeadBiggerThanTheBorrowedBufferGrowsPastItAndGivesItBack() throws Exception {
        BufferPool pool = new BufferPool(32, 4);
        byte[] lent = pool.acquire();
        pool.release(lent);
        HttpInput in = pooled("y".repeat(100), 8, pool);

        while (in.buffered() < 100) {
            in.fill(100);
        }

        assertEquals(100, in.capacity());
        assertSame(lent, pool.acquire(), "the borrowed buffer went back when the head outgrew it");
    }

    @Test
    void parsesAHeadThatSpillsOutOfTheIdleBufferWhole() throws Exception {
        String head = "GET http://example.com/" + "p".repeat(300) + " HTTP/1.1\r\nHost: example.com\r\n"
                + "Cookie: " + "c".repeat(900) + "\r\n\r\n";
        HttpInput in = new HttpInput(new Delivery.OneBytePerRead(bytes(head + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")), null,
                64, new BufferPool(4096, 4), ReadTimer.NONE);
        RequestParser parser = new RequestParser(dev.wiretap.config.Limits.DEFAULTS);

        dev.wiretap.proxy.flow.Request first = parser.read(in).orElseThrow();
        in.shrink();
        dev.wiretap.proxy.flow.Request second = parser.read(in).orElseThrow();

        assertEquals("http://example.com/" + "p".repeat(300), first.target());
        assertEquals("c".repeat(900), first.headers().first("Cookie").orElseThrow());
        assertEquals("/", second.target());
    }
}
