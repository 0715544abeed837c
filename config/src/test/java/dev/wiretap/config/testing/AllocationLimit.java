package dev.wiretap.config.testing;

import java.lang.management.ManagementFactory;

/**
 * For fuzz targets: runs one input through a parser on the calling thread and fails if the parser allocated more heap
 * than a fixed allowance plus a few bytes per input byte. So a parser whose memory grows with what the input claims
 * rather than with what it holds (a length field that asks for 2 GB, a count that makes a list of millions) is a
 * finding even when the heap happens to be large enough, not only when it runs out. Allocation is counted by the JVM
 * per thread (HotSpot's {@code com.sun.management.ThreadMXBean}), so it sees garbage too, not only what is kept.
 * Stateless; measures the calling thread.
 */
public final class AllocationLimit {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long fixedBytes;
    private final long bytesPerInputByte;

    /**
     * @param fixedBytes        what one input may cost whatever its length (buffers, tables, the parser's state)
     * @param bytesPerInputByte what each byte of the input may cost on top (copies, strings, a decoded body)
     */
    public AllocationLimit(long fixedBytes, long bytesPerInputByte) {
        this.fixedBytes = fixedBytes;
        this.bytesPerInputByte = bytesPerInputByte;
    }

    /** A step of a fuzz target: parse one input, throwing only what the parser documents. */
    public interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step} for an input of {@code inputLength} bytes.
     *
     * @throws AssertionError if it allocated more than this limit allows for that length
     */
    public void check(int inputLength, Step step) throws Exception {
        long allowed = fixedBytes + bytesPerInputByte * inputLength;
        if (allocatedBy(step) > allowed) {
            // The first run down a new path also loads and initialises classes, which allocates: the second is the
            // parser's own cost. (So a step must be repeatable: the same input, the same work.)
            long again = allocatedBy(step);
            if (again > allowed) {
                throw new AssertionError("allocated " + again + " bytes for a " + inputLength + "-byte input (at most "
                        + allowed + " allowed)");
            }
        }
    }

    private static long allocatedBy(Step step) throws Exception {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        step.run(); // anything it throws is the finding, before its allocation is
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
