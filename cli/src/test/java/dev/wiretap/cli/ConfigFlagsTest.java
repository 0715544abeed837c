package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Settings;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.proxy.testing.TestCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config file on the command line, run in this JVM: {@code --config}, {@code --set}, the flags over the file,
 * {@code wiretap config} and {@code --defaults}, and a broken config stopping wiretap before anything starts.
 */
class ConfigFlagsTest {

    @TempDir
    Path dir;

    @Test
    void aBrokenConfigExits2NamingTheFileLineAndKeyAndStartsNothing() throws Exception {
        int port = freePort();
        Path home = Files.createDirectories(dir.resolve("home"));
        Path config = write("config.yaml", """
                listen: 127.0.0.1:%d
                timeouts:
                  clent_idle: 5s
                """.formatted(port));

        Run run = run("--config", config.toString(), "--config-dir", home.toString());

        assertEquals(2, run.code);
        assertEquals("wiretap: config.yaml:3: timeouts.clent_idle: unknown key (did you mean timeouts.client_idle?)"
                + System.lineSeparator(), run.err);
        assertEquals("", run.out);
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, again.getLocalPort(), "nothing listens on the file's address");
        }
        try (Stream<Path> files = Files.list(home)) {
            assertEquals(List.of(), files.toList(), "no CA made");
        }
    }

    @Test
    void aBrokenRuleExits2WithTheColumnOfTheFilterFault() throws Exception {
        Path config = write("rules.yaml", """
                rules:
                  - name: api
                    match: host:api.example.com & (path:/v2
                    block: 403
                """);

        Run run = run("--config", config.toString(), "--config-dir", dir.toString());

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("wiretap: rules.yaml:3:35: rules[1].match: invalid filter"
                + " 'host:api.example.com & (path:/v2': column 24: the '(' here is never closed"), run.err);
    }

    @Test
    void aConfigFileThatIsNotThereExits2() {
        Run run = run("--config", dir.resolve("nope.yaml").toString(), "--config-dir", dir.toString());

        assertEquals(2, run.code);
        assertEquals("wiretap: " + dir.resolve("nope.yaml") + ": no such file" + System.lineSeparator(), run.err);
    }

    @Test
    void aSetOfAnUnknownKeySuggestsTheNearestAndExits2() {
        Run run = run("--set", "timeouts.upstream_raed=2m", "--config-dir", dir.toString());

        assertEquals(2, run.code);
        assertEquals("wiretap: --set timeouts.upstream_raed: timeouts.upstream_raed: unknown key (did you mean"
                + " timeouts.upstream_read?)" + System.lineSeparator(), run.err);
    }

    @Test
    void proxyAuthWithoutAPasswordExits2WithoutShowingWhatWasGiven() {
        Run run = run("--proxy-auth", "alice-only", "--config-dir", dir.toString());

        assertEquals(2, run.code);
        assertEquals("wiretap: --proxy-auth: clients.auth: proxy authentication is USER:PASSWORD, both not empty"
                + System.lineSeparator(), run.err);
    }

    @Test
    void aSetWithoutAnEqualsSignExits2() {
        Run run = run("--set", "via", "config");

        assertEquals(2, run.code);
        assertTrue(run.err.contains("expected key=value"), run.err);
    }

    @Test
    void setBeatsTheFlagsWhichBeatTheFileWhichBeatsTheDefaults() throws Exception {
        Path config = write("config.yaml", """
                listen: 127.0.0.1:9090
                via: false
                timeouts:
                  client_idle: 90s
                  upstream_read: 2m
                """);

        Run run = run("--config", config.toString(), "--listen", "127.0.0.1:7070", "--set", "timeouts.upstream_read=3m",
                "--set", "via=true", "config", "--set", "listen=127.0.0.1:6060");

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("\nlisten: 127.0.0.1:6060  # --set listen\n"), run.out);
        assertTrue(run.out.contains("\nvia: true  # --set via\n"), run.out);
        assertTrue(run.out.contains("\n  client_idle: 90s  # config.yaml:4\n"), run.out);
        assertTrue(run.out.contains("\n  upstream_read: 3m  # --set timeouts.upstream_read\n"), run.out);
        assertTrue(run.out.contains("\n  client_header: 20s  # default\n"), run.out);
    }

    @Test
    void everyFlagBeatsTheFileAndNamesItselfAsTheSource() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not read by wiretap config");
        Path trusted = TestCa.ec("company CA").writeCertificate(dir.resolve("company-ca.pem"));
        Path key = Files.writeString(dir.resolve("ca-key.pem"), "not read either");
        Path config = write("config.yaml", """
                listen: 127.0.0.1:9090
                upstream_proxy: http://file-proxy:3128
                via: true
                tls:
                  intercept: true
                  passthrough: [from.file.example]
                  insecure_upstream: false
                """);

        Run run = run("--config", config.toString(), "--listen", "[::1]:7070", "--upstream-proxy",
                "http://alice:hunter2@flag-proxy:8888", "--no-via", "--no-intercept", "--passthrough", "*.bank.example",
                "--passthrough", "pinned.example", "--insecure-upstream", "--upstream-ca", trusted.toString(), "--ca-cert", ca.toString(), "--ca-key", key.toString(),
                "--config-dir", dir.resolve("home").toString(), "--proxy-auth", "bob:open sesame", "config");

        assertEquals(0, run.code, run.err);
        for (String line : List.of(
                "listen: \"[::1]:7070\"  # --listen",
                "  auth: bob:***  # --proxy-auth (password not shown)",
                "upstream_proxy: \"http://alice:***@flag-proxy:8888\"  # --upstream-proxy (password not shown)",
                "via: false  # --no-via",
                "config_dir: " + dir.resolve("home") + "  # --config-dir",
                "  intercept: false  # --no-intercept",
                "  passthrough: [\"*.bank.example\", pinned.example]  # --passthrough",
                "  insecure_upstream: true  # --insecure-upstream",
                "  trusted_certs: [" + trusted + "]  # --upstream-ca",
                "  ca_cert: " + ca + "  # --ca-cert",
                "  ca_key: " + key + "  # --ca-key")) {
            assertTrue(run.out.lines().anyMatch(line::equals), line + " in:\n" + run.out);
        }
        assertTrue(!run.out.contains("hunter2"), run.out);
        assertTrue(!run.out.contains("sesame"), run.out);
    }

    @Test
    void showsAnUpstreamProxyFromTheEnvironmentAsEnvAndWhatItFound() throws Exception {
        Run run = run("--upstream-proxy", "env", "config");

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("\nupstream_proxy: env  # --upstream-proxy\n"), run.out);
        assertTrue(run.out.lines().anyMatch(l -> l.startsWith("# upstream_proxy env: ")), run.out);
    }

    @Test
    void aFlagLeftOutLeavesTheFilesValueInForce() throws Exception {
        Path config = write("config.yaml", "listen: 127.0.0.1:9090\n");

        Run run = run("--config", config.toString(), "config");

        assertTrue(run.out.contains("\nlisten: 127.0.0.1:9090  # config.yaml:1\n"), run.out);
    }

    @Test
    void readsConfigYamlInTheConfigDirWhenNoFileIsNamed() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve("config.yaml"), "timeouts:\n  client_idle: 42s\n");

        Run run = run("--config-dir", home.toString(), "config");

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.startsWith("# config file: " + home.resolve("config.yaml").toAbsolutePath() + "\n"), run.out);
        assertTrue(run.out.contains("\n  client_idle: 42s  # config.yaml:2\n"), run.out);
    }

    @Test
    void saysSoWhenThereIsNoConfigFile() {
        Path home = dir.resolve("empty-home");

        Run run = run("config", "--config-dir", home.toString());

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.startsWith("# no config file (" + home.resolve("config.yaml") + " does not exist)\n"), run.out);
        assertTrue(run.out.contains("\nrules: []  # default\n"), run.out);
    }

    @Test
    void configShowsTheRulesWithWhereTheyCameFromAndReadsBackAsTheSameSettings() throws Exception {
        Path config = write("config.yaml", """
                timeouts:
                  upstream_read: 2m
                rules:
                  - name: add-auth
                    match: host:api.example.com method:POST
                    set_headers: {Authorization: Bearer abc}
                  - name: no-ads
                    match: host:ads.example.com | host:*.doubleclick.example
                    block: 403
                """);

        Run run = run("--config", config.toString(), "--config-dir", dir.toString(), "config");

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("\nrules:  # config.yaml:3\n  - name: add-auth\n"), run.out);
        Path printed = write("printed.yaml", run.out);
        Settings original = ConfigLoader.load(Optional.of(config), List.of()).settings();
        Settings again = ConfigLoader.load(Optional.of(printed), List.of()).settings();
        assertEquals(original.timeouts(), again.timeouts());
        assertEquals(original.rules().stream().map(r -> r.name() + " " + r.match() + " " + r.actions()).toList(),
                again.rules().stream().map(r -> r.name() + " " + r.match() + " " + r.actions()).toList());
    }

    @Test
    void configDefaultsPrintsACommentedFileThatLoadsBackAsTheDefaults() throws Exception {
        Run run = run("config", "--defaults");

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.startsWith("# wiretap configuration: every option with its default."), run.out);
        assertTrue(run.out.contains("# close a kept-alive client connection idle this long (duration)\n  client_idle: 1m\n"), run.out);
        assertTrue(run.out.contains("#   - name: no-tracker\n#     match: host:tracker.example.com\n#     block: drop\n"), run.out);
        Path file = write("defaults.yaml", run.out);
        assertEquals(Settings.defaults(), ConfigLoader.load(Optional.of(file), List.of()).settings());

        Run again = run("--config", file.toString(), "config");
        assertEquals(0, again.code, again.err);
        assertTrue(again.out.contains("\n  client_idle: 1m  # defaults.yaml:"), again.out);
    }

    @Test
    void configWithABrokenFileExits2() throws Exception {
        Path config = write("config.yaml", "via: maybe\n");

        Run run = run("--config", config.toString(), "config");

        assertEquals(2, run.code);
        assertEquals("wiretap: config.yaml:1: via: 'maybe' is not true or false" + System.lineSeparator(), run.err);
        assertEquals("", run.out);
    }

    @Test
    void caWithABrokenFileExits2() throws Exception {
        Path config = write("config.yaml", "tls:\n  intercept: sometimes\n");

        Run run = run("--config", config.toString(), "--config-dir", dir.toString(), "ca");

        assertEquals(2, run.code);
        assertEquals("wiretap: config.yaml:2: tls.intercept: 'sometimes' is not true or false" + System.lineSeparator(), run.err);
    }

    @Test
    void caKeepsItsCaInTheConfigFilesConfigDir() throws Exception {
        Path home = dir.resolve("ca-home");
        Path config = write("config.yaml", "config_dir: " + home + "\n");

        Run run = run("--config", config.toString(), "ca");

        assertEquals(0, run.code, run.err);
        assertTrue(Files.exists(home.resolve("wiretap-ca.pem")), run.out);
    }

    // ---------------------------------------------------------------------------------------------------------

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
