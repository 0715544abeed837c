package dev.wiretap.proxy.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pace a request body must keep, counted in time waited for the client's bytes (the clock is the caller's). */
class BodyPaceTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aClientMayFallBehindByTheGraceAndNoMore() {
        BodyPace pace = new BodyPace(Duration.ofSeconds(10), 1000);
        assertEquals(10 * SECOND, pace.deadline(0), "the whole grace for the first wait");
        pace.waited(4 * SECOND, 1000);   // 4 s for 1 s worth of bytes: 3 s behind
        assertEquals(7 * SECOND, pace.deadline(0));
        pace.waited(7 * SECOND, 0);
        assertTrue(pace.isSpent());
        assertTrue(pace.tooSlow().getMessage().contains("fell 10 s behind 1000 bytes a second"), pace.tooSlow().getMessage());
    }

    @Test
    void keepingUpTheRateKeepsTheWholeGraceInHandButNeverMore() {
        BodyPace pace = new BodyPace(Duration.ofSeconds(10), 1000);
        for (int i = 0; i < 100; i++) {
            pace.waited(SECOND, 1000);
        }
        assertEquals(10 * SECOND, pace.deadline(0));
        pace.waited(0, 1_000_000); // a burst earns nothing past the grace: a later stall is bounded all the same
        assertEquals(10 * SECOND, pace.deadline(0));
        assertFalse(pace.isSpent());
    }

    @Test
    void withoutARateTheGraceIsAllTheWaitingABodyGets() {
        BodyPace pace = new BodyPace(Duration.ofMillis(1500), 0);
        pace.waited(SECOND, 1_000_000);
        assertEquals(SECOND / 2, pace.deadline(0));
        assertTrue(pace.tooSlow().getMessage().contains("did not arrive within 1500 ms of waiting"), pace.tooSlow().getMessage());
        pace.start();
        assertEquals(1500 * 1_000_000L, pace.deadline(0), "a new body starts with the whole grace again");
    }
}
