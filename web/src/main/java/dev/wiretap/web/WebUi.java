package dev.wiretap.web;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.service.ServiceListener;
import dev.wiretap.proxy.service.ServiceOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * wiretap's web UI: the page, its JSON API and its live event stream, served on the proxy's own HTTP code
 * ({@link ServiceListener}) with the proxy's limits and timeouts, and reading the engine only through the facade
 * (its flow store and events), as the console does. The command binds it ({@link #bind}) before the proxy listens, so
 * that an address the user asked for that is taken stops wiretap before anything listens, then starts it with the
 * running proxy ({@link #start}), prints {@link #url()}, and stops it at the end.
 *
 * <pre>{@code
 * WebUi web = WebUi.bind(settings, false);
 * Wiretap wiretap = Wiretap.start(settings, List.of(), List.of());
 * web.start(wiretap);
 * System.out.println("web UI: " + web.url());
 * }</pre>
 *
 * Thread-safe.
 */
public final class WebUi implements AutoCloseable {

    private final ServiceListener listener;
    private final WebToken token;
    private final String urlHost;
    private final String listenHost;
    private final Optional<String> fallback;
    private volatile LiveFeed feed;
    private volatile TrafficCounts counts;
    private volatile Wiretap wiretap;

    private WebUi(ServiceListener listener, WebToken token, String urlHost, String listenHost, Optional<String> fallback) {
        this.listener = listener;
        this.token = token;
        this.urlHost = urlHost;
        this.listenHost = listenHost;
        this.fallback = fallback;
    }

    /**
     * Binds the UI's address ({@code web.listen}) without serving yet. When that is the default and it is taken (or the
     * proxy was asked for its port), a free port on the same host is taken instead and {@link #fallbackNotice} says so.
     *
     * @param addressChosen whether the user asked for this address (a flag, {@code --set} or the config file): then a
     *                      taken address is an error, never replaced
     * @throws IOException if the address cannot be bound; the message names it and says why
     */
    public static WebUi bind(Settings settings, boolean addressChosen) throws IOException {
        HostPort wanted = settings.web().listen();
        ServiceOptions options = ServiceOptions.of("wiretap-web", settings);
        ServiceListener listener;
        Optional<String> fallback = Optional.empty();
        HostPort instead = new HostPort(wanted.host(), 0);
        if (!addressChosen && wanted.port() != 0 && wanted.port() == settings.listen().port()) {
            listener = ServiceListener.bind(instead, options);
            fallback = Optional.of(notice(wanted, "is the proxy's", listener));
        } else {
            try {
                listener = ServiceListener.bind(wanted, options);
            } catch (IOException e) {
                if (addressChosen || wanted.port() == 0) {
                    throw new IOException("cannot listen on " + wanted + " for the web UI: "
                            + e.getMessage().substring(e.getMessage().lastIndexOf(": ") + 2), e);
                }
                listener = ServiceListener.bind(instead, options);
                fallback = Optional.of(notice(wanted, "is taken", listener));
            }
        }
        InetSocketAddress bound = listener.address();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        String urlHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return new WebUi(listener, WebToken.of(settings.web().token()), urlHost, wanted.host(), fallback);
    }

    private static String notice(HostPort wanted, String why, ServiceListener listener) {
        return "web UI: " + wanted + " " + why + "; listening on port " + listener.address().getPort() + " instead";
    }

    /** Serves the UI for {@code wiretap}, started without a config file, from now until {@link #stop}. */
    public void start(Wiretap wiretap) {
        start(wiretap, Optional.empty());
    }

    /**
     * Serves the UI for {@code wiretap}, from now until {@link #stop}.
     *
     * @param configFile the config file wiretap started with and watches, if any: a mock the UI adds goes there (else
     *                   to config.yaml in the config directory, applied at once)
     */
    public void start(Wiretap wiretap, Optional<Path> configFile) {
        start(wiretap, configFile, FlowArchives.DEFAULT_MAX_IMPORT_BYTES);
    }

    /** As {@link #start(Wiretap, Optional)}, taking files of at most {@code maxImportBytes} to import (for tests). */
    void start(Wiretap wiretap, Optional<Path> configFile, long maxImportBytes) {
        this.wiretap = wiretap;
        LiveFeed live = new LiveFeed(wiretap.history(), wiretap.intercept());
        this.feed = live;
        TrafficCounts counts = new TrafficCounts();
        this.counts = counts;
        InetSocketAddress bound = listener.address();
        AccessGate gate = new AccessGate(token, bound.getAddress(), bound.getPort(), listenHost);
        WebRoutes routes = new WebRoutes(gate, new StaticAssets(), new FlowsApi(wiretap, live),
                new FlowActions(wiretap, configFile), new FlowExports(wiretap),
                new FlowArchives(wiretap, live, maxImportBytes), new InterceptApi(wiretap, live),
                new StateApi(wiretap, counts, configFile), wiretap);
        wiretap.events().add(counts);
        wiretap.events().add(live);
        live.start();
        listener.start(routes);
    }

    /** Where the UI listens (the real port when a free one was taken). */
    public InetSocketAddress address() {
        return listener.address();
    }

    /** The address to open, with the token: {@code http://127.0.0.1:8081/?token=...}. */
    public String url() {
        return "http://" + urlHost + ":" + listener.address().getPort() + "/?token=" + token.value();
    }

    /** The secret every page and API call must carry (for scripts: {@code Authorization: Bearer TOKEN}). */
    public String token() {
        return token.value();
    }

    /** When the default address was taken and another port was used: a line saying so, for the banner. */
    public Optional<String> fallbackNotice() {
        return fallback;
    }

    /** Browsers (and scripts) following the live list now; one whose stream closed counts until its next event. */
    int followers() {
        LiveFeed live = feed;
        return live == null ? 0 : live.clientCount();
    }

    /** Ends the live streams, then stops serving. Idempotent. */
    public void stop() {
        LiveFeed live = feed;
        if (live != null) {
            live.close();
            Wiretap w = wiretap;
            if (w != null) {
                w.events().remove(live);
                w.events().remove(counts);
            }
        }
        listener.stop(Duration.ofMillis(500));
    }

    @Override
    public void close() {
        stop();
    }
}
