package dev.wiretap.proxy.tls;

import dev.wiretap.config.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How long wiretap takes to get the certificate for a host it has not seen before: {@link LeafCertificates#chainFor}
 * on a cache miss (one signature by the CA, then into the cache), the work a client's first handshake for a new host
 * waits for. A benchmark, not a test (timing lives in benchmarks): run by {@code bin/bench-tls}, or by hand with
 *
 * <pre>java -cp cli/target/wiretap.jar:proxy/target/test-classes dev.wiretap.proxy.tls.MintBenchmark [N] [WARMUP]</pre>
 *
 * <p>Makes a CA in a temporary directory (deleted at the end), as wiretap does on first start, and a
 * {@link LeafCertificates} with the default cache size; mints {@code WARMUP} certificates for distinct host names (JIT
 * warm-up, not recorded), then times {@code N} more, each for a host name not asked for before, one at a time on the
 * main thread. Prints a summary and one line {@code MINTJSON {...}} for scripts. Times are wall-clock, per call.
 */
public final class MintBenchmark {

    private MintBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int measured = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Path dir = Files.createTempDirectory("wiretap-mint-bench-");
        try {
            CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"));
            LeafCertificates leaves = new LeafCertificates(ca, TlsSettings.defaults().leafCacheSize());
            for (int i = 0; i < warmup; i++) {
                check(leaves.chainFor("warmup-" + i + ".bench.example"), "warmup-" + i + ".bench.example");
            }
            long[] nanos = new long[measured];
            long blackhole = 0;
            for (int i = 0; i < measured; i++) {
                String host = "host-" + i + ".bench.example";
                long start = System.nanoTime();
                X509Certificate[] chain = leaves.chainFor(host);
                nanos[i] = System.nanoTime() - start;
                blackhole += chain[0].getSerialNumber().bitLength();
                check(chain, host);
            }
            if (leaves.mintedCount() != (long) warmup + measured) {
                throw new IllegalStateException("expected " + (warmup + measured) + " certificates minted, counted "
                        + leaves.mintedCount());
            }
            report(nanos, warmup, ca.signatureAlgorithm(), blackhole);
        } finally {
            deleteTree(dir);
        }
    }

    /** Fails the run if a chain is not the one asked for, so a broken mint cannot pass as a fast one. */
    private static void check(X509Certificate[] chain, String host) {
        if (chain.length != 2 || !chain[0].getSubjectX500Principal().getName().contains("CN=" + host)) {
            throw new IllegalStateException("wrong certificate for " + host + ": " + chain[0].getSubjectX500Principal());
        }
    }

    private static void report(long[] nanos, int warmup, String algorithm, long blackhole) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        double median = percentile(sorted, 50);
        double p90 = percentile(sorted, 90);
        double p99 = percentile(sorted, 99);
        double max = sorted[sorted.length - 1] / 1e6;
        double min = sorted[0] / 1e6;
        System.out.printf(Locale.ROOT, "minted %d certificates for new hosts (after %d warm-up), %s, %s %s%n",
                nanos.length, warmup, algorithm, System.getProperty("java.vm.name"), Runtime.version());
        System.out.printf(Locale.ROOT, "per certificate, ms: median %.3f  p90 %.3f  p99 %.3f  mean %.3f  min %.3f  max %.3f%n",
                median, p90, p99, mean, min, max);
        System.out.printf(Locale.ROOT,
                "MINTJSON {\"n\": %d, \"warmup\": %d, \"median_ms\": %.4f, \"p90_ms\": %.4f, \"p99_ms\": %.4f, "
                        + "\"mean_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"algorithm\": \"%s\", \"java\": \"%s\", "
                        + "\"check\": %d}%n",
                nanos.length, warmup, median, p90, p99, mean, min, max, algorithm, Runtime.version(), blackhole % 10);
    }

    /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
    private static double percentile(long[] sorted, int pct) {
        int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
