package dev.wiretap.proxy.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.ManualClock;
import java.io.InterruptedIOException;
import org.junit.jupiter.api.Test;

/** The pacer on a manual clock: sleeping moves the clock, so the tests check the schedule without waiting. */
class PacerTest {

    @Test
    void sendingAtTheRateTakesTheTimeTheRateAsksLessOneChunk() throws Exception {
        ManualClock clock = new ManualClock();
        Pacer pacer = new Pacer(32 * 1024, clock);
        assertEquals(2048, pacer.chunkBytes(), "about sixteen pauses a second");

        long start = clock.nanoTime();
        for (int sent = 0; sent < 64 * 1024; sent += pacer.chunkBytes()) {
            pacer.sent(pacer.chunkBytes());
        }

        long took = clock.nanoTime() - start;
        assertEquals(2_000_000_000L - 62_500_000L, took, 1_000_000L);
        assertEquals(31, clock.sleeps(), "one short pause per chunk after the first");
    }

    @Test
    void aSenderThatIdlesEarnsNoMoreThanOneChunkOfCredit() throws Exception {
        ManualClock clock = new ManualClock();
        Pacer pacer = new Pacer(10_000, clock);
        pacer.sent(625);
        clock.advance(10_000_000_000L); // ten idle seconds: a plain average would now allow 100 KB at once

        long before = clock.slept();
        pacer.sent(10_000);

        assertEquals(1_000_000_000L - 62_500_000L, clock.slept() - before, 1_000_000L);
    }

    @Test
    void slowRatesSendOneByteAtATimeAndFastOnesAtMostSixteenKib() {
        assertEquals(1, new Pacer(10).chunkBytes());
        assertEquals(16 * 1024, new Pacer(100L * 1024 * 1024).chunkBytes());
    }

    @Test
    void refusesARateOfNothing() {
        assertThrows(IllegalArgumentException.class, () -> new Pacer(0));
    }

    @Test
    void anInterruptedWaitEndsWithAnErrorAndKeepsTheFlag() {
        Pacer pacer = new Pacer(1, new Pacer.Clock() {
            @Override
            public long nanoTime() {
                return 0;
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                throw new InterruptedException();
            }
        });

        assertThrows(InterruptedIOException.class, () -> pacer.sent(100));
        assertTrue(Thread.interrupted(), "the interrupt flag was lost");
    }
}
