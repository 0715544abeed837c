package dev.wiretap.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The contract: the README's test passes in a project of its own ({@code junit/contract-test}) that depends only on
 * {@code dev.wiretap:wiretap-junit} and JUnit Jupiter, against the artifacts this build made. They are installed into a
 * temporary local repository (target/contract-repo) in Maven's layout, as {@code install} lays them out: the parent
 * POM, and the jar and POM of wiretap-config, wiretap-proxy and wiretap-junit; the contract project then runs {@code
 * mvn -o test} with that repository first and the build's own local repository behind it, read only
 * ({@code maven.repo.local.tail}), for JUnit, Jackson, BouncyCastle and Maven's plugins. Offline, so nothing is
 * downloaded and a stale wiretap in the shared repository cannot stand in for this one. Runs after the package phase
 * (failsafe), when the jars exist.
 */
class ContractProjectIT {

    private static final String GROUP = "dev/wiretap";

    @Test
    void theReadmesContractTestPassesInAProjectOfItsOwnAgainstTheInstalledArtifacts() throws Exception {
        Path root = Path.of(System.getProperty("wiretap.root"));
        String version = System.getProperty("wiretap.version");
        Path target = root.resolve("junit/target");
        Path repo = clean(target.resolve("contract-repo"));
        install(repo, "wiretap-parent", version, root.resolve("pom.xml"), null);
        for (String module : List.of("config", "proxy", "junit")) {
            String artifact = "wiretap-" + module;
            Path jar = root.resolve(module).resolve("target").resolve(artifact + "-" + version + ".jar");
            assertTrue(Files.exists(jar), jar + " has not been built (run the build up to package first)");
            install(repo, artifact, version, root.resolve(module).resolve("pom.xml"), jar);
        }
        Path project = copyProject(root.resolve("junit/contract-test"), clean(target.resolve("contract-test")));

        List<String> command = new ArrayList<>(List.of(root.resolve("mvnw").toString(), "-o", "-B", "-ntp",
                "-f", project.resolve("pom.xml").toString(), "-Dwiretap.version=" + version,
                "-Dmaven.repo.local=" + repo, "-Dmaven.repo.local.tail=" + System.getProperty("wiretap.localRepository"),
                "test"));
        Path log = target.resolve("contract-test.log");
        Process maven = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        maven.getOutputStream().close();
        if (!maven.waitFor(5, TimeUnit.MINUTES)) {
            maven.descendants().forEach(ProcessHandle::destroyForcibly);
            maven.destroyForcibly();
            throw new AssertionError("the contract project's build did not finish within 5 minutes; see " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, maven.exitValue(), "the contract project failed:\n" + output);
        assertTrue(output.contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), output);
        // The wiretap the test ran against is this build's: resolved from the temporary repository.
        assertTrue(Files.exists(repo.resolve(GROUP + "/wiretap-junit/" + version + "/wiretap-junit-" + version + ".jar")));
    }

    /**
     * Lays an artifact out in {@code repo} as {@code install} does: its POM, its jar (none for a POM-only one), and the
     * local metadata that marks the snapshot as installed here.
     */
    private static void install(Path repo, String artifact, String version, Path pom, Path jar) throws IOException {
        Path dir = Files.createDirectories(repo.resolve(GROUP).resolve(artifact).resolve(version));
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(dir.resolve("maven-metadata-local.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <metadata>
                  <groupId>dev.wiretap</groupId>
                  <artifactId>%s</artifactId>
                  <version>%s</version>
                  <versioning>
                    <snapshot>
                      <localCopy>true</localCopy>
                    </snapshot>
                  </versioning>
                </metadata>
                """.formatted(artifact, version), StandardCharsets.UTF_8);
    }

    private static Path copyProject(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
                Path copy = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    private static Path clean(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
