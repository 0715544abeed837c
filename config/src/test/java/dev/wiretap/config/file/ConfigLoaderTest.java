package dev.wiretap.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.config.TlsSettings;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.config.WebSettings;
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
                Arguments.of("clients:\n  auth: alice\n", "config.yaml:2: clients.auth: proxy authentication is USER:PASSWORD"),
                Arguments.of("clients:\n  allow: [10.0.0.0/33]\n", "clients.allow: '10.0.0.0/33': the prefix after / must be a number of bits from 0 to 32"),
                Arguments.of("clients:\n  allow: [intranet.example]\n", "clients.allow: 'intranet.example' is not an IP address or CIDR block"),
                Arguments.of("clients:\n  allow: [10.1.0.0/8]\n", "'10.1.0.0/8' has bits set past its /8 prefix; the block is 10.0.0.0/8"),
                Arguments.of("limits:\n  max_client_connections: 0\n", "limits.max_client_connections: maxClientConnections must be positive"),
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
                // fields the codec could not send: refused here rather than on every exchange the rule matches
                Arguments.of("rules:\n  - match: host:a\n    respond:\n      headers: {X-A: \"a\\x01b\"}\n",
                        "config.yaml:4: rules[1].respond.headers.X-A: the value of X-A holds U+0001 at character 2, which a field may not hold"),
                Arguments.of("rules:\n  - match: host:a\n    set_headers: {X-A: \"a\\x7f\"}\n",
                        "config.yaml:3: rules[1].set_headers.X-A: the value of X-A holds U+007F at character 2"),
                Arguments.of("rules:\n  - match: host:a\n    response:\n      add_headers: {X-A: \"\\e[2J\"}\n",
                        "config.yaml:4: rules[1].response.add_headers.X-A: the value of X-A holds U+001B at character 1"),
                Arguments.of("rules:\n  - match: host:a\n    add_headers: {X-A: \"a\\tb\\nc\"}\n",
                        "config.yaml:3: rules[1].add_headers.X-A: the value of X-A holds U+000A at character 4"),
                Arguments.of("rules:\n  - match: host:a\n    set_headers: {X-A: \"\\u2028\"}\n",
                        "config.yaml:3: rules[1].set_headers.X-A: the value of X-A holds U+2028 at character 1"),
                Arguments.of("rules:\n  - match: host:a\n    respond: {headers: {\"X\\x01A\": b}}\n",
                        "is not a valid field name (letters, digits and !#$%&'*+-.^_`|~)"),
                Arguments.of("rules:\n  - match: host:a\n    remove_headers: [\"X[1]\"]\n",
                        "config.yaml:3: rules[1].remove_headers: 'X[1]' is not a valid field name"),
                Arguments.of("rules:\n  - match: host:a\n    response: {remove_headers: [content-length]}\n", "config.yaml:3: rules[1].response.remove_headers: content-length frames the body, which wiretap does itself"),
                Arguments.of("rules:\n  - match: host:a\n    set_headers: {Transfer-Encoding: gzip}\n", "config.yaml:3: rules[1].set_headers.Transfer-Encoding: Transfer-Encoding frames the body"),
                Arguments.of("rules:\n  - match: host:a\n    respond: {status: 42}\n", "config.yaml:3: rules[1].respond.status: 42 is not a final status"),
                Arguments.of("rules:\n  - match: host:a\n    block: 403\n    respond: {status: 200}\n", "config.yaml:2: rules[1]: map_local, respond and block each answer the request"),
                Arguments.of("rules:\n  - match: host:a\n    delay: soon\n", "config.yaml:3: rules[1].delay: 'soon' is not a duration"),
                Arguments.of("tls:\n  ca_cert: /nonexistent/ca.pem\n", "tls.ca_cert and tls.ca_key go together"),
                // wrong types
                Arguments.of("limits:\n  max_header_count: lots\n", "config.yaml:2: limits.max_header_count: 'lots' is not a whole number"),
                Arguments.of("listen: {host: a}\n", "config.yaml:1: listen: expected a value, found a mapping"),
                Arguments.of("rules: {match: host:a}\n", "config.yaml:1: rules: expected a list of rules, found a mapping"),
                Arguments.of("rules:\n  - match: host:a\n    set_headers: [X-A]\n", "config.yaml:3: rules[1].set_headers: expected fields as a mapping (Name: value), found a list"),
                Arguments.of("rules:\n  - match: host:a\n    respond: 404\n", "config.yaml:3: rules[1].respond: expected {status: ..., headers: {...}, body: ...}, found a value"),
                Arguments.of("rules:\n  - match: host:a\n    response: {set_header: {A: b}}\n", "config.yaml:3: rules[1].response.set_header: unknown key (did you mean set_headers?)"),
                // bad durations and sizes
                Arguments.of("pool:\n  idle_timeout: 30\n", "config.yaml:2: pool.idle_timeout: '30' is not a duration (for example 500ms, 30s, 2m, 1h)"),
                Arguments.of("timeouts:\n  upstream_read: -5s\n", "config.yaml:2: timeouts.upstream_read: '-5s' is not a duration"),
                Arguments.of("capture:\n  store_budget: 12 apples\n", "config.yaml:2: capture.store_budget: '12 apples' is not a size (for example 512, 64k, 1m, 256MiB)"),
                Arguments.of("limits:\n  max_header_bytes: 3g\n", "config.yaml:2: limits.max_header_bytes: 3g is too large (at most 2g)"),
                Arguments.of("rules:\n  - match: host:a\n    throttle: fast\n", "config.yaml:3: rules[1].throttle: 'fast' is not a size"),
                Arguments.of("rules:\n  - match: host:a\n    throttle: {down: 1 MB/s}\n", "config.yaml:3: rules[1].throttle.down: '1 MB/s' is not a size"),
                Arguments.of("rules:\n  - match: host:a\n    throttle: {sideways: 1k}\n", "config.yaml:3: rules[1].throttle.sideways: unknown key"),
                // invalid filters and regular expressions, with the column of the fault in the file
                Arguments.of("rules:\n  - match: url:/[a/\n    block: 403\n", "config.yaml:2:18: rules[1].match: invalid filter 'url:/[a/': column 7: invalid regular expression /[a/: Unclosed character class"),
                Arguments.of("rules:\n  - match: path:/(x/\n    block: 403\n", "config.yaml:2:"),
                Arguments.of("rules:\n  - match: host:a & (path:/b\n    block: 403\n", "config.yaml:2:21: rules[1].match: invalid filter 'host:a & (path:/b': column 10: the '(' here is never closed"),
                Arguments.of("rules:\n  - match: status:5x\n    response: {remove_headers: [A]}\n", "config.yaml:2:19: rules[1].match: invalid filter 'status:5x': column 8: '5x' is not a status"),
                Arguments.of("rules:\n  - match: 'host:a |'\n    block: 403\n", "rules[1].match: invalid filter 'host:a |': column 9: the expression ends where a term was expected"),
                Arguments.of("rules:\n  - match: 'header:\"X-A'\n    block: 403\n", "rules[1].match: invalid filter 'header:\"X-A': column 8: the quoted text starting here has no closing '\"'"),
                Arguments.of("rules:\n  - match: host:a\n    map_remote: {to: 'http://x/[y'}\n", "config.yaml:3: rules[1].map_remote.to: 'http://x/[y' is not a URL"),
                // files that are not there
                Arguments.of("rules:\n  - match: host:a\n    map_local: {path: mocks/missing.json}\n", "config.yaml:3: rules[1].map_local: no such file or directory: "),
                Arguments.of("rules:\n  - match: host:a\n    respond: {body_file: missing.txt}\n", "config.yaml:3: rules[1].respond.body_file: cannot read "),
                Arguments.of("tls:\n  trusted_certs: [/nonexistent/ca.pem]\n", "config.yaml:2: tls.trusted_certs: cannot read /nonexistent/ca.pem"),
                // the web UI
                Arguments.of("web:\n  token: \"not/safe\"\n", "config.yaml:2: web.token: a web token may hold only letters, digits and - . _ ~"),
                Arguments.of("web:\n  listen: somewhere\n", "config.yaml:2: web.listen: expected HOST:PORT"),
                Arguments.of("web:\n  enabled: sometimes\n", "config.yaml:2: web.enabled: 'sometimes' is not true or false"),
                Arguments.of("listen: 127.0.0.1:9000\nweb:\n  listen: 127.0.0.1:9000\n", "config.yaml:3: web.listen: the web UI and the proxy cannot share 127.0.0.1:9000"),
                // an upstream proxy, its password never shown
                Arguments.of("upstream_proxy: socks5://alice:hunter2@proxy:1080\n", "config.yaml:1: upstream_proxy: upstream proxy must"
                        + " be an http:// or https:// URL, got 'socks5://alice:***@proxy:1080'"),
                Arguments.of("upstream_proxy: http://alice:hunter2%@proxy:3128\n", "config.yaml:1: upstream_proxy: the password in"
                        + " upstream proxy URL 'http://alice:***@proxy:3128' has a '%' not followed by two hex digits"));
    }

    @Test
    void refusesATrustedCertificateFileThatHoldsNoCertificate() throws Exception {
        Path notPem = Files.writeString(dir.resolve("company-ca.crt"), "ask IT for the real file\n");
        Path file = write("tls:\n  trusted_certs: [" + notPem + "]\n");

        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.of(file), List.of()));

        assertEquals("config.yaml:2: tls.trusted_certs: " + notPem + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)",
                e.getMessage());
    }

    @Test
    void readsAnUpstreamProxyWithCredentialsAndShowsItWithoutThePassword() throws Exception {
        Path file = write("upstream_proxy: https://CORP%5Calice:p%40ss@proxy.corp:8443\n");

        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(file), List.of());

        UpstreamProxy proxy = loaded.settings().upstreamProxies().proxyFor("https", "example.com", 443).orElseThrow();
        assertEquals("CORP\\alice", proxy.user());
        assertEquals("p@ss", proxy.password());
        assertTrue(proxy.isTls());
        String printed = ConfigPrinter.effective(loaded.settings(), loaded.sources());
        assertTrue(printed.contains("\nupstream_proxy: \"https://CORP%5Calice:***@proxy.corp:8443\"  # config.yaml:1 (password not shown)\n"),
                printed);
        assertFalse(printed.contains("p%40ss"), printed);
    }

    @Test
    void readsClientAccessAndShowsTheCredentialsWithoutThePassword() throws Exception {
        Path file = write("clients:\n  auth: alice:s3:cret\n  allow: [10.0.0.0/8, \"fd00::/8\", 192.168.1.7]\n");

        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(file), List.of());

        dev.wiretap.config.ClientAccess clients = loaded.settings().clients();
        assertEquals("alice", clients.user());
        assertEquals("s3:cret", clients.password());
        assertEquals(List.of("10.0.0.0/8", "fd00::/8", "192.168.1.7"), clients.allow().stream().map(Object::toString).toList());
        String printed = ConfigPrinter.effective(loaded.settings(), loaded.sources());
        assertTrue(printed.contains("clients:\n  auth: alice:***  # config.yaml:2 (password not shown)\n"
                + "  allow: [10.0.0.0/8, fd00::/8, 192.168.1.7]  # config.yaml:3\n"), printed);
        assertFalse(printed.contains("s3:cret"), printed);
        assertEquals(clients.allow(), ConfigLoader.load(Optional.of(write(printed)), List.of()).settings().clients().allow());
        assertEquals(dev.wiretap.config.ClientAccess.OPEN, Settings.defaults().clients());
    }

    @Test
    void readsTheBodyPaceTheConnectionLimitAndTheInFlightBudgetFromSet() throws Exception {
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.empty(), List.of(ConfigLoader.parseSet("timeouts.client_body=2s"),
                ConfigLoader.parseSet("limits.min_body_rate=1k"), ConfigLoader.parseSet("limits.max_client_connections=300"),
                ConfigLoader.parseSet("capture.in_flight_budget=16m")));
        Settings s = loaded.settings();
        assertEquals(Duration.ofSeconds(2), s.timeouts().clientBody());
        assertEquals(1024, s.limits().minBodyRate());
        assertEquals(300, s.limits().maxClientConnections());
        assertEquals(16L << 20, s.capture().inFlightBudgetBytes());
        String defaults = ConfigPrinter.defaults();
        assertTrue(defaults.contains("  client_body: 1m\n") && defaults.contains("  min_body_rate: 500\n")
                && defaults.contains("  max_client_connections: 10000\n") && defaults.contains("  in_flight_budget: 64m\n"), defaults);
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
    void namesTheFlagOfAWronglyTypedOverride() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.empty(),
                List.of(new ConfigLoader.Override("listen", "\"nowhere\"", "--listen"), ConfigLoader.parseSet("via=maybe"))));
        assertEquals("--listen: listen: expected HOST:PORT, got 'nowhere' (no port)", e.getMessage());
        ConfigError set = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.empty(), List.of(ConfigLoader.parseSet("via=maybe"))));
        assertEquals("--set via: via: 'maybe' is not true or false", set.getMessage());
    }

    @Test
    void setsTheConfigDirectoryOrLeavesItToTheEnvironment() throws Exception {
        Path file = write("config_dir: " + dir.resolve("ca") + "\n");
        assertEquals(dir.resolve("ca"), ConfigLoader.load(Optional.of(file), List.of()).settings().tls().configDir());
        Path empty = write("config_dir: ~\n");
        assertEquals(TlsSettings.defaultConfigDir(), ConfigLoader.load(Optional.of(empty), List.of()).settings().tls().configDir());
    }

    @Test
    void aMissingFileIsAFault() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.of(dir.resolve("none.yaml")), List.of()));
        assertTrue(e.getMessage().endsWith("none.yaml: no such file"), e.getMessage());
    }

    @Test
    void readsTheWebUisKeysFromTheFileAndFromSet() throws Exception {
        Path file = write("web:\n  listen: 127.0.0.1:9191\n  token: my-fixed_token.1~\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(file), List.of(ConfigLoader.parseSet("web.enabled=false")));
        assertEquals(new WebSettings(false, HostPort.parse("127.0.0.1:9191"), "my-fixed_token.1~"), loaded.settings().web());
        assertEquals("config.yaml:2", loaded.sources().get("web.listen"));
        assertEquals("--set web.enabled", loaded.sources().get("web.enabled"));
        String printed = ConfigPrinter.effective(loaded.settings(), loaded.sources());
        assertTrue(printed.contains("web:\n  enabled: false  # --set web.enabled\n  listen: 127.0.0.1:9191  # config.yaml:2\n"
                + "  token: \"my-fixed_token.1~\"  # config.yaml:3\n"), printed);
        assertEquals(loaded.settings().web(), ConfigLoader.load(Optional.of(write(printed)), List.of()).settings().web());
    }

    @Test
    void readsTheHttp2KeysFromTheFileAndFromSetAndPrintsThemBack() throws Exception {
        Path file = write("http2:\n  max_concurrent_streams: 50\n  stream_window: 128k\n  stall_timeout: 5s\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(file), List.of(ConfigLoader.parseSet("http2.enabled=false"),
                ConfigLoader.parseSet("http2.max_resets_per_second=20")));
        dev.wiretap.config.Http2Settings h2 = loaded.settings().http2();
        assertEquals(new dev.wiretap.config.Http2Settings(false, 50, 128 * 1024, 2 * 1024 * 1024, 16 * 1024, 64 * 1024, 20,
                200, java.time.Duration.ofSeconds(5)), h2);
        assertEquals("--set http2.enabled", loaded.sources().get("http2.enabled"));
        String printed = ConfigPrinter.effective(loaded.settings(), loaded.sources());
        assertTrue(printed.contains("http2:\n  enabled: false  # --set http2.enabled\n  max_concurrent_streams: 50  # config.yaml:2\n"),
                printed);
        assertEquals(h2, ConfigLoader.load(Optional.of(write(printed)), List.of()).settings().http2());
        ConfigError bad = assertThrows(ConfigError.class, () -> ConfigLoader.load(Optional.empty(),
                List.of(ConfigLoader.parseSet("http2.max_frame=1k"))));
        assertTrue(bad.getMessage().contains("http2.max_frame must be between 16k and 16m - 1"), bad.getMessage());
    }

    @Test
    void theWebUisDefaultsAreOnAtPort8081WithARandomToken() throws Exception {
        WebSettings web = ConfigLoader.load(Optional.empty(), List.of()).settings().web();
        assertEquals(new WebSettings(true, HostPort.parse("127.0.0.1:8081"), ""), web);
        assertTrue(web.hasRandomToken());
        assertTrue(ConfigPrinter.defaults().contains("web:\n  # serve the web UI beside the proxy (--no-web: off) (boolean)\n  enabled: true\n"),
                ConfigPrinter.defaults());
    }

    @Test
    void theDefaultWebAddressMayEqualTheProxysWhichThenTakesIt() throws Exception {
        // The UI's default yields (the command gives it a free port); only an address the user chose for both clashes.
        Settings settings = ConfigLoader.load(Optional.empty(), List.of(ConfigLoader.parseSet("listen=127.0.0.1:8081"))).settings();
        assertEquals(settings.listen(), settings.web().listen());
    }

    @Test
    void theEffectiveSettingsReadBackAsTheSame() throws Exception {
        Files.createDirectories(dir.resolve("fixtures"));
        Path file = write("""
                timeouts: {client_idle: 90s}
                tls: {passthrough: ["*.bank.example"]}
                rules:
                  - name: "auth: api"
                    match: host:api.example.com | status:5xx | header:"X-Env=a b" | url:"/api" | url:/v[0-9]\\/x/ | path:/v2/
                    set_headers: {Authorization: "Bearer a:b", X-Two: "2"}
                    add_headers: {X-More: yes}
                    remove_headers: [Cookie]
                    response: {set_headers: {Cache-Control: no-store}, remove_headers: [Set-Cookie]}
                  - match: path:/static/*
                    map_local: {path: fixtures, strip: /static}
                  - match: ""
                    map_remote: http://127.0.0.1:3000
                  - match: path:/health
                    respond: {status: 201, headers: {Content-Type: text/plain}, body: "all good"}
                  - match: host:x
                    block: 451
                    delay: 250ms
                    throttle: 8k
                """);
        Settings first = ConfigLoader.load(Optional.of(file), List.of()).settings()
                .withListen(HostPort.parse("[::1]:8080"));
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
        assertEquals(first.listen(), second.listen());
        assertTrue(printed.contains("client_idle: 90s  # config.yaml:1"), printed);
    }

    @Test
    void theDefaultsFileReadsBackAsTheDefaults() throws Exception {
        Path file = write(ConfigPrinter.defaults());
        assertEquals(Settings.defaults(), ConfigLoader.load(Optional.of(file), List.of()).settings());
        assertInstanceOf(String.class, ConfigPrinter.defaults());
    }

    @Test
    void theDefaultsFileShowsAnExampleOfEachKindOfRuleThatLoadsUncommented() throws Exception {
        String defaults = ConfigPrinter.defaults();
        assertTrue(defaults.contains(ConfigPrinter.RULES_EXAMPLE), defaults);
        String rules = ConfigPrinter.RULES_EXAMPLE.lines().filter(l -> l.startsWith("# rules:") || l.startsWith("#   "))
                .map(l -> l.substring(2)).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        Files.createDirectories(dir.resolve("mocks"));
        Files.writeString(dir.resolve("mocks/user.json"), "{}");
        Files.createDirectories(dir.resolve("static"));
        Settings s = ConfigLoader.load(Optional.of(write(rules)), List.of()).settings();
        java.util.Set<Class<?>> kinds = new java.util.HashSet<>();
        java.util.Set<String> sides = new java.util.HashSet<>();
        for (Rule rule : s.rules()) {
            for (RuleAction a : rule.actions()) {
                kinds.add(a.getClass());
                switch (a) {
                    case RuleAction.SetHeader h -> sides.add("set " + h.side());
                    case RuleAction.AddHeader h -> sides.add("add " + h.side());
                    case RuleAction.RemoveHeader h -> sides.add("remove " + h.side());
                    case RuleAction.Block b -> sides.add(b.status().isPresent() ? "block status" : "block drop");
                    case RuleAction.MapLocal m -> sides.add(Files.isDirectory(m.path()) ? "local dir" : "local file");
                    default -> { }
                }
            }
        }
        assertEquals(java.util.Set.of(RuleAction.SetHeader.class, RuleAction.AddHeader.class, RuleAction.RemoveHeader.class,
                RuleAction.MapRemote.class, RuleAction.MapLocal.class, RuleAction.Respond.class, RuleAction.Block.class,
                RuleAction.Delay.class, RuleAction.Throttle.class), kinds);
        assertEquals(java.util.Set.of("set REQUEST", "add REQUEST", "remove REQUEST", "set RESPONSE", "add RESPONSE",
                "remove RESPONSE", "block status", "block drop", "local dir", "local file"), sides);
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
