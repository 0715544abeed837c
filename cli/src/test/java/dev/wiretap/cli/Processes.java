package dev.wiretap.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the outside programs the end-to-end tests drive (keytool, curl, certutil, chromium) and collects what they say. */
final class Processes {

    /** How a program ended: its exit code (-1 when it was killed for taking too long), standard output and error. */
    record Result(int exitCode, String stdout, String stderr, String command) {

        boolean succeeded() {
            return exitCode == 0;
        }

        /** For failure messages: the command and everything it said. */
        String describe() {
            return command + " exited " + (exitCode < 0 ? "never (killed: it took too long)" : exitCode)
                    + "\n--- its stdout:\n" + stdout + "\n--- its stderr:\n" + stderr;
        }
    }

    private Processes() {
    }

    /** Runs {@code command} with extra environment variables, killing it (and its children) after {@code timeout}. */
    static Result run(Map<String, String> env, Duration timeout, String... command) throws IOException, InterruptedException {
        // Both streams go to files: a program that says a lot (Chromium) never blocks on a full pipe, and children
        // it leaves behind cannot keep a pipe, and this test, waiting.
        Path outFile = Files.createTempFile("wiretap-test-stdout-", ".txt");
        Path errFile = Files.createTempFile("wiretap-test-stderr-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            return new Result(ended ? p.exitValue() : -1, text(outFile), text(errFile), String.join(" ", command));
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    /** A file's bytes as UTF-8, any malformed ones replaced (programs do not always write clean text). */
    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** Runs {@code command} (at most 60 s) and returns its standard output; fails unless it exits 0. */
    static String runOrFail(String... command) throws IOException, InterruptedException {
        Result result = run(Map.of(), Duration.ofSeconds(60), command);
        if (!result.succeeded()) {
            throw new AssertionError(result.describe());
        }
        return result.stdout();
    }
}
