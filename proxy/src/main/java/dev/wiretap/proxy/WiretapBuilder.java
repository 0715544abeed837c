package dev.wiretap.proxy;

import dev.wiretap.config.HostMap;
import dev.wiretap.config.HostPort;
import dev.wiretap.config.ReplaySettings;
import dev.wiretap.config.Settings;
import dev.wiretap.config.TlsSettings;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Sets up a wiretap in code, for tests and programs (JUnit, TestNG, a main method):
 *
 * <pre>{@code
 * try (Wiretap wiretap = Wiretap.builder()
 *         .rules("- {match: host:api.example.test, respond: {status: 503}}")
 *         .resolve("auth.example.test", "127.0.0.1")
 *         .start()) {
 *     HttpClient client = HttpClient.newBuilder().proxy(wiretap.proxySelector()).sslContext(wiretap.clientSslContext()).build();
 *     ...
 * }
 * }</pre>
 *
 * Unlike the command, it listens on 127.0.0.1 at a free port and makes a CA of its own in a temporary directory,
 * deleted when wiretap stops (so nothing is written to {@code ~/.wiretap} and parallel proxies never share one), and
 * serves no web UI. Everything else is the settings' default, or the config file's ({@link #config}). {@link #start()}
 * may be called more than once, each time for a proxy of its own. Not thread-safe; the proxies it starts are.
 */
public final class WiretapBuilder {

    private Settings settings = Settings.defaults().withListen(new HostPort("127.0.0.1", 0));
    private Optional<Path> caDirectory = Optional.empty();
    private final List<Rule> rules = new ArrayList<>();
    private final List<Addon> addons = new ArrayList<>();
    private final List<FlowListener> listeners = new ArrayList<>();

    WiretapBuilder() {
    }

    /** Listens on {@code hostPort} ({@code 127.0.0.1:0}: loopback at a free port, the default). */
    public WiretapBuilder listen(String hostPort) {
        settings = settings.withListen(HostPort.parse(hostPort));
        return this;
    }

    /** Starts from these settings instead of the defaults (listen address and CA directory included). */
    public WiretapBuilder settings(Settings value) {
        settings = value;
        caDirectory = Optional.of(value.tls().configDir());
        return this;
    }

    /**
     * Starts from the settings in a config file (the command's format: rules, hosts, timeouts, replay ...); a listen
     * address or config directory it does not name stays the builder's (a free port; a temporary CA).
     *
     * @throws IllegalArgumentException if the file is broken (the message names the file, line and key)
     */
    public WiretapBuilder config(Path file) {
        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.load(Optional.of(file), List.of());
        } catch (ConfigError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Settings read = loaded.settings();
        if ("default".equals(loaded.sources().get("listen"))) {
            read = read.withListen(settings.listen());
        }
        if (!"default".equals(loaded.sources().get("config_dir"))) {
            caDirectory = Optional.of(read.tls().configDir());
        }
        settings = read.withTls(read.tls().withConfigDir(settings.tls().configDir()));
        return this;
    }

    /** Adds traffic rules written in YAML as a config file's {@code rules:} list (see {@link Wiretap#addRules(String)}). */
    public WiretapBuilder rules(String yaml) {
        try {
            rules.addAll(ConfigLoader.readRules(yaml, "<rules>", Path.of("")));
        } catch (ConfigError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return this;
    }

    /** Adds the traffic rules in a YAML file (relative paths in it relative to its directory). */
    public WiretapBuilder rules(Path yamlFile) {
        try {
            rules.addAll(ConfigLoader.readRules(yamlFile));
        } catch (ConfigError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return this;
    }

    /** Adds traffic rules made in code, after those given so far (and after the config file's). */
    public WiretapBuilder rules(List<Rule> value) {
        rules.addAll(value);
        return this;
    }

    /** Takes part in every exchange, after the rules and a replay, in the order added (see {@link Addon}). */
    public WiretapBuilder addon(Addon addon) {
        addons.add(addon);
        return this;
    }

    /** Receives every flow event, on the connections' threads (see {@link FlowListener}). */
    public WiretapBuilder listener(FlowListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Connects to {@code host} at {@code address} instead of DNS's (see {@link Wiretap#resolve}). */
    public WiretapBuilder resolve(String host, String address) {
        settings = settings.withHosts(settings.hosts().with(host, HostMap.Target.parse(address)));
        return this;
    }

    /** Serves the exchanges recorded in {@code file} in the origins' place (see {@link Wiretap#replayFrom(Path)}). */
    public WiretapBuilder replayFrom(Path file) {
        settings = settings.withReplay(settings.replay().withFrom(Optional.of(file)));
        return this;
    }

    /** Serves a recording as {@code replay} says: its file, matching, misses and timing. */
    public WiretapBuilder replay(ReplaySettings replay) {
        settings = settings.withReplay(replay);
        return this;
    }

    /** Trusts the CA certificates in these PEM files for origins too (a local test server's own CA). */
    public WiretapBuilder trustOrigins(Path... pemFiles) {
        List<Path> all = new ArrayList<>(settings.tls().trustedCerts());
        all.addAll(List.of(pemFiles));
        settings = settings.withTls(settings.tls().withTrustedCerts(all));
        return this;
    }

    /**
     * Keeps wiretap's CA in {@code directory} (made there if absent), instead of a temporary one: a CA that a browser or
     * device already trusts, such as the command's ({@code TlsSettings.defaultConfigDir()}).
     */
    public WiretapBuilder caDirectory(Path directory) {
        caDirectory = Optional.of(directory);
        return this;
    }

    /** Uses your own CA (PEM certificate and key) for the certificates wiretap shows clients. */
    public WiretapBuilder ca(Path certificate, Path key) {
        settings = settings.withTls(settings.tls().withOwnCa(new TlsSettings.OwnCa(certificate, key)));
        return this;
    }

    /** Turns HTTPS interception off: tunnels pass untouched, and there is no CA to trust. */
    public WiretapBuilder noIntercept() {
        settings = settings.withTls(settings.tls().withIntercept(false));
        return this;
    }

    /**
     * Starts a proxy with what was given; each call starts another.
     *
     * @throws IOException if the address cannot be bound, the CA cannot be made, or a replay file cannot be read
     */
    public Wiretap start() throws IOException {
        Settings s = settings;
        if (!rules.isEmpty()) {
            List<Rule> all = new ArrayList<>(s.rules());
            all.addAll(rules);
            s = s.withRules(all);
        }
        Path temporaryCa = null;
        if (caDirectory.isPresent()) {
            s = s.withTls(s.tls().withConfigDir(caDirectory.get()));
        } else if (s.tls().intercept() && s.tls().ownCa().isEmpty()) {
            temporaryCa = Files.createTempDirectory("wiretap-ca-");
            s = s.withTls(s.tls().withConfigDir(temporaryCa));
        }
        Wiretap wiretap;
        try {
            wiretap = Wiretap.start(s, addons, listeners);
        } catch (IOException | RuntimeException e) {
            deleteTree(temporaryCa);
            throw e;
        }
        Path made = temporaryCa;
        wiretap.afterStop(() -> deleteTree(made));
        return wiretap;
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Left behind, the directory holds only this proxy's CA, its key readable by its owner alone, in the
            // system's temporary directory; a stop must not fail over it.
        }
    }
}
