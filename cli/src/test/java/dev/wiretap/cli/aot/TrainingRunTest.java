package dev.wiretap.cli.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.testing.ChildClassPath;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run for the JDK's ahead-of-time cache, driving a real wiretap (the command's main class in a child JVM,
 * all the test JVM's paths on its class path: ChildClassPath) over real sockets: every kind of traffic answered, the
 * stop by SIGTERM, its temporary directory gone afterwards; and, on a JDK that has the cache (25+), the cache written
 * when the JVM exits.
 */
class TrainingRunTest {

    private static final Pattern CA_LINE = Pattern.compile("CA certificate (\\S+)/wiretap-ca\\.pem");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void drivesEveryKindOfTrafficThroughWiretapThenStopsItNormally() {
        int code = train(wiretap());

        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(out().contains("requests answered as expected; wiretap stopped normally"), out());
        // The child's own summary (to the run's log): plain, HTTPS (a tunnel and its requests) and the rules' flows.
        Matcher summary = Pattern.compile("wiretap stopped\\. (\\d+) flows").matcher(log());
        assertTrue(summary.find(), log());
        assertTrue(Integer.parseInt(summary.group(1)) > 20, log());
        assertTrue(log().contains("config from ") && log().contains(": 3 rules"), log());
    }

    @Test
    void runsInATemporaryDirectoryOfItsOwnAndRemovesIt() {
        assertEquals(0, train(wiretap()), log());

        Matcher ca = CA_LINE.matcher(log());
        assertTrue(ca.find(), log());
        Path used = Path.of(ca.group(1));
        assertTrue(used.getFileName().toString().startsWith("wiretap-training-"), used.toString());
        assertFalse(Files.exists(used), used + " is still there");
    }

    @Test
    void saysWhyWhenWiretapEndsBeforeItListens() {
        List<String> command = wiretap();
        command.add("--no-such-flag");

        assertEquals(1, train(command));

        assertTrue(log().contains("training: wiretap ended (exit 2) before it listened"), log());
    }

    @Test
    void refusesToRunWithoutACommand() {
        assertEquals(2, TrainingRun.run(new String[] {"--load", "1"}, print(out), print(err)));
        assertTrue(log().contains("usage: TrainingRun [--load SECONDS] -- JAVA"), log());
    }

    @Test
    void theJvmWritesTheCacheWhenTheStoppedWiretapExits() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "the JDK's ahead-of-time cache needs JDK 25 or newer");
        Path cache = dir.resolve("wiretap.aot");
        // The JVM makes a cache for a class path of jars only, as ./wiretap's is: the build's class directories as jars.
        List<String> command = new ArrayList<>(List.of(java(), "-XX:AOTCacheOutput=" + cache, "-Xmx128m", "-XX:+UseSerialGC",
                "-cp", jarsOnly(ChildClassPath.of(TrainingRunTest.class)), "dev.wiretap.cli.Main"));

        assertEquals(0, train(command), log());

        assertTrue(Files.size(cache) > 0, "no cache at " + cache + "\n" + log());
    }

    /** {@code classPath} with each directory in it replaced by a jar of its files. */
    private String jarsOnly(String classPath) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            if (!Files.isDirectory(path)) {
                entries.add(entry);
                continue;
            }
            Path jar = dir.resolve("classes-" + entries.size() + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(path)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(path.relativize(file).toString().replace(File.separatorChar, '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private int train(List<String> command) {
        List<String> args = new ArrayList<>(List.of("--load", "0.5", "--"));
        args.addAll(command);
        return TrainingRun.run(args.toArray(String[]::new), print(out), print(err));
    }

    /** wiretap's main class in a child JVM, on a class path of what this JVM runs. */
    private static List<String> wiretap() {
        return new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:+UseSerialGC", "-cp", ChildClassPath.of(TrainingRunTest.class),
                "dev.wiretap.cli.Main"));
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String log() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
