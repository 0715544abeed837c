package dev.wiretap.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostMap;
import dev.wiretap.config.ReplaySettings;
import dev.wiretap.config.Settings;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code hosts:} map, the {@code replay.*} keys, and rules read from YAML given in code. */
class HostsAndReplayConfigTest {

    @TempDir
    Path dir;

    @Test
    void readsTheHostsMapWithAndWithoutPorts() throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                hosts:
                  API.Example.Test.: 127.0.0.1
                  auth.example.test: 127.0.0.1:8443
                  six.example.test: "[::1]:9000"
                """);
        HostMap hosts = ConfigLoader.load(Optional.of(file), List.of()).settings().hosts();
        assertEquals(new HostMap.Target("127.0.0.1", 0), hosts.lookup("api.example.test").orElseThrow());
        assertEquals(new HostMap.Target("127.0.0.1", 8443), hosts.lookup("AUTH.example.test").orElseThrow());
        assertEquals(new HostMap.Target("::1", 9000), hosts.lookup("six.example.test").orElseThrow());
        assertTrue(hosts.lookup("other.example.test").isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "hosts: [a.example]|config.yaml:1: hosts: expected a mapping of host names to addresses",
            "hosts: {api.example.test: api.internal}|hosts.api.example.test: 'api.internal' is not an IP address",
            "hosts: {api.example.test: '127.0.0.1:99999'}|the port must be a number from 1 to 65535",
            "hosts: {'bad host': 127.0.0.1}|'bad host' is not a host name",
            "replay: {on_miss: drop}|replay.on_miss: expected forward",
            "replay: {from: missing.har}|replay.from: no such file: missing.har"})
    void refusesABadHostsMapOrReplayInWords(String yaml, String expected) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml + "\n");
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.of(file), List.of()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void readsTheReplaySettingsFromTheFileAndTheCommandLine() throws Exception {
        Path har = Files.writeString(dir.resolve("recorded.har"), "{}");
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                replay:
                  on_miss: 502
                  match_body: true
                """);
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(file),
                List.of(new ConfigLoader.Override("replay.from", har.toString(), "--replay-from")));
        ReplaySettings replay = loaded.settings().replay();
        assertEquals(Optional.of(har), replay.from());
        assertEquals(ReplaySettings.OnMiss.FAIL, replay.onMiss());
        assertTrue(replay.matchBody());
        assertEquals("--replay-from", loaded.sources().get("replay.from"));
    }

    @Test
    void theEffectiveSettingsReadBackWithHostsAndReplay() throws Exception {
        Path har = Files.writeString(dir.resolve("recorded.har"), "{}");
        Settings settings = Settings.defaults()
                .withHosts(HostMap.NONE.with("api.example.test", HostMap.Target.parse("127.0.0.1:8443")))
                .withReplay(ReplaySettings.from(har).withOnMiss(ReplaySettings.OnMiss.FAIL));
        String printed = ConfigPrinter.effective(settings, java.util.Map.of());
        Path file = Files.writeString(dir.resolve("printed.yaml"), printed);
        Settings back = ConfigLoader.load(Optional.of(file), List.of()).settings();
        assertEquals(settings.hosts(), back.hosts());
        assertEquals(settings.replay(), back.replay());
    }

    @Test
    void readsRulesFromYamlTextAsAListOrUnderRules() throws Exception {
        List<Rule> bare = ConfigLoader.readRules("""
                - match: path:/health
                  respond: {status: 204}
                """, "<rules>", dir);
        List<Rule> keyed = ConfigLoader.readRules("""
                rules:
                  - name: no-ads
                    match: host:ads.example
                    block: 403
                """, "<rules>", dir);
        assertEquals(204, ((RuleAction.Respond) bare.get(0).actions().get(0)).status());
        assertEquals("no-ads", keyed.get(0).name());
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.readRules("listen: 127.0.0.1:1\n", "<rules>", dir));
        assertTrue(e.getMessage().contains("expected rules: (a list of rules) and nothing else"), e.getMessage());
    }
}
