package dev.wiretap.cli;

/**
 * How the {@code wiretap} command sets up virtual-thread scheduling, unless the user set these properties
 * themselves ({@code -Djdk.virtualThreadScheduler.parallelism=...}, {@code -Djdk.pollerMode=...}):
 * <ul>
 *   <li>one carrier thread per two cores (at least one): a debugging proxy shares its machine with the browser,
 *       app and servers it watches, and measured on two cores, a proxy that takes both of them makes everyone's
 *       latency worse (p99 two to five times higher) for little more throughput;</li>
 *   <li>I/O readiness polled by a platform thread ({@code jdk.pollerMode=1}) rather than by virtual threads that
 *       would wait for a turn on those few carriers.</li>
 * </ul>
 * Must run before the first virtual thread is made: the JDK reads both properties once.
 */
final class SchedulerDefaults {

    static final String PARALLELISM = "jdk.virtualThreadScheduler.parallelism";
    static final String POLLER_MODE = "jdk.pollerMode";

    private SchedulerDefaults() {
    }

    static void apply() {
        if (System.getProperty(PARALLELISM) == null) {
            System.setProperty(PARALLELISM, Integer.toString(carriers(Runtime.getRuntime().availableProcessors())));
        }
        if (System.getProperty(POLLER_MODE) == null) {
            System.setProperty(POLLER_MODE, "1");
        }
    }

    static int carriers(int cores) {
        return Math.max(1, cores / 2);
    }
}
