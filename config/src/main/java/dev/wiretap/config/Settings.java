package dev.wiretap.config;

import dev.wiretap.config.rule.Rule;
import java.util.List;
import java.util.Objects;

/**
 * Every option wiretap has, as one immutable tree with documented defaults ({@link #defaults()}).
 * The command line (and later the config file) produce one of these; the engine takes it at start.
 *
 * @param listen        where wiretap accepts client connections; loopback by default so that it never
 *                      becomes an open proxy by accident
 * @param upstreamProxies which upstream proxy each request goes through, if any: none, one, or the environment's
 * @param addVia        whether to add a Via field to forwarded requests and responses (RFC 9110 section 7.6.3)
 * @param limits        limits on message heads
 * @param timeouts      how long to wait for each party
 * @param pool          the upstream connection pool
 * @param capture       what is kept of each flow
 * @param tls           HTTPS interception and TLS towards origins
 * @param rules         traffic rules, applied in order
 * @param web           the web UI served beside the proxy
 * @param http2         HTTP/2 on both sides: offered or not, windows and limits
 * @param hosts         host names connected to at an address of the user's choosing ({@code hosts:})
 * @param replay        recorded exchanges served in the origins' place ({@code --replay-from})
 * @param clients       who may use the proxy: credentials and client addresses (open by default, as on loopback)
 */
public record Settings(HostPort listen, UpstreamProxies upstreamProxies, boolean addVia, Limits limits,
                       Timeouts timeouts, PoolSettings pool, CaptureSettings capture, TlsSettings tls,
                       List<Rule> rules, WebSettings web, Http2Settings http2, HostMap hosts,
                       ReplaySettings replay, ClientAccess clients) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 8080);

    public Settings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(upstreamProxies, "upstreamProxies");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(capture, "capture");
        Objects.requireNonNull(tls, "tls");
        rules = List.copyOf(rules);
        Objects.requireNonNull(web, "web");
        Objects.requireNonNull(http2, "http2");
        Objects.requireNonNull(hosts, "hosts");
        Objects.requireNonNull(replay, "replay");
        Objects.requireNonNull(clients, "clients");
    }

    public static Settings defaults() {
        return new Settings(DEFAULT_LISTEN, UpstreamProxies.NONE, true, Limits.DEFAULTS, Timeouts.DEFAULTS,
                PoolSettings.DEFAULTS, CaptureSettings.DEFAULTS, TlsSettings.defaults(), List.of(), WebSettings.DEFAULTS,
                Http2Settings.DEFAULTS, HostMap.NONE, ReplaySettings.NONE, ClientAccess.OPEN);
    }

    public Settings withListen(HostPort value) {
        return new Settings(value, upstreamProxies, addVia, limits, timeouts, pool, capture, tls, rules, web, http2, hosts, replay, clients);
    }

    /** Everything through {@code value}; null for straight to origins. */
    public Settings withUpstreamProxy(UpstreamProxy value) {
        return withUpstreamProxies(UpstreamProxies.of(value));
    }

    public Settings withUpstreamProxies(UpstreamProxies value) {
        return new Settings(listen, value, addVia, limits, timeouts, pool, capture, tls, rules, web, http2, hosts, replay, clients);
    }

    public Settings withAddVia(boolean value) {
        return new Settings(listen, upstreamProxies, value, limits, timeouts, pool, capture, tls, rules, web, http2, hosts, replay, clients);
    }

    public Settings withLimits(Limits value) {
        return new Settings(listen, upstreamProxies, addVia, value, timeouts, pool, capture, tls, rules, web, http2, hosts, replay, clients);
    }

    public Settings withTimeouts(Timeouts value) {
        return new Settings(listen, upstreamProxies, addVia, limits, value, pool, capture, tls, rules, web, http2, hosts, replay, clients);
    }

    public Settings withPool(PoolSettings value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, value, capture, tls, rules, web, http2, hosts, replay, clients);
    }

    public Settings withTls(TlsSettings value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, capture, value, rules, web, http2, hosts, replay, clients);
    }

    public Settings withRules(List<Rule> value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, capture, tls, value, web, http2, hosts, replay, clients);
    }

    public Settings withWeb(WebSettings value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, capture, tls, rules, value, http2, hosts, replay, clients);
    }

    public Settings withCapture(CaptureSettings value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, value, tls, rules, web, http2, hosts, replay, clients);
    }

    public Settings withHttp2(Http2Settings value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, capture, tls, rules, web, value, hosts, replay, clients);
    }

    public Settings withHosts(HostMap value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, capture, tls, rules, web, http2, value, replay, clients);
    }

    public Settings withReplay(ReplaySettings value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, capture, tls, rules, web, http2, hosts, value, clients);
    }

    public Settings withClients(ClientAccess value) {
        return new Settings(listen, upstreamProxies, addVia, limits, timeouts, pool, capture, tls, rules, web, http2, hosts, replay, value);
    }
}
