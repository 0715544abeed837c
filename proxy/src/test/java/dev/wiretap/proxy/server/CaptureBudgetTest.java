package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The memory that bodies of flows in flight capture is one budget for all of them ({@code capture.in_flight_budget}):
 * a flow that finds it spent captures no more of its body and says so, its bytes still go through whole, and the
 * room comes back when flows end.
 */
class CaptureBudgetTest {

    private static final int BUDGET = 64 * 1024;

    @Test
    void aFlowThatFindsTheBudgetSpentRelaysWholeCapturesNothingMoreAndSaysSo() throws Exception {
        byte[] big = new byte[200 * 1024];
        Arrays.fill(big, (byte) 'b');
        try (TestOrigin origin = TestOrigin.start(CaptureBudgetTest::echo);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withInFlightBudgetBytes(BUDGET)));
             RawClient holder = proxy.rawClient();
             RawClient small = proxy.rawClient();
             RawClient later = proxy.rawClient()) {
            // The first upload sends half its body and waits: its capture holds the whole budget meanwhile.
            holder.send(post(origin, "/big", big.length)).send(Arrays.copyOf(big, big.length / 2));
            awaitBudgetUsed(proxy, BUDGET);

            small.send(post(origin, "/small", 5) + "hello");
            RawClient.Response answered = small.readResponse();
            assertEquals("hello", answered.bodyText(), "relayed whole");
            Flow squeezed = proxy.nextFinishedFlow();
            assertEquals("/small", squeezed.request().destination().orElseThrow().pathAndQuery());
            assertEquals(5, squeezed.request().body().size());
            assertEquals(0, squeezed.request().body().capturedLength(), "the budget was spent: nothing captured");
            assertTrue(squeezed.notes().stream().anyMatch(n -> n.startsWith("the request body was captured only in part:"
                    + " the memory for capturing bodies of flows in flight (capture.in_flight_budget, 64 KiB) was in use")),
                    squeezed.notes().toString());

            holder.send(Arrays.copyOfRange(big, big.length / 2, big.length));
            assertArrayEquals(big, holder.readResponse().body(), "relayed whole");
            Flow holding = proxy.nextFinishedFlow();
            assertEquals(big.length, holding.request().body().size());
            assertEquals(BUDGET, holding.request().body().capturedLength(), "captured as far as the budget went");
            assertEquals(0, proxy.wiretap().stats().captureInFlight(), "every flow ended: the room is back");

            later.send(post(origin, "/later", 5) + "again");
            assertEquals("again", later.readResponse().bodyText());
            Flow after = proxy.nextFinishedFlow();
            assertEquals("again", after.request().body().text(java.nio.charset.StandardCharsets.US_ASCII));
            assertTrue(after.notes().isEmpty(), after.notes().toString());
            assertEquals(BUDGET, proxy.wiretap().stats().captureBudget());
        }
    }

    private static String post(TestOrigin origin, String path, int length) {
        return "POST " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nContent-Length: " + length
                + "\r\n\r\n";
    }

    /** Sends every request's body back. */
    private static void echo(TestOrigin.Conn conn) throws Exception {
        String head;
        while ((head = conn.readHead()) != null) {
            byte[] body = conn.readBody(head);
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
            conn.out().write(body);
            conn.out().flush();
        }
    }

    private static void awaitBudgetUsed(ProxyUnderTest proxy, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (proxy.wiretap().stats().captureInFlight() < bytes) {
            assertTrue(System.nanoTime() < deadline, "captures hold " + proxy.wiretap().stats().captureInFlight());
            Thread.sleep(10); // polling a counter: a wait, not an assertion about time
        }
    }
}
