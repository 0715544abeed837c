package dev.wiretap.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Loading settings from a file and the command line: values, where they came from, and every fault named exactly. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void usesTheDefaultsWithoutAFile() throws Exception {
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.empty(), List.of());
        assertEquals(Settings.defaults(), loaded.settings());
        assertEquals("default", loaded.sources().get("timeouts.client_idle"));
    }

    @Test
    void readsEveryKindOfValueAndRemembersWhereEachCameFrom() throws Exception {
        Files.createDirectories(dir.resolve("fixtures"));
        Path file = write("""
                listen: 127.0.0.1:9090
                via: false
                limits:
                  max_header_bytes: 32k
                timeouts:
                  client_idle: 90s
                  upstream_read: 1.5m
                capture:
                  max_body: 2m
                tls:
                  passthrough: ["*.bank.example", pinned.example.com]
                rules:
                  - name: auth
                    match: host:api.example.com method:POST
                    set_headers: {Authorization: Bearer abc}
                    response:
                      remove_headers: [Set-Cookie]
                  - match: path:/static/*
                    map_local: {path: fixtures, strip: /static}
                  - match: host:*.tracker.example
                    block: drop
                  - match: host:slow.example.com
                    delay: 300ms
                    throttle: {down: 64k}
                """);
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(file), List.of());
        Settings s = loaded.settings();
        assertEquals(new HostPort("127.0.0.1", 9090), s.listen());
        assertEquals(false, s.addVia());
        assertEquals(32 * 1024, s.limits().maxHeaderBytes());
        assertEquals(Duration.ofSeconds(90), s.timeouts().clientIdle());
        assertEquals(Duration.ofSeconds(90), s.timeouts().upstreamRead());
        assertEquals(2 * 1024 * 1024, s.capture().maxBodyBytes());
        assertTrue(s.tls().isPassthrough("www.bank.example"));
        assertTrue(s.tls().isPassthrough("pinned.example.com"));
        assertEquals(4, s.rules().size());
        Rule auth = s.rules().get(0);
        assertEquals("auth", auth.name());
        assertEquals(List.of(new RuleAction.SetHeader(RuleAction.Side.REQUEST, "Authorization", "Bearer abc"),
                new RuleAction.RemoveHeader(RuleAction.Side.RESPONSE, "Set-Cookie")), auth.actions());
        assertEquals("rule 2", s.rules().get(1).name());
        assertEquals(new RuleAction.MapLocal(dir.resolve("fixtures"), "/static"), s.rules().get(1).actions().get(0));
        assertEquals(new RuleAction.Block(Optional.empty()), s.rules().get(2).actions().get(0));
        assertEquals(new RuleAction.Throttle(0, 64 * 1024), s.rules().get(3).actions().get(1));

        assertEquals("config.yaml:6", loaded.sources().get("timeouts.client_idle"));
        assertEquals("config.yaml:12", loaded.sources().get("rules"));
        assertEquals("default", loaded.sources().get("timeouts.client_read"));
    }

    @Test
    void letsFlagsOverrideTheFileAndSetOverrideAnything() throws Exception {
        Path file = write("listen: 127.0.0.1:9090\ntimeouts:\n  client_idle: 90s\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(file), List.of(
                new ConfigLoader.Override("listen", "127.0.0.1:7070", "--listen"),
                ConfigLoader.parseSet("timeouts.client_idle=5s"),
                ConfigLoader.parseSet("tls.passthrough=[a.example, \"*.b.example\"]")));
        assertEquals(7070, loaded.settings().listen().port());
        assertEquals(Duration.ofSeconds(5), loaded.settings().timeouts().clientIdle());
        assertTrue(loaded.settings().tls().isPassthrough("x.b.example"));
        assertEquals("--listen", loaded.sources().get("listen"));
        assertEquals("--set timeouts.client_idle", loaded.sources().get("timeouts.client_idle"));
    }

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                Arguments.of("timeouts:\n  clent_idle: 5s\n", "config.yaml:2: timeouts.clent_idle: unknown key (did you mean timeouts.client_idle?)"),
                Arguments.of("lsten: 127.0.0.1:1\n", "config.yaml:1: lsten: unknown key (did you mean listen?)"),
                Arguments.of("timeouts: 5s\n", "config.yaml:1: timeouts: unknown key; it is a section: give its keys, e.g. timeouts.client_idle"),
                Arguments.of("timeouts:\n  client_idle: 5x\n", "config.yaml:2: timeouts.client_idle: '5x' is not a duration"),
                Arguments.of("capture:\n  max_body: lots\n", "config.yaml:2: capture.max_body: 'lots' is not a size"),
                Arguments.of("via: maybe\n", "config.yaml:1: via: 'maybe' is not true or false"),
                Arguments.of("pool:\n  max_idle_total: [1, 2]\n", "config.yaml:2: pool.max_idle_total: expected a value, found a list"),
                Arguments.of("listen: nowhere\n", "config.yaml:1: listen: expected HOST:PORT, got 'nowhere' (no port)"),
                Arguments.of("timeouts:\n  client_idle: 0s\n", "config.yaml:2: timeouts.client_idle: clientIdle must be"),
                Arguments.of("via: true\nvia: false\n", "config.yaml:2: via: given twice (first at config.yaml:1)"),
                Arguments.of("listen: [unclosed\n", "config.yaml:"),
                Arguments.of("- just\n- a list\n", "config.yaml:1: expected the settings as a mapping"),
                Arguments.of("rules:\n  - set_headers: {A: b}\n", "config.yaml:2: rules[1]: a rule needs match:"),
                Arguments.of("rules:\n  - match: host:a\n", "config.yaml:2: rules[1]: a rule needs at least one action"),
                Arguments.of("rules:\n  - match: hots:a\n    block: 403\n", "config.yaml:2:12: rules[1].match: invalid filter 'hots:a': column 1: unknown field 'hots' (did you mean 'host'?)"),
                Arguments.of("rules:\n  - match: host:a\n    blok: 403\n", "config.yaml:3: rules[1].blok: unknown key (did you mean block?)"),
                Arguments.of("rules:\n  - match: host:a\n    block: 200\n", "config.yaml:3: rules[1].block: 200 is not an error status"),
                Arguments.of("rules:\n  - match: host:a\n    map_local: missing-dir\n", "config.yaml:3: rules[1].map_local: no such file or directory"),
                Arguments.of("rules:\n  - match: host:a\n    map_remote: ftp://x\n", "config.yaml:3: rules[1].map_remote: 'ftp://x' is not an http:// or https:// URL"),
                Arguments.of("rules:\n  - match: host:a\n    set_headers: {\"Bad Name\": x}\n", "config.yaml:3: rules[1].set_headers.Bad Name: 'Bad Name' is not a valid field name"),
                Arguments.of("rules:\n  - match: host:a\n    response: {remove_headers: [content-length]}\n", "config.yaml:3: rules[1].response.remove_headers: content-length frames the body, which wiretap does itself"),
                Arguments.of("rules:\n  - match: host:a\n    set_headers: {Transfer-Encoding: gzip}\n", "config.yaml:3: rules[1].set_headers.Transfer-Encoding: Transfer-Encoding frames the body"),
                Arguments.of("rules:\n  - match: host:a\n    respond: {status: 42}\n", "config.yaml:3: rules[1].respond.status: 42 is not a final status"),
                Arguments.of("rules:\n  - match: host:a\n    block: 403\n    respond: {status: 200}\n", "config.yaml:2: rules[1]: map_local, respond and block each answer the request"),
                Arguments.of("rules:\n  - match: host:a\n    delay: soon\n", "config.yaml:3: rules[1].delay: 'soon' is not a duration"),
                Arguments.of("tls:\n  ca_cert: /nonexistent/ca.pem\n", "tls.ca_cert and tls.ca_key go together"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("brokenFiles")
    void namesTheFileTheLineAndTheKeyOfEveryFault(String yaml, String expected) throws IOException {
        Path file = write(yaml);
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.of(file), List.of()));
        assertTrue(e.getMessage().startsWith(expected) || e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void namesTheFlagOfAFaultyOverride() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.empty(),
                List.of(ConfigLoader.parseSet("timeouts.clientidle=5s"))));
        assertTrue(e.getMessage().startsWith("--set timeouts.clientidle: timeouts.clientidle: unknown key (did you mean timeouts.client_idle?)"),
                e.getMessage());
        ConfigError noEquals = assertThrows(ConfigError.class, () -> ConfigLoader.parseSet("via"));
        assertTrue(noEquals.getMessage().contains("expected key=value"), noEquals.getMessage());
    }

    @Test
    void aMissingFileIsAFault() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.of(dir.resolve("none.yaml")), List.of()));
        assertTrue(e.getMessage().endsWith("none.yaml: no such file"), e.getMessage());
    }

    @Test
    void theEffectiveSettingsReadBackAsTheSame() throws Exception {
        Files.createDirectories(dir.resolve("fixtures"));
        Path file = write("""
                timeouts: {client_idle: 90s}
                tls: {passthrough: ["*.bank.example"]}
                rules:
                  - name: "auth: api"
                    match: host:api.example.com | status:5xx
                    set_headers: {Authorization: "Bearer a:b", X-Two: "2"}
                    add_headers: {X-More: yes}
                    remove_headers: [Cookie]
                    response: {set_headers: {Cache-Control: no-store}, remove_headers: [Set-Cookie]}
                  - match: path:/static/*
                    map_local: {path: fixtures, strip: /static}
                  - match: path:/health
                    respond: {status: 201, headers: {Content-Type: text/plain}, body: "all good"}
                  - match: host:x
                    block: 451
                    delay: 250ms
                    throttle: 8k
                """);
        Settings first = ConfigLoader.load(Optional.of(file), List.of()).settings();
        String printed = ConfigPrinter.effective(first, ConfigLoader.load(Optional.of(file), List.of()).sources());
        Path again = write(printed);
        Settings second = ConfigLoader.load(Optional.of(again), List.of()).settings();
        assertEquals(first.timeouts(), second.timeouts());
        assertEquals(first.tls(), second.tls());
        assertEquals(first.rules().size(), second.rules().size());
        for (int i = 0; i < first.rules().size(); i++) {
            assertEquals(first.rules().get(i).name(), second.rules().get(i).name());
            assertEquals(first.rules().get(i).match().toString(), second.rules().get(i).match().toString());
            assertEquals(first.rules().get(i).actions().size(), second.rules().get(i).actions().size(), printed);
            assertEquals(first.rules().get(i).actions().stream().map(Object::getClass).toList(), second.rules().get(i).actions().stream().map(Object::getClass).toList());
        }
        assertTrue(printed.contains("client_idle: 90s  # config.yaml:1"), printed);
    }

    @Test
    void theDefaultsFileReadsBackAsTheDefaults() throws Exception {
        Path file = write(ConfigPrinter.defaults());
        assertEquals(Settings.defaults(), ConfigLoader.load(Optional.of(file), List.of()).settings());
        assertInstanceOf(String.class, ConfigPrinter.defaults());
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
