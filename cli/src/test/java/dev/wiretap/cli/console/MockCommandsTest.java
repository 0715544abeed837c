package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mock typed into the console: the rule printed, added to the config file in use, or to a new config.yaml and applied. */
class MockCommandsTest {

    private static final TestOrigin.Handler JSON = conn -> {
        String head;
        while ((head = conn.readHead()) != null) {
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"id\": 42}\n");
        }
    };

    @TempDir
    Path dir;

    @Test
    void mockPrintsARuleForTheFlow() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/user?id=42"));
            c.terminal.waitFor(0, "/user?id=42");
            long id = newest(c);

            String screen = c.run("mock " + id, "body:");
            assertTrue(screen.contains("rules:"), screen);
            assertTrue(screen.contains("  - name: mock flow " + id), screen);
            assertTrue(screen.contains("    match: 'method:GET host:127.0.0.1 url:\"://127.0.0.1:" + origin.port()
                    + "/\" path:/^\\/user\\?id=42$/'"), screen);
            assertTrue(screen.contains("      status: 200") && screen.contains("        Content-Type: application/json"), screen);
        }
    }

    @Test
    void mockWriteAddsTheRuleToTheConfigFileInUse() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "# mine\nrules:\n  - name: keep me\n    match: host:a.example\n    block: 403\n");
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start(s -> s, Optional.of(config))) {
            c.get(origin.url("/saved"));
            c.terminal.waitFor(0, "/saved");
            long id = newest(c);

            c.run("mock " + id + " --write", "added rule 'mock flow " + id + "' to " + config + "; the config reload applies it");

            assertTrue(Files.readString(config).startsWith("# mine\nrules:\n  - name: keep me\n"), Files.readString(config));
            assertEquals(List.of("keep me", "mock flow " + id),
                    ConfigLoader.load(Optional.of(config), List.of()).settings().rules().stream().map(r -> r.name()).toList());
        }
    }

    @Test
    void withoutAConfigFileMockWriteMakesConfigYamlAndTheRuleAnswersAtOnce() throws Exception {
        Path home = dir.resolve("home");
        TestOrigin origin = TestOrigin.start(JSON);
        try (ConsoleUnderTest c = ConsoleUnderTest.start(s -> s.withTls(s.tls().withConfigDir(home)))) {
            c.get(origin.url("/offline"));
            c.terminal.waitFor(0, "/offline");
            long id = newest(c);

            c.run("mock " + id + " -w", "made " + home.resolve("config.yaml") + " with rule 'mock flow " + id + "'; in force now");
            origin.close();

            var answer = c.get(origin.url("/offline"));
            assertEquals(200, answer.statusCode());
            assertEquals("{\"id\": 42}\n", answer.body());
            assertEquals(502, c.get(origin.url("/elsewhere")).statusCode());
        } finally {
            origin.close();
        }
    }

    @Test
    void mockSaysWhyWhenItCannot() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.run("mock", "which flow?");
            c.run("mock 99", "no flow 99 yet");
            c.get("http://127.0.0.1:1/refused");
            c.terminal.waitFor(0, "/refused");
            c.run("mock " + newest(c), "no mock for flow " + newest(c) + " failed (connection refused");
            c.run("mock " + newest(c) + " --wirte", "mock has no option --wirte");
        }
    }

    private static long newest(ConsoleUnderTest c) {
        return c.wiretap().history().recent(1, f -> true).getFirst().id();
    }
}
