package dev.wiretap.proxy.event;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowRecords;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What a small exchange costs the flow store, and that wiretap's memory stays bounded however many exchanges go
 * through. A benchmark, not a test (memory and time are measured, never asserted): run by {@code bin/bench-memory},
 * which starts the real {@code ./wiretap} (and mitmweb, mitmdump) as child processes and reads their RSS and heap
 * from outside; by hand with
 *
 * <pre>java -cp cli/target/wiretap.jar:proxy/target/test-classes dev.wiretap.proxy.event.FlowMemoryBenchmark MODE ...</pre>
 *
 * Modes:
 * <ul>
 *   <li>{@code origin PORT}: runs a {@link SmallExchangeOrigin} on 127.0.0.1:PORT until killed.</li>
 *   <li>{@code drive PROXY_PORT ORIGIN_PORT EXCHANGES CLIENTS FIRST_INDEX}: sends EXCHANGES small POSTs through the
 *       proxy on 127.0.0.1:PROXY_PORT over CLIENTS keep-alive connections ({@link SmallExchangeLoad}).</li>
 *   <li>{@code store BUDGET_MIB CLIENTS WARMUP EXCHANGES ROUNDS}: wiretap in this JVM with a store budget of
 *       BUDGET_MIB (the engine caps it at a quarter of the heap), its own origin; WARMUP exchanges, the store cleared,
 *       then ROUNDS times EXCHANGES, and after each round the store's own count of its bytes
 *       ({@link FlowStore#usedBytes}), the flows it kept and dropped, the encoded size of the newest flow and the live
 *       heap after a full collection.</li>
 * </ul>
 * Each mode prints a line {@code MEMJSON {...}} per result for scripts.
 */
public final class FlowMemoryBenchmark {

    private FlowMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "origin" -> origin(Integer.parseInt(args[1]));
            case "drive" -> drive(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]),
                    Integer.parseInt(args[4]), Long.parseLong(args[5]));
            case "store" -> store(Long.parseLong(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]),
                    Long.parseLong(args[4]), Integer.parseInt(args[5]));
            default -> {
                System.err.println("usage: FlowMemoryBenchmark origin PORT | drive PROXY_PORT ORIGIN_PORT EXCHANGES CLIENTS "
                        + "FIRST_INDEX | store BUDGET_MIB CLIENTS WARMUP EXCHANGES ROUNDS");
                System.exit(2);
            }
        }
    }

    private static void origin(int port) throws IOException, InterruptedException {
        try (SmallExchangeOrigin origin = SmallExchangeOrigin.start(port)) {
            System.out.println("origin listening on 127.0.0.1:" + origin.port());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static void drive(int proxyPort, int originPort, long exchanges, int clients, long firstIndex)
            throws InterruptedException {
        SmallExchangeLoad load = new SmallExchangeLoad(new InetSocketAddress("127.0.0.1", proxyPort), originPort, firstIndex);
        SmallExchangeLoad.Result r = load.run(exchanges, clients);
        System.out.printf(Locale.ROOT, "MEMJSON {\"ok\": %d, \"failed\": %d, \"seconds\": %.3f, \"per_second\": %.1f}%n",
                r.ok(), r.failed(), r.seconds(), r.perSecond());
    }

    private static void store(long budgetMib, int clients, long warmup, long exchanges, int rounds) throws Exception {
        Path home = Files.createTempDirectory("wiretap-bench-memory-");
        Settings settings = Settings.defaults().withListen(new HostPort("127.0.0.1", 0))
                .withTls(Settings.defaults().tls().withIntercept(false).withConfigDir(home))
                .withCapture(Settings.defaults().capture().withStoreBudgetBytes(budgetMib << 20));
        try (SmallExchangeOrigin origin = SmallExchangeOrigin.start(0);
             Wiretap wiretap = Wiretap.start(settings, List.of(), List.of())) {
            FlowHistory store = wiretap.history();
            SmallExchangeLoad load = new SmallExchangeLoad(wiretap.address(), origin.port(), 0);
            load.run(warmup, clients);
            wiretap.clearFlows();
            long heapBefore = liveHeap();
            System.out.printf(Locale.ROOT, "store: budget %d bytes (%d MiB asked, heap max %d MiB); live heap %d bytes "
                    + "after %d warm-up exchanges, store cleared%n", store.budgetBytes(), budgetMib,
                    Runtime.getRuntime().maxMemory() >> 20, heapBefore, warmup);
            long total = 0;
            for (int round = 1; round <= rounds; round++) {
                SmallExchangeLoad.Result r = load.run(exchanges, clients);
                total += r.ok();
                long heap = liveHeap();
                int kept = store.size();
                long used = store.usedBytes();
                int recordBytes = newestRecordBytes(store, wiretap.stats().flows());
                System.out.printf(Locale.ROOT, "round %d: %d exchanges (%d failed) in %.1f s; store keeps %d flows, "
                                + "dropped %d; %d bytes used, %.0f per flow; newest flow's record %d bytes; live heap "
                                + "+%.0f bytes per kept flow%n", round, r.ok(), r.failed(), r.seconds(), kept,
                        store.evictedCount(), used, (double) used / Math.max(1, kept), recordBytes,
                        (double) (heap - heapBefore) / Math.max(1, kept));
                System.out.printf(Locale.ROOT, "MEMJSON {\"round\": %d, \"exchanges\": %d, \"total\": %d, \"failed\": %d, "
                                + "\"seconds\": %.3f, \"kept\": %d, \"evicted\": %d, \"used_bytes\": %d, "
                                + "\"budget_bytes\": %d, \"record_bytes\": %d, \"live_heap\": %d, \"live_heap_start\": %d, "
                                + "\"heap_max\": %d}%n", round, r.ok(), total, r.failed(), r.seconds(), kept,
                        store.evictedCount(), used, store.budgetBytes(), recordBytes, heap, heapBefore,
                        Runtime.getRuntime().maxMemory());
            }
        } finally {
            try (var files = Files.walk(home)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The encoded size of the newest stored flow (ids count from 1), or 0 if it is not there. */
    private static int newestRecordBytes(FlowHistory store, long newestId) {
        for (long id = newestId; id > newestId - 100 && id > 0; id--) {
            Flow flow = store.get(id).orElse(null);
            if (flow != null && flow.isDone()) {
                return FlowRecords.size(flow);
            }
        }
        return 0;
    }

    /** Heap in use after full collections, i.e. what is live. */
    private static long liveHeap() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
