package dev.wiretap.cli;

import dev.wiretap.config.HostPattern;
import dev.wiretap.config.HostPort;
import dev.wiretap.config.TlsSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import dev.wiretap.config.Settings;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.Wiretap;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code wiretap} command: turns flags into {@link Settings}, starts the engine, prints where it listens and
 * then one line per exchange, and stops gracefully on Ctrl-C (SIGINT) or SIGTERM. Exit codes: 0 after a normal
 * stop (1 if the HAR asked for with --har could not be written), 1 when wiretap cannot start (the address is taken),
 * 2 for bad flags. {@code wiretap ca} ({@link CaCommand}) tells how to trust wiretap's CA.
 */
@Command(name = "wiretap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true, subcommands = CaCommand.class,
        description = "An HTTP debugging proxy: point a client at it and see every exchange.",
        footer = {"", "Examples:",
                "  wiretap                                   listen on 127.0.0.1:8080",
                "  curl -x http://127.0.0.1:8080 http://example.com/",
                "  wiretap --listen 0.0.0.0:9000 -v          all interfaces, with headers",
                "  wiretap --upstream-proxy http://proxy.corp:3128",
                "  wiretap ca                                trust wiretap's CA for HTTPS"})
public final class Main implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Address to accept clients on (default: ${DEFAULT-VALUE}). Loopback unless you say otherwise.",
            defaultValue = "127.0.0.1:8080")
    HostPort listen;

    @Option(names = "--upstream-proxy", paramLabel = "URL", converter = UpstreamProxyConverter.class,
            description = "Forward everything through this HTTP proxy, e.g. http://proxy.corp:3128.")
    UpstreamProxy upstreamProxy;

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
            description = "Also trust the certificates in this PEM file for origins (a company or test CA). Repeatable.")
    List<Path> upstreamCa = new ArrayList<>();

    @Option(names = "--ca-cert", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT, description = "Use your own CA certificate (PEM) instead of wiretap's; needs --ca-key.")
    Path caCert;

    @Option(names = "--ca-key", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT, description = "The private key (PEM) of --ca-cert.")
    Path caKey;

    @Option(names = "--config-dir", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Where wiretap keeps its CA (default: $WIRETAP_HOME, else ~/.wiretap).")
    Path configDir;

    @CommandLine.Mixin
    HeadlessOptions headless = new HeadlessOptions();

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        SchedulerDefaults.apply();
        System.exit(run(args, System.out, System.err));
    }

    /** Parses {@code args} and runs; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new Main(out, err));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("wiretap: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the flags.");
            return CommandLine.ExitCode.USAGE;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        if (!caFlagsPaired()) {
            err.println("wiretap: --ca-cert and --ca-key go together");
            return CommandLine.ExitCode.USAGE;
        }
        if (headless.harProblem().isPresent()) {
            err.println("wiretap: " + headless.harProblem().get());
            return CommandLine.ExitCode.USAGE;
        }
        Settings settings = Settings.defaults().withListen(listen).withAddVia(!noVia).withTls(tlsSettings());
        if (upstreamProxy != null) {
            settings = settings.withUpstreamProxy(upstreamProxy);
        }
        Terminal terminal = Terminal.detect();
        FlowLog log = new FlowLog(out, err, terminal.colours(), verbose, headless.logFormat(), headless.filter());
        Wiretap wiretap;
        try {
            wiretap = Wiretap.start(settings, List.of(), List.of(log));
        } catch (IOException e) {
            err.println("wiretap: " + e.getMessage());
            return 1;
        }
        log.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            wiretap.stop();
            boolean harWritten = headless.writeHarAtExit(wiretap, log, err);
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

    /** The TLS settings the flags ask for (also what {@code wiretap ca} loads the CA with). */
    TlsSettings tlsSettings() {
        TlsSettings tls = TlsSettings.defaults().withIntercept(!noIntercept).withPassthrough(passthrough)
                .withInsecureUpstream(insecureUpstream).withTrustedCerts(upstreamCa);
        if (configDir != null) {
            tls = tls.withConfigDir(configDir);
        }
        if (caCert != null) {
            tls = tls.withOwnCa(new TlsSettings.OwnCa(caCert, caKey));
        }
        return tls;
    }

    private void printBanner(Wiretap wiretap, Settings settings) {
        PrintStream out = headless.notices(this.out, err); // standard output may be for JSON lines alone
        var address = wiretap.address();
        String where = (address.getAddress().isAnyLocalAddress() ? settings.listen().host() : address.getAddress().getHostAddress())
                + ":" + address.getPort();
        String hostPort = where.indexOf(':') != where.lastIndexOf(':') ? "[" + where.substring(0, where.lastIndexOf(':')) + "]" + where.substring(where.lastIndexOf(':')) : where;
        out.println("wiretap " + Wiretap.version() + " listening on http://" + hostPort);
        settings.upstreamProxy().ifPresent(p -> out.println("forwarding through upstream proxy " + p));
        wiretap.certificateAuthority().ifPresentOrElse(
                ca -> out.println("HTTPS interception on; CA certificate " + ca.certificateFile()
                        + " (to trust it: wiretap ca, or http://wiretap/ through the proxy)"),
                () -> out.println("HTTPS interception off: CONNECT tunnels pass untouched"));
        if (!settings.tls().passthrough().isEmpty()) {
            out.println("not intercepted: " + settings.tls().passthrough());
        }
        if (settings.tls().insecureUpstream()) {
            err.println("wiretap: warning: --insecure-upstream: origins' certificates are not verified; anyone between"
                    + " wiretap and an origin can read and change that traffic.");
        }
        if (!settings.listen().isLoopback()) {
            err.println("wiretap: warning: listening on " + settings.listen() + ", not loopback: anyone who can reach this"
                    + " address can use wiretap as a proxy and see what it records.");
        }
        out.flush();
    }

    static String summary(ConnectionStats s) {
        return s.flows() + " flows; client connections " + s.clientAccepted() + " accepted; upstream connections "
                + s.upstreamOpened() + " opened, " + s.upstreamReused() + " reuses";
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

    static final class UpstreamProxyConverter implements CommandLine.ITypeConverter<UpstreamProxy> {
        @Override
        public UpstreamProxy convert(String value) {
            try {
                return UpstreamProxy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
