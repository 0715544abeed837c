package dev.wiretap.cli;

import dev.wiretap.cli.console.FlowFeed;
import dev.wiretap.cli.view.TerminalText;
import dev.wiretap.config.ClientAccess;
import dev.wiretap.config.HostPattern;
import dev.wiretap.config.HostPort;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import dev.wiretap.config.Settings;
import dev.wiretap.config.UpstreamProxies;
import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.tls.X25519Provider;
import dev.wiretap.web.WebUi;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code wiretap} command: makes {@link Settings} from the config file and the flags ({@link SettingsFromFlags}),
 * binds the web UI ({@link WebUi}, unless --no-web) and starts the engine, prints where both listen and then one line
 * per exchange, applies edits of the config file's
 * rules live ({@link ConfigWatcher}), and stops gracefully on Ctrl-C (SIGINT) or SIGTERM. Exit codes: 0 after a
 * normal stop (1 if the HAR asked for with --har could not be written), 1 when wiretap cannot start (the address is taken), 2 for bad flags, a broken config or a web UI
 * address asked for that is taken (then nothing is started). {@code wiretap ca} ({@link CaCommand}) tells how to trust wiretap's CA; {@code wiretap config}
 * ({@link ConfigCommand}) prints the settings in force.
 */
@Command(name = "wiretap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true, subcommands = {CaCommand.class, ConfigCommand.class},
        description = "An HTTP debugging proxy: point a client at it and see every exchange.",
        footer = {"", "Examples:",
                "  wiretap                                   listen on 127.0.0.1:8080",
                "  curl -x http://127.0.0.1:8080 http://example.com/",
                "  wiretap --listen 0.0.0.0:9000 -v          all interfaces, with headers",
                "  wiretap --listen 0.0.0.0:9000 --proxy-auth alice:s3cret   clients must log in",
                "  wiretap --upstream-proxy http://proxy.corp:3128",
                "  wiretap --upstream-proxy http://alice:s3cret@proxy.corp:3128",
                "  wiretap --upstream-proxy env              http_proxy, https_proxy, no_proxy",
                "  wiretap --web 127.0.0.1:9090              the web UI on another port (--no-web: none)",
                "  wiretap --config rules.yaml --set timeouts.upstream_read=2m",
                "  wiretap --replay-from api.har             serve recorded exchanges, no origin needed",
                "  wiretap config                            what is in force, and from where",
                "  wiretap ca                                trust wiretap's CA for HTTPS"})
public final class Main implements Callable<Integer> {

    // No picocli defaults on the flags below: an absent flag must leave the config file's value in force.
    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Address to accept clients on (default: 127.0.0.1:8080). Loopback unless you say otherwise.")
    HostPort listen;

    @Option(names = "--web", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Serve the web UI here (default: 127.0.0.1:8081, or a free port when that is taken).")
    HostPort web;

    @Option(names = "--no-web", description = "Do not serve the web UI.")
    boolean noWeb;

    @Option(names = "--upstream-proxy", paramLabel = "URL", converter = UpstreamProxyConverter.class,
            description = "Forward through another proxy: http://HOST:PORT, with credentials http://USER:PASSWORD@HOST:PORT"
                    + " (percent-encoded), https://... for TLS to the proxy; env: http_proxy, https_proxy and no_proxy.")
    UpstreamProxies upstreamProxy;

    @Option(names = "--proxy-auth", paramLabel = "USER:PASSWORD",
            description = "Clients must give these credentials (Basic proxy authentication; else 407). Others on this"
                    + " machine can read a flag: clients.auth in the config file keeps them out of sight.")
    String proxyAuth;

    @Option(names = {"-v", "--verbose"}, description = "Also print request and response headers, and connection counters.")
    boolean verbose;

    @Option(names = "--no-via", description = "Do not add a Via header to forwarded messages.")
    boolean noVia;

    @Option(names = "--no-intercept", description = "Do not decrypt HTTPS: tunnel every CONNECT untouched.")
    boolean noIntercept;

    @Option(names = "--passthrough", paramLabel = "HOST", converter = HostPatternConverter.class,
            description = "Never intercept these hosts (pinned apps, banking); globs like *.bank.example. Repeatable.")
    List<HostPattern> passthrough = new ArrayList<>();

    @Option(names = "--insecure-upstream",
            description = "Do not verify origins' TLS certificates (for test servers with self-made ones). Off by default.")
    boolean insecureUpstream;

    @Option(names = "--upstream-ca", paramLabel = "FILE",
            description = "Also trust the certificates in this PEM file for origins and an https:// upstream proxy (a"
                    + " company or test CA). Repeatable.")
    List<Path> upstreamCa = new ArrayList<>();

    @Option(names = "--replay-from", paramLabel = "FILE",
            description = "Answer requests with the exchanges recorded in FILE (a HAR or a session file) instead of the"
                    + " origins; replay.on_miss, replay.match_body and replay.timing say how.")
    Path replayFrom;

    @Option(names = "--ca-cert", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT, description = "Use your own CA certificate (PEM) instead of wiretap's; needs --ca-key.")
    Path caCert;

    @Option(names = "--ca-key", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT, description = "The private key (PEM) of --ca-cert.")
    Path caKey;

    @Option(names = "--config-dir", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Where wiretap keeps its CA and finds config.yaml (default: $WIRETAP_HOME, else ~/.wiretap).")
    Path configDir;

    @CommandLine.Mixin
    ConfigFlags config = new ConfigFlags();

    @CommandLine.Mixin
    HeadlessOptions headless = new HeadlessOptions();

    private final PrintStream out;
    private final PrintStream err;
    /** The web UI once bound (empty when off), for the banner and the stop. */
    private Optional<WebUi> webUi = Optional.empty();

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        SchedulerDefaults.apply();
        // TLS key exchange with clients and origins at a third of the JDK's CPU (docs/benchmarks.md). Here, in the
        // command's own JVM, not in the engine: a JCA provider is JVM-wide, and a library user's JVM keeps its own.
        if (!"jdk".equals(System.getProperty("wiretap.x25519"))) {
            X25519Provider.install();
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Parses {@code args} and runs; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new Main(out, err));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler(new UsageErrors(err));
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        if (!caFlagsPaired()) {
            err.println("wiretap: --ca-cert and --ca-key go together");
            return CommandLine.ExitCode.USAGE;
        }
        if (web != null && noWeb) {
            err.println("wiretap: --web and --no-web contradict each other; give one");
            return CommandLine.ExitCode.USAGE;
        }
        if (headless.harProblem().isPresent()) {
            err.println("wiretap: " + headless.harProblem().get());
            return CommandLine.ExitCode.USAGE;
        }
        SettingsFromFlags flags;
        ConfigLoader.Loaded loaded;
        try {
            flags = SettingsFromFlags.of(this, new ConfigFlags());
            loaded = flags.load();
        } catch (ConfigError e) {
            err.println("wiretap: " + TerminalText.visibleLines(e.getMessage())); // it may quote the file
            return CommandLine.ExitCode.USAGE;
        }
        Settings settings = loaded.settings();
        Terminal terminal = Terminal.detect();
        boolean console = headless.wantsConsole() && Terminal.isInteractive();
        FlowLog log = new FlowLog(out, err, terminal.colours(), verbose, headless.logFormat(), headless.filter());
        // The console's feed listens from the first flow on, though the console opens its terminal only after the
        // proxy listens (a client may be quicker).
        FlowFeed feed = new FlowFeed();
        feed.setView(headless.filter());
        Optional<WebUi> webUi;
        try {
            webUi = bindWebUi(loaded);
        } catch (IOException e) {
            err.println("wiretap: " + e.getMessage());
            return CommandLine.ExitCode.USAGE; // an address the user asked for: nothing listens yet, as for a bad flag
        }
        Wiretap wiretap;
        try {
            wiretap = Wiretap.start(settings, List.of(), console ? List.of(feed) : List.of(log));
        } catch (IOException e) {
            webUi.ifPresent(WebUi::stop);
            err.println("wiretap: " + e.getMessage());
            return 1;
        }
        webUi.ifPresent(w -> w.start(wiretap, loaded.file()));
        this.webUi = webUi;
        if (console) {
            return runConsole(wiretap, feed, flags, loaded);
        }
        if (headless.logFormat() == LogFormat.JSON) {
            log.printLine(JsonLogLine.startRecord(Wiretap.version(), "http://" + listenText(wiretap, settings), webUi.map(WebUi::url)));
        }
        log.start(wiretap.history()::get);
        // Reloads' notices and errors alike go where the log's notices go (after the flow lines before them): one stream.
        Optional<ConfigWatcher> watcher = loaded.file().flatMap(file -> ConfigWatcher.start(file,
                new ConfigReload(flags, settings, wiretap::updateRules, log::printNotice, log::printNotice)::reload,
                log::printNotice));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            watcher.ifPresent(ConfigWatcher::close);
            webUi.ifPresent(WebUi::stop);
            wiretap.stop();
            boolean harWritten = headless.writeHarAtExit(wiretap, log::printNotice, err);
            log.printNotice("wiretap stopped. " + summary(wiretap.stats()));
            log.stop();
            stopped.countDown();
            out.flush();
            err.flush();
            // Stopping on Ctrl-C or SIGTERM is this command's normal end, but the JVM would exit with 128 plus the
            // signal's number (130, 143). This hook is the only one we register and all the cleaning up is done, so
            // end with the documented 0 here (1 if the HAR asked for could not be written). A hook added later must do
            // its work before this line.
            Runtime.getRuntime().halt(harWritten ? 0 : 1);
        }, "wiretap-shutdown");
        // Before the banner: whoever waits for it to stop wiretap again must find the graceful stop in place.
        Runtime.getRuntime().addShutdownHook(hook);
        printBanner(wiretap, settings);
        PrintStream notices = headless.notices(out, err);
        loaded.file().ifPresent(file -> notices.println("config from " + file + ": " + ConfigReload.rules(settings)
                + (watcher.isPresent() ? "; edits apply without a restart" : "")));
        notices.flush();
        if (verbose) {
            log.startCounters(wiretap::stats);
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The console on this terminal until the user quits; a signal stops wiretap and gives the terminal back. */
    private int runConsole(Wiretap wiretap, FlowFeed feed, SettingsFromFlags flags, ConfigLoader.Loaded loaded) {
        Settings settings = loaded.settings();
        InteractiveMode console;
        try {
            console = InteractiveMode.open(wiretap, feed, loaded.file(), settings.tls().configDir(), listenText(wiretap, settings));
        } catch (IOException e) {
            err.println("wiretap: cannot open the terminal for the console (" + e.getMessage() + "); try --headless");
            wiretap.stop();
            return 1;
        }
        Optional<ConfigWatcher> watcher = loaded.file().flatMap(file -> ConfigWatcher.start(file,
                new ConfigReload(flags, settings, wiretap::updateRules, console::notice, console::error)::reload, console::error));
        Thread hook = new Thread(() -> {
            watcher.ifPresent(ConfigWatcher::close);
            webUi.ifPresent(WebUi::stop);
            wiretap.stop();
            console.restoreTerminal();
            boolean harWritten = headless.writeHarAtExit(wiretap, out::println, err);
            out.println("wiretap stopped. " + summary(wiretap.stats()));
            out.flush();
            Runtime.getRuntime().halt(harWritten ? 0 : 1); // as in call(): a stop by signal is a normal end
        }, "wiretap-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        printBanner(wiretap, settings);
        loaded.file().ifPresent(file -> out.println("config from " + file + ": " + ConfigReload.rules(settings)
                + (watcher.isPresent() ? "; edits apply without a restart" : "")));
        out.flush();
        webUi.ifPresent(w -> console.setWebUi(w.url()));
        console.run();
        Runtime.getRuntime().removeShutdownHook(hook);
        watcher.ifPresent(ConfigWatcher::close);
        webUi.ifPresent(WebUi::stop);
        wiretap.stop();
        console.restoreTerminal();
        boolean harWritten = headless.writeHarAtExit(wiretap, out::println, err);
        out.println("wiretap stopped. " + summary(wiretap.stats()));
        return harWritten ? 0 : 1;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** Whether --ca-cert and --ca-key were given together or not at all. */
    boolean caFlagsPaired() {
        return (caCert == null) == (caKey == null);
    }

    /**
     * The settings the config file and the flags ask for, for {@code wiretap ca} and {@code wiretap config}, with the
     * subcommand's own {@code --config} and {@code --set} after wiretap's.
     */
    ConfigLoader.Loaded loadSettings(ConfigFlags subcommand) throws ConfigError {
        return SettingsFromFlags.of(this, subcommand).load();
    }

    /** Where wiretap listens, as {@code host:port} ({@code [v6]:port}). */
    private static String listenText(Wiretap wiretap, Settings settings) {
        var address = wiretap.address();
        String where = (address.getAddress().isAnyLocalAddress() ? settings.listen().host() : address.getAddress().getHostAddress())
                + ":" + address.getPort();
        return where.indexOf(':') != where.lastIndexOf(':') ? "[" + where.substring(0, where.lastIndexOf(':')) + "]" + where.substring(where.lastIndexOf(':')) : where;
    }

    /**
     * Binds the web UI's address, unless it is off, before the proxy listens. A default address that is taken gives way
     * to a free port (said in the banner); one the user asked for (a flag, --set or the config file) is an error.
     */
    private static Optional<WebUi> bindWebUi(ConfigLoader.Loaded loaded) throws IOException {
        Settings settings = loaded.settings();
        if (!settings.web().enabled()) {
            return Optional.empty();
        }
        boolean chosen = !"default".equals(loaded.sources().getOrDefault("web.listen", "default"));
        return Optional.of(WebUi.bind(settings, chosen));
    }

    private void printBanner(Wiretap wiretap, Settings settings) {
        PrintStream out = headless.notices(this.out, err); // standard output may be for JSON lines alone
        String hostPort = listenText(wiretap, settings);
        out.println("wiretap " + Wiretap.version() + " listening on http://" + hostPort);
        webUi.ifPresent(w -> {
            w.fallbackNotice().ifPresent(out::println);
            out.println("web UI: " + w.url());
        });
        switch (settings.upstreamProxies()) {
            case UpstreamProxies.Fixed fixed -> out.println("forwarding through upstream proxy " + fixed.proxy());
            case UpstreamProxies.Environment env -> out.println("upstream proxies from the environment: " + env.describe());
            case UpstreamProxies.None none -> { }
        }
        wiretap.certificateAuthority().ifPresentOrElse(
                ca -> out.println("HTTPS interception on; CA certificate " + ca.certificateFile()
                        + " (to trust it: wiretap ca, or http://wiretap/ through the proxy)"),
                () -> out.println("HTTPS interception off: CONNECT tunnels pass untouched"));
        wiretap.replaying().ifPresent(replay -> out.println("replaying " + Plural.count(replay.recorded().size(),
                "recorded exchange") + " from " + replay.recorded().source() + (replay.settings().onMiss()
                == dev.wiretap.config.ReplaySettings.OnMiss.FORWARD ? "; others go to their origins" : "; others get a 502")));
        wiretap.replaying().ifPresent(replay -> replay.recorded().warnings().forEach(w -> err.println("wiretap: " + w)));
        if (!settings.tls().passthrough().isEmpty()) {
            out.println("not intercepted: " + settings.tls().passthrough());
        }

        wiretap.certificateAuthority().ifPresent(ca -> ca.warnings().forEach(w -> err.println("wiretap: warning: " + w)));
        if (settings.tls().insecureUpstream()) {
            err.println("wiretap: warning: --insecure-upstream: origins' certificates are not verified; anyone between"
                    + " wiretap and an origin can read and change that traffic.");
        }
        ClientAccess clients = settings.clients();
        if (clients.requiresAuth() || clients.hasAllowList()) {
            out.println("clients: " + (clients.requiresAuth() ? "proxy authentication required (user " + clients.user() + ")" : "")
                    + (clients.requiresAuth() && clients.hasAllowList() ? "; " : "")
                    + (clients.hasAllowList() ? "only from " + String.join(", ", clients.allow().stream().map(Object::toString).toList()) : ""));
        }
        if (!settings.listen().isLoopback() && !clients.requiresAuth() && !clients.hasAllowList()) {
            err.println("wiretap: warning: listening on " + settings.listen() + ", not loopback, with no access control:"
                    + " anyone who can reach this address can use wiretap as a proxy and see what it records. Ask for"
                    + " credentials (--proxy-auth USER:PASSWORD, clients.auth) or name the clients' addresses (clients.allow).");
        } else if (!settings.listen().isLoopback() && !clients.requiresAuth()) {
            err.println("wiretap: warning: listening on " + settings.listen() + ", not loopback, without proxy authentication:"
                    + " whoever can connect from " + String.join(", ", clients.allow().stream().map(Object::toString).toList())
                    + " can use wiretap as a proxy and see what it records.");
        }
        if (webUi.isPresent() && !settings.web().listen().isLoopback()) {
            err.println("wiretap: warning: the web UI listens on " + settings.web().listen() + ", not loopback: anyone who"
                    + " can reach this address can try to use it (it asks for the token) and see what wiretap records.");
        }
        out.flush();
    }

    static String summary(ConnectionStats s) {
        return Plural.count(s.flows(), "flow") + "; client connections " + s.clientAccepted() + " accepted; upstream connections "
                + s.upstreamOpened() + " opened, " + Plural.count(s.upstreamReused(), "reuse")
                + (s.tunnelReserved() == 0 ? "" : "; " + s.tunnelReserved() + " opened at a CONNECT, "
                        + s.tunnelReservedUsed() + " of them used")
                + (s.clientTlsHandshakes() == 0 ? "" : "; TLS with clients " + s.clientTlsHandshakes() + " handshakes, "
                        + s.clientTlsResumed() + " resumed");
    }

    /** Reports wiretap's version from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"wiretap " + Wiretap.version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }

    static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class HostPatternConverter implements CommandLine.ITypeConverter<HostPattern> {
        @Override
        public HostPattern convert(String value) {
            try {
                return new HostPattern(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class UpstreamProxyConverter implements CommandLine.ITypeConverter<UpstreamProxies> {
        @Override
        public UpstreamProxies convert(String value) {
            try {
                return UpstreamProxies.parse(value, System.getenv());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
