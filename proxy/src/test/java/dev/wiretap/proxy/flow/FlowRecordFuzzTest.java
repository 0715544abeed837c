package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: a flow's binary record ({@link FlowRecords#read}, {@link FlowRecords#readWithoutBodies}), which session
 * files carry from disk (issue 12: a 59-byte file once asked for 2 GB). Any bytes must give a flow or an
 * {@link IllegalArgumentException} saying what is wrong (reading without bodies refusing no less, bodies aside), never
 * allocating more than the bytes can back; a flow that was read must write a record that reads back to the same record. Seeds: records of a
 * finished HTTPS GET with both TLS handshakes, and of a failed POST with a body, a rule, a note and a WebSocket message.
 */
class FlowRecordFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(1 << 20, 64);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyBytesAsAFlowOrARefusal(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> {
            Flow withoutBodies;
            try {
                withoutBodies = FlowRecords.readWithoutBodies(input, 0);
            } catch (IllegalArgumentException refused) {
                withoutBodies = null; // a record damaged outside its bodies: reading it whole must refuse it too
            }
            Flow flow;
            try {
                flow = FlowRecords.read(input, 0);
            } catch (IllegalArgumentException refused) {
                return; // (reading without bodies skips them, so it may take a record whose bodies are damaged)
            }
            if (withoutBodies == null) {
                throw new AssertionError("read whole, but refused without its bodies");
            }
            assertEquals(flow.id(), withoutBodies.id());
            byte[] record = write(flow);
            assertArrayEquals(record, write(FlowRecords.read(record, 0)), "a record written from a read flow reads back");
        });
    }

    private static byte[] write(Flow flow) {
        byte[] record = new byte[FlowRecords.size(flow)];
        assertEquals(record.length, FlowRecords.write(flow, record, 0));
        return record;
    }
}
