package dev.wiretap.config.file;

import dev.wiretap.config.Cidr;
import dev.wiretap.config.ClientAccess;
import dev.wiretap.config.HostMap;
import dev.wiretap.config.HostPattern;
import dev.wiretap.config.HostPort;
import dev.wiretap.config.Limits;
import dev.wiretap.config.ReplaySettings;
import dev.wiretap.config.Settings;
import dev.wiretap.config.TlsSettings;
import dev.wiretap.config.UpstreamProxies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Every option wiretap has, one entry per key, in the order a config file lists them. The single source for binding
 * the file, {@code --set}, and printing settings and defaults. (Rules are read by {@link RulesReader}.)
 */
public final class Options {

    private static final List<Option> ALL = build();

    private Options() {
    }

    public static List<Option> all() {
        return ALL;
    }

    public static Optional<Option> find(String key) {
        return ALL.stream().filter(o -> o.key().equals(key)).findFirst();
    }

    /** Every key that may be written, rules included, for "did you mean" hints. */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>(ALL.stream().map(Option::key).toList());
        keys.add("rules");
        return keys;
    }

    private static List<Option> build() {
        List<Option> o = new ArrayList<>();
        o.add(new Option("listen", "HOST:PORT", "where wiretap accepts clients (loopback unless you mean otherwise)",
                s -> s.listen().toString(), (s, n, k) -> s.withListen(HostPort.parse(Values.text(n, k)))));
        o.add(new Option("upstream_proxy", "URL", "forward through this HTTP proxy, http[s]://[user:password@]host:port;"
                + " env: http_proxy, https_proxy and no_proxy from the environment (empty: none)",
                s -> s.upstreamProxies().toString(),
                (s, n, k) -> s.withUpstreamProxies(UpstreamProxies.parse(optionalText(n, k), System.getenv())),
                Settings::upstreamProxies));
        o.add(new Option("via", "boolean", "add a Via field to forwarded messages",
                s -> Boolean.toString(s.addVia()), (s, n, k) -> s.withAddVia(Values.bool(n, k))));
        o.add(new Option("hosts", "map of host name to address", "connect to these names at these addresses, as /etc/hosts"
                + " would for wiretap alone; the request keeps its name (Host, TLS): {api.example.test: 127.0.0.1}",
                s -> hostsText(s.hosts()), (s, n, k) -> s.withHosts(hosts(n, k))));

        o.add(new Option("config_dir", "directory", "where wiretap keeps its CA (empty: $WIRETAP_HOME, else ~/.wiretap)",
                s -> s.tls().configDir().equals(TlsSettings.defaultConfigDir()) ? "" : s.tls().configDir().toString(),
                (s, n, k) -> {
                    String dir = optionalText(n, k);
                    return s.withTls(s.tls().withConfigDir(dir.isBlank() ? TlsSettings.defaultConfigDir() : Path.of(dir)));
                }));

        o.add(new Option("clients.auth", "USER:PASSWORD", "clients must give these (proxy authentication, Basic;"
                + " else 407); empty: none", s -> s.clients().authText(false),
                (s, n, k) -> s.withClients(s.clients().withAuth(ClientAccess.parseAuth(optionalText(n, k), List.of()))),
                s -> s.clients().authText(true)));
        o.add(new Option("clients.allow", "list of CIDRs", "client addresses admitted, e.g. [10.0.0.0/8, \"::1\"]"
                + " (others: closed); empty: all", s -> list(s.clients().allow().stream().map(Cidr::toString).toList()),
                (s, n, k) -> s.withClients(s.clients().withAllow(cidrs(n, k)))));

        o.add(size("limits.max_target_bytes", "longest request target (longer: 414)", s -> s.limits().maxTargetBytes(),
                (s, v) -> s.withLimits(s.limits().withMaxTargetBytes(toInt(v)))));
        o.add(size("limits.max_header_bytes", "largest header section (larger: 431)", s -> s.limits().maxHeaderBytes(),
                (s, v) -> s.withLimits(s.limits().withMaxHeaderBytes(toInt(v)))));
        o.add(new Option("limits.max_header_count", "number", "most header fields (more: 431)",
                s -> Integer.toString(s.limits().maxHeaderCount()),
                (s, n, k) -> s.withLimits(s.limits().withMaxHeaderCount(Values.integer(n, k)))));
        o.add(size("limits.max_chunk_line_bytes", "longest chunk-size line (longer: 400)", s -> s.limits().maxChunkLineBytes(),
                (s, v) -> s.withLimits(s.limits().withMaxChunkLineBytes(toInt(v)))));
        o.add(size("limits.max_websocket_message", "largest WebSocket message, as sent or inflated (larger: closed with 1009)",
                s -> s.limits().maxWebSocketMessageBytes(), (s, v) -> s.withLimits(s.limits().withMaxWebSocketMessageBytes(v))));
        o.add(size("limits.min_body_rate", "bytes a second a request body must keep up on average"
                + " (a client timeouts.client_body behind: 408)", s -> s.limits().minBodyRate(),
                (s, v) -> s.withLimits(s.limits().withMinBodyRate(v))));
        o.add(new Option("limits.max_client_connections", "number", "client connections open at once (more wait to be accepted)",
                s -> Integer.toString(s.limits().maxClientConnections()),
                (s, n, k) -> s.withLimits(s.limits().withMaxClientConnections(Values.integer(n, k)))));

        o.add(duration("timeouts.client_idle", "close a kept-alive client connection idle this long", s -> s.timeouts().clientIdle(),
                (s, d) -> s.withTimeouts(s.timeouts().withClientIdle(d))));
        o.add(duration("timeouts.client_header", "a request head must arrive within this (else 408)", s -> s.timeouts().clientHeader(),
                (s, d) -> s.withTimeouts(s.timeouts().withClientHeader(d))));
        o.add(duration("timeouts.client_read", "longest silence while a client sends a body", s -> s.timeouts().clientRead(),
                (s, d) -> s.withTimeouts(s.timeouts().withClientRead(d))));
        o.add(duration("timeouts.client_body", "how far a request body may fall behind limits.min_body_rate (else 408)",
                s -> s.timeouts().clientBody(), (s, d) -> s.withTimeouts(s.timeouts().withClientBody(d))));
        o.add(duration("timeouts.upstream_connect", "connecting to an origin (else 504)", s -> s.timeouts().upstreamConnect(),
                (s, d) -> s.withTimeouts(s.timeouts().withUpstreamConnect(d))));
        o.add(duration("timeouts.upstream_read", "longest silence from an origin (else 504, or an aborted response)",
                s -> s.timeouts().upstreamRead(), (s, d) -> s.withTimeouts(s.timeouts().withUpstreamRead(d))));
        o.add(duration("timeouts.expect_continue", "wait this long for an origin's 100 Continue", s -> s.timeouts().expectContinue(),
                (s, d) -> s.withTimeouts(s.timeouts().withExpectContinue(d))));
        o.add(duration("timeouts.tunnel_idle", "close a tunnel with no traffic either way for this long", s -> s.timeouts().tunnelIdle(),
                (s, d) -> s.withTimeouts(s.timeouts().withTunnelIdle(d))));
        o.add(duration("timeouts.shutdown_grace", "on stop, let exchanges in flight run on this long", s -> s.timeouts().shutdownGrace(),
                (s, d) -> s.withTimeouts(s.timeouts().withShutdownGrace(d))));
        o.add(duration("timeouts.intercept", "a flow paused by intercept goes on as it stands after this", s -> s.timeouts().intercept(),
                (s, d) -> s.withTimeouts(s.timeouts().withIntercept(d))));

        o.add(new Option("pool.max_idle_per_route", "number", "idle origin connections kept per scheme, host and port",
                s -> Integer.toString(s.pool().maxIdlePerRoute()),
                (s, n, k) -> s.withPool(s.pool().withMaxIdlePerRoute(Values.integer(n, k)))));
        o.add(new Option("pool.max_idle_total", "number", "idle origin connections kept in all",
                s -> Integer.toString(s.pool().maxIdleTotal()),
                (s, n, k) -> s.withPool(s.pool().withMaxIdleTotal(Values.integer(n, k)))));
        o.add(duration("pool.idle_timeout", "close an idle origin connection after this", s -> s.pool().idleTimeout(),
                (s, d) -> s.withPool(s.pool().withIdleTimeout(d))));

        o.add(size("capture.max_body", "capture each body up to this (the rest still flows)", s -> s.capture().maxBodyBytes(),
                (s, v) -> s.withCapture(s.capture().withMaxBodyBytes(toInt(v)))));
        o.add(size("capture.store_budget", "keep recent flows within this much memory (at most a quarter of the heap)",
                s -> s.capture().storeBudgetBytes(), (s, v) -> s.withCapture(s.capture().withStoreBudgetBytes(v))));
        o.add(new Option("capture.max_messages", "number", "keep each WebSocket's newest messages up to this many",
                s -> Integer.toString(s.capture().maxMessages()),
                (s, n, k) -> s.withCapture(s.capture().withMaxMessages(Values.integer(n, k)))));
        o.add(new Option("capture.max_paused", "number", "at most this many flows wait paused by intercept at once (more go on)",
                s -> Integer.toString(s.capture().maxPaused()),
                (s, n, k) -> s.withCapture(s.capture().withMaxPaused(Values.integer(n, k)))));
        o.add(size("capture.max_paused_bytes", "the bodies paused flows hold, in all (a flow past it goes on)",
                s -> s.capture().maxPausedBytes(), (s, v) -> s.withCapture(s.capture().withMaxPausedBytes(v))));
        o.add(size("capture.in_flight_budget", "bodies of flows in flight are captured within this in all (at most an"
                + " eighth of the heap; past it: not captured further)", s -> s.capture().inFlightBudgetBytes(),
                (s, v) -> s.withCapture(s.capture().withInFlightBudgetBytes(v))));

        o.add(new Option("tls.intercept", "boolean", "decrypt HTTPS with wiretap's CA (off: tunnel it untouched)",
                s -> Boolean.toString(s.tls().intercept()), (s, n, k) -> s.withTls(s.tls().withIntercept(Values.bool(n, k)))));
        o.add(new Option("tls.passthrough", "list of host patterns", "hosts never intercepted (globs like *.bank.example)",
                s -> list(s.tls().passthrough().stream().map(HostPattern::toString).toList()),
                (s, n, k) -> s.withTls(s.tls().withPassthrough(patterns(Values.texts(n, k))))));
        o.add(new Option("tls.insecure_upstream", "boolean", "do not verify origins' certificates (unsafe)",
                s -> Boolean.toString(s.tls().insecureUpstream()),
                (s, n, k) -> s.withTls(s.tls().withInsecureUpstream(Values.bool(n, k)))));
        o.add(new Option("tls.trusted_certs", "list of PEM files", "extra certificates (CAs) to trust for origins",
                s -> list(s.tls().trustedCerts().stream().map(Path::toString).toList()),
                (s, n, k) -> s.withTls(s.tls().withTrustedCerts(Values.texts(n, k).stream().map(Path::of).toList()))));
        o.add(new Option("tls.ca_cert", "PEM file", "your own CA certificate instead of wiretap's (with tls.ca_key)",
                s -> s.tls().ownCa().map(ca -> ca.certificate().toString()).orElse(""),
                (s, n, k) -> withOwnCa(s, optionalText(n, k), null)));
        o.add(new Option("tls.ca_key", "PEM file", "the private key of tls.ca_cert",
                s -> s.tls().ownCa().map(ca -> ca.key().toString()).orElse(""),
                (s, n, k) -> withOwnCa(s, null, optionalText(n, k))));

        o.add(new Option("http2.enabled", "boolean", "offer HTTP/2 (ALPN h2) to clients in intercepted TLS, and to origins",
                s -> Boolean.toString(s.http2().enabled()), (s, n, k) -> s.withHttp2(s.http2().withEnabled(Values.bool(n, k)))));
        o.add(new Option("http2.max_concurrent_streams", "number", "streams a client may have open at once (more: refused)",
                s -> Integer.toString(s.http2().maxConcurrentStreams()),
                (s, n, k) -> s.withHttp2(s.http2().withMaxConcurrentStreams(Values.integer(n, k)))));
        o.add(size("http2.stream_window", "what a peer may send on a stream before wiretap reads it",
                s -> s.http2().streamWindowBytes(), (s, v) -> s.withHttp2(s.http2().withStreamWindowBytes(toInt(v)))));
        o.add(size("http2.connection_window", "what a peer may send on a connection before wiretap reads it",
                s -> s.http2().connectionWindowBytes(), (s, v) -> s.withHttp2(s.http2().withConnectionWindowBytes(toInt(v)))));
        o.add(size("http2.max_frame", "largest frame payload accepted", s -> s.http2().maxFrameBytes(),
                (s, v) -> s.withHttp2(s.http2().withMaxFrameBytes(toInt(v)))));
        o.add(size("http2.max_header_list", "largest header list, decoded (larger: 431, or the connection closes)",
                s -> s.http2().maxHeaderListBytes(), (s, v) -> s.withHttp2(s.http2().withMaxHeaderListBytes(toInt(v)))));
        o.add(new Option("http2.max_resets_per_second", "number", "streams a client may cancel per second (more: it is cut off)",
                s -> Integer.toString(s.http2().maxResetsPerSecond()),
                (s, n, k) -> s.withHttp2(s.http2().withMaxResetsPerSecond(Values.integer(n, k)))));
        o.add(new Option("http2.max_control_frames_per_second", "number",
                "SETTINGS, PING, PRIORITY and empty frames a client may send per second (more: it is cut off)",
                s -> Integer.toString(s.http2().maxControlFramesPerSecond()),
                (s, n, k) -> s.withHttp2(s.http2().withMaxControlFramesPerSecond(Values.integer(n, k)))));
        o.add(duration("http2.stall_timeout", "reset a stream whose peer keeps its window shut this long",
                s -> s.http2().stallTimeout(), (s, d) -> s.withHttp2(s.http2().withStallTimeout(d))));
        o.add(new Option("replay.from", "HAR or session file", "answer requests from these recorded exchanges, not"
                + " the origins (--replay-from; empty: no replay)",
                s -> s.replay().from().map(Path::toString).orElse(""),
                (s, n, k) -> {
                    String file = optionalText(n, k);
                    return s.withReplay(s.replay().withFrom(file.isBlank() ? Optional.empty() : Optional.of(Path.of(file))));
                }));
        o.add(new Option("replay.on_miss", "forward or 502", "a request that was not recorded goes to its origin (forward)"
                + " or is answered 502 naming it", s -> s.replay().onMiss().toString(),
                (s, n, k) -> s.withReplay(s.replay().withOnMiss(ReplaySettings.OnMiss.parse(Values.text(n, k))))));
        o.add(new Option("replay.match_body", "boolean", "a request matches a recorded one only if its body is the same too"
                + " (else method and URL)", s -> Boolean.toString(s.replay().matchBody()),
                (s, n, k) -> s.withReplay(s.replay().withMatchBody(Values.bool(n, k)))));
        o.add(new Option("replay.timing", "boolean", "answer after the time the origin took when recorded (else at once)",
                s -> Boolean.toString(s.replay().timing()), (s, n, k) -> s.withReplay(s.replay().withTiming(Values.bool(n, k)))));

        o.add(new Option("web.enabled", "boolean", "serve the web UI beside the proxy (--no-web: off)",
                s -> Boolean.toString(s.web().enabled()), (s, n, k) -> s.withWeb(s.web().withEnabled(Values.bool(n, k)))));
        o.add(new Option("web.listen", "HOST:PORT", "where the web UI accepts browsers (the default port taken: a free one)",
                s -> s.web().listen().toString(), (s, n, k) -> s.withWeb(s.web().withListen(HostPort.parse(Values.text(n, k))))));
        o.add(new Option("web.token", "text", "the web UI's secret (letters, digits, - . _ ~; empty: a random one per start)",
                s -> s.web().token(), (s, n, k) -> s.withWeb(s.web().withToken(optionalText(n, k)))));
        return List.copyOf(o);
    }

    /** {@code hosts:}: a mapping of names to addresses ({@code ~} or {} for none). */
    private static HostMap hosts(ConfigNode node, String key) throws ConfigError {
        if (node instanceof ConfigNode.Scalar sc && sc.isNull()) {
            return HostMap.NONE;
        }
        if (!(node instanceof ConfigNode.Mapping map)) {
            throw new ConfigError(node.where(), key, "expected a mapping of host names to addresses, e.g."
                    + " {api.example.test: 127.0.0.1}, found " + node.kind());
        }
        HostMap hosts = HostMap.NONE;
        for (ConfigNode.Entry e : map.entries().values()) {
            String where = key + "." + e.key();
            try {
                hosts = hosts.with(e.key(), HostMap.Target.parse(Values.text(e.value(), where)));
            } catch (IllegalArgumentException ex) {
                throw new ConfigError(e.value().where(), where, ex.getMessage());
            }
        }
        return hosts;
    }

    private static String hostsText(HostMap hosts) {
        StringBuilder sb = new StringBuilder("{");
        hosts.targets().forEach((host, target) -> sb.append(sb.length() > 1 ? ", " : "").append(host).append(": ")
                .append(ConfigPrinter.yaml(target.toString())));
        return sb.append('}').toString();
    }

    /** A value that may be left empty ({@code ~}): then empty text. */
    private static String optionalText(ConfigNode n, String k) throws ConfigError {
        return n instanceof ConfigNode.Scalar sc && sc.isNull() ? "" : Values.text(n, k);
    }

    private static Settings withOwnCa(Settings s, String cert, String key) {
        Optional<TlsSettings.OwnCa> current = s.tls().ownCa();
        if ((cert != null && cert.isEmpty() || key != null && key.isEmpty()) && current.isEmpty()) {
            return s; // left empty while no CA of one's own is set: nothing to change
        }
        Path c = cert != null ? Path.of(cert) : current.map(TlsSettings.OwnCa::certificate).orElse(Path.of(""));
        Path k = key != null ? Path.of(key) : current.map(TlsSettings.OwnCa::key).orElse(Path.of(""));
        return s.withTls(s.tls().withOwnCa(new TlsSettings.OwnCa(c, k)));
    }

    private static List<Cidr> cidrs(ConfigNode n, String k) throws ConfigError {
        List<Cidr> blocks = new ArrayList<>();
        for (String text : Values.texts(n, k)) {
            blocks.add(Cidr.parse(text));
        }
        return blocks;
    }

    private static List<HostPattern> patterns(List<String> texts) {
        return texts.stream().map(HostPattern::new).toList();
    }

    private static String list(List<String> items) {
        return "[" + String.join(", ", items.stream().map(ConfigPrinter::yaml).toList()) + "]";
    }

    private static int toInt(long value) {
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(Values.formatSize(value) + " is too large (at most 2g)");
        }
        return (int) value;
    }

    private static Option duration(String key, String doc, Function<Settings, Duration> get,
                                   BiFunction<Settings, Duration, Settings> set) {
        return new Option(key, "duration", doc, s -> Values.formatDuration(get.apply(s)),
                (s, n, k) -> set.apply(s, Values.duration(n, k)));
    }

    private static Option size(String key, String doc, Function<Settings, Number> get, BiFunction<Settings, Long, Settings> set) {
        return new Option(key, "size", doc, s -> Values.formatSize(get.apply(s).longValue()),
                (s, n, k) -> set.apply(s, Values.size(n, k)));
    }

}
