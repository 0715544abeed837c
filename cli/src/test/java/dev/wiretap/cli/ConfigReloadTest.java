package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Settings;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestConfigDir;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading the config file into a running engine: a valid edit's rules apply to the next exchange (a real client
 * through wiretap to a real origin), a broken edit leaves the last good rules in force, and keys that only a restart
 * can apply are named.
 */
class ConfigReloadTest {

    @TempDir
    Path dir;

    private final List<String> notices = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private Path file;
    private TestOrigin origin;
    private ProxyUnderTest proxy;
    private ConfigReload reload;

    @BeforeEach
    void startWiretapWithARule() throws Exception {
        origin = TestOrigin.fixed("hello");
        file = dir.resolve("config.yaml");
        write("""
                timeouts:
                  client_idle: 30s
                rules:
                  - name: tag-one
                    match: host:127.0.0.1
                    set_headers: {X-Rule: one}
                """);
        SettingsFromFlags flags = new SettingsFromFlags(Optional.of(file), List.of(
                new ConfigLoader.Override("listen", "\"127.0.0.1:0\"", "--listen"),
                new ConfigLoader.Override("config_dir", SettingsFromFlags.quoted(TestConfigDir.get().toString()), "--config-dir"),
                ConfigLoader.parseSet("tls.intercept=false")));
        ConfigLoader.Loaded loaded = flags.load();
        proxy = ProxyUnderTest.start(base -> loaded.settings());
        reload = new ConfigReload(flags, loaded.settings(), proxy.wiretap()::updateRules, notices::add, errors::add);
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    @Test
    void appliesTheRulesOfAValidEditToTheNextExchange() throws Exception {
        assertTrue(get().contains("\r\nX-Rule: one\r\n"));
        assertEquals(List.of("tag-one"), proxy.nextFinishedFlow().appliedRules());

        write("""
                timeouts:
                  client_idle: 30s
                rules:
                  - name: tag-two
                    match: host:127.0.0.1
                    set_headers: {X-Rule: two}
                  - name: unused
                    match: host:example.com
                    block: 403
                """);
        reload.reload();

        assertEquals(List.of("config reloaded from " + file + ": 2 rules"), notices);
        assertEquals(List.of(), errors);
        String head = get();
        assertTrue(head.contains("\r\nX-Rule: two\r\n"), head);
        assertTrue(!head.contains("X-Rule: one"), head);
        Flow flow = proxy.nextFinishedFlow();
        assertEquals(List.of("tag-two"), flow.appliedRules());
    }

    @Test
    void keepsTheLastGoodRulesWhenAnEditIsBrokenAndSaysWhereItIsBroken() throws Exception {
        write("""
                timeouts:
                  client_idle: 30s
                rules:
                  - name: tag-two
                    match: host:127.0.0.1 & (path:/
                    set_headers: {X-Rule: two}
                """);
        reload.reload();

        assertEquals(List.of(), notices);
        assertEquals(List.of("wiretap: config not reloaded: config.yaml:5:29: rules[1].match: invalid filter"
                + " 'host:127.0.0.1 & (path:/': column 18: the '(' here is never closed (the last good settings stay in force)"),
                errors);
        assertTrue(get().contains("\r\nX-Rule: one\r\n"));
    }

    @Test
    void namesTheKeysThatChangedButNeedARestartAndNotThoseTheFlagsDecide() throws Exception {
        write("""
                listen: 127.0.0.1:9999
                timeouts:
                  client_idle: 45s
                tls:
                  intercept: true
                  passthrough: [bank.example]
                rules:
                  - name: tag-one
                    match: host:127.0.0.1
                    set_headers: {X-Rule: one}
                """);
        reload.reload();

        // listen comes from --listen and tls.intercept from --set: the file's values for them change nothing.
        assertEquals(List.of("config reloaded from " + file + ": 1 rule; needs a restart: timeouts.client_idle, tls.passthrough"),
                notices);
        assertTrue(get().contains("\r\nX-Rule: one\r\n"));
    }

    @Test
    void seesAChangedUpstreamProxyPasswordThoughNoneIsShown() {
        // Shown, both read http://alice:***@proxy.corp:3128: the change is in what is hidden.
        Settings before = Settings.defaults().withUpstreamProxy(UpstreamProxy.parse("http://alice:one@proxy.corp:3128"));
        Settings after = Settings.defaults().withUpstreamProxy(UpstreamProxy.parse("http://alice:two@proxy.corp:3128"));

        assertEquals(List.of("upstream_proxy"), ConfigReload.changedKeys(before, after));
        assertEquals(List.of(), ConfigReload.changedKeys(before, before.withUpstreamProxy(
                UpstreamProxy.parse("http://alice:one@proxy.corp:3128"))));
    }

    @Test
    void saysOnceThatTheFileWasRemovedAndReloadsWhenItIsBack() throws Exception {
        Files.delete(file);
        reload.reload();
        reload.reload();

        assertEquals(List.of("wiretap: config file " + file + " was removed; the last good settings stay in force"), errors);
        assertTrue(get().contains("\r\nX-Rule: one\r\n"));

        write("rules: []\n");
        reload.reload();

        assertEquals(List.of("config reloaded from " + file + ": 0 rules; needs a restart: timeouts.client_idle"), notices);
        assertTrue(!get().contains("X-Rule"));
    }

    // ---------------------------------------------------------------------------------------------------------

    private void write(String yaml) throws IOException {
        Files.writeString(file, yaml);
    }

    /** GETs from the origin through wiretap and returns the request head the origin received. */
    private String get() throws Exception {
        HttpResponse<String> response = proxy.httpClient().send(HttpRequest.newBuilder(URI.create(origin.url("/x"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("hello", response.body());
        return origin.takeHead();
    }
}
