package dev.wiretap.proxy;

import dev.wiretap.config.HostMap;
import dev.wiretap.config.ReplaySettings;
import dev.wiretap.config.Settings;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.addon.RecordedExchanges;
import dev.wiretap.proxy.addon.ServerReplay;
import dev.wiretap.proxy.upstream.HostRemap;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.addon.InterceptAddon;
import dev.wiretap.proxy.addon.RulesAddon;
import dev.wiretap.proxy.edit.EditedRequest;
import dev.wiretap.proxy.edit.HttpMessageText;
import dev.wiretap.proxy.event.FlowEvents;
import dev.wiretap.proxy.event.FlowListener;
import dev.wiretap.proxy.event.FlowHistory;
import dev.wiretap.proxy.event.FlowStore;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.DirectBufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.http1.RequestParser;
import dev.wiretap.proxy.http1.ResponseParser;
import dev.wiretap.proxy.flow.CaptureBudget;
import dev.wiretap.proxy.live.FlowPublisher;
import dev.wiretap.proxy.server.ClientGate;
import dev.wiretap.proxy.server.Listener;
import dev.wiretap.proxy.server.Replayer;
import dev.wiretap.proxy.server.SelfAddress;
import dev.wiretap.proxy.server.ServerContext;
import dev.wiretap.proxy.upstream.Dialer;
import dev.wiretap.proxy.upstream.UpstreamPool;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import dev.wiretap.proxy.tls.CertificateAuthority;
import dev.wiretap.proxy.tls.InterceptTls;
import dev.wiretap.proxy.tls.LeafCertificates;
import dev.wiretap.proxy.tls.UpstreamTrust;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * The engine's front door: starts a proxy with {@link Settings}, addons and listeners, tells where it listens, gives
 * access to its flows, events and counters, and stops it. Everything outside the {@code proxy} module (the
 * command, the console, tests) drives wiretap through this class.
 *
 * <pre>{@code
 * try (Wiretap proxy = Wiretap.start(Settings.defaults().withListen(HostPort.parse("127.0.0.1:0")), List.of(), List.of())) {
 *     InetSocketAddress address = proxy.address();
 *     ...
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class Wiretap implements AutoCloseable {

    private static final int HEAD_BUFFER_BYTES = 32 * 1024;
    private static final int BODY_BUFFER_BYTES = 64 * 1024;
    /** 256 KiB per read and write between sockets; at most 32 of them (8 MiB of direct memory) exist at once. */
    private static final int DIRECT_BUFFER_BYTES = 256 * 1024;
    private static final int MAX_DIRECT_BUFFERS = 32;

    private final Settings settings;
    private final Listener listener;
    private final UpstreamPool pool;
    private final FlowPublisher events;
    private final FlowStore store;
    private final AtomicLong flowIds;
    private final ReadWatchdog watchdog;
    private final Optional<CertificateAuthority> ca;
    private final Thread janitor;
    private final RulesAddon rules;
    private final InterceptAddon intercept;
    private final Replayer replayer;
    private final HttpMessageText messageText;
    private final CodeRules codeRules;
    private final HostRemap hosts;
    private final ServerReplay serverReplay;
    private final FlowQueries queries;
    private final List<Runnable> afterStop = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CaptureBudget captureBudget;
    private final ClientGate gate;
    private final Optional<InterceptTls> interceptTls;
    private volatile boolean stopped;

    private Wiretap(Settings settings, Listener listener, UpstreamPool pool, FlowPublisher events, FlowStore store,
                    AtomicLong flowIds, ReadWatchdog watchdog, Optional<CertificateAuthority> ca, RulesAddon rules,
                    InterceptAddon intercept, HostRemap hosts, ServerReplay serverReplay, CaptureBudget captureBudget,
                    ClientGate gate, Optional<InterceptTls> interceptTls) {
        this.interceptTls = interceptTls;
        this.captureBudget = captureBudget;
        this.gate = gate;
        this.rules = rules;
        this.codeRules = new CodeRules(rules, settings.rules());
        this.hosts = hosts;
        this.serverReplay = serverReplay;
        this.queries = new FlowQueries(store, events, flowIds::get);
        hosts.onChange(names -> pool.closeIdle(route -> names.contains(route.host())));
        this.intercept = intercept;
        this.replayer = new Replayer(listener);
        this.messageText = new HttpMessageText(settings.limits());
        this.watchdog = watchdog;
        this.ca = ca;
        this.settings = settings;
        this.listener = listener;
        this.pool = pool;
        this.events = events;
        this.store = store;
        this.flowIds = flowIds;
        this.janitor = Thread.ofVirtual().name("wiretap-pool-janitor").unstarted(this::evictIdleConnections);
    }

    /**
     * Starts a proxy: binds the listen address and begins accepting.
     *
     * @param addons    take part in every exchange, in this order, after the settings' rules and before the
     *                  intercept (which so sees each message as it would go on)
     * @param listeners receive every flow event (after the flow store)
     * @throws IOException if the address cannot be bound (the message says which and why)
     */
    public static Wiretap start(Settings settings, List<Addon> addons, List<FlowListener> listeners) throws IOException {
        FlowPublisher events = new FlowPublisher();
        long heapQuarter = Runtime.getRuntime().maxMemory() / 4;
        FlowStore store = new FlowStore(Math.min(settings.capture().storeBudgetBytes(), heapQuarter));
        events.add(store);
        listeners.forEach(events::add);
        BufferPool headBuffers = new BufferPool(HEAD_BUFFER_BYTES, pooled(HEAD_BUFFER_BYTES, 1024));
        BufferPool bodyBuffers = new BufferPool(BODY_BUFFER_BYTES, pooled(BODY_BUFFER_BYTES, 64));
        DirectBufferPool directBuffers = new DirectBufferPool(DIRECT_BUFFER_BYTES, MAX_DIRECT_BUFFERS);
        InetAddress listenAddress;
        try {
            listenAddress = InetAddress.getByName(settings.listen().host());
        } catch (java.net.UnknownHostException e) {
            throw new IOException("cannot listen on " + settings.listen() + ": unknown host " + settings.listen().host(), e);
        }
        SelfAddress self = new SelfAddress(listenAddress);
        HostRemap hosts = new HostRemap(settings.hosts());
        Dialer dialer = new Dialer(settings.timeouts(), settings.limits(), self::isSelf,
                UpstreamTrust.socketFactory(settings.tls()), !settings.tls().insecureUpstream(), headBuffers, hosts);
        // A replay file that cannot be served stops the start before anything listens.
        ServerReplay serverReplay = new ServerReplay();
        if (settings.replay().isOn()) {
            serverReplay.start(ReplayFiles.read(settings.replay(), settings), settings.replay());
        }
        CertificateAuthority ca = settings.tls().intercept() ? CertificateAuthority.load(settings.tls()) : null;
        Optional<InterceptTls> interceptTls = ca == null ? Optional.empty()
                : Optional.of(new InterceptTls(new LeafCertificates(ca, settings.tls().leafCacheSize()),
                        settings.http2().enabled()));
        ReadWatchdog watchdog = new ReadWatchdog();
        UpstreamPool pool = new UpstreamPool(settings.pool(), settings.http2(), dialer, headBuffers, watchdog,
                settings.timeouts().upstreamRead(), System::nanoTime);
        AtomicLong flowIds = new AtomicLong();
        CaptureBudget captureBudget = new CaptureBudget(Math.min(settings.capture().inFlightBudgetBytes(),
                Runtime.getRuntime().maxMemory() / 8));
        ClientGate gate = new ClientGate(settings.clients());
        RulesAddon rules = new RulesAddon(settings.rules());
        List<Addon> allAddons = new java.util.ArrayList<>();
        allAddons.add(rules);
        allAddons.add(serverReplay); // after the rules: a rule's answer comes before a recorded one
        allAddons.addAll(addons);
        InterceptAddon intercept = new InterceptAddon(events, settings.timeouts().intercept(),
                settings.capture().maxPaused(), settings.capture().maxPausedBytes());
        allAddons.add(intercept);
        ServerContext ctx = new ServerContext(settings, new RequestParser(settings.limits()),
                new ResponseParser(settings.limits()), headBuffers, bodyBuffers, directBuffers, pool, dialer, events,
                List.copyOf(allAddons), flowIds, self, watchdog, interceptTls, version(), captureBudget, gate);
        Listener listener = Listener.start(ctx, settings.listen());
        Wiretap wiretap = new Wiretap(settings, listener, pool, events, store, flowIds, watchdog, Optional.ofNullable(ca),
                rules, intercept, hosts, serverReplay, captureBudget, gate, interceptTls);
        wiretap.janitor.start();
        // Minting loads BouncyCastle's classes; doing it once now, off the start path, keeps the first real one quick.
        interceptTls.ifPresent(tls -> Thread.ofVirtual().name("wiretap-tls-warmup").start(() -> tls.leaves().mint("warmup.invalid")));
        return wiretap;
    }

    /**
     * How many buffers of {@code bytes} a pool keeps for reuse: {@code most}, or fewer on a small heap, so that what
     * the pools keep after a burst of concurrent exchanges stays within a sixteenth of the heap (4 MiB of 64).
     */
    static int pooled(int bytes, int most) {
        return (int) Math.max(1, Math.min(most, Runtime.getRuntime().maxMemory() / 16 / bytes));
    }

    /** The address wiretap listens on (with the real port when port 0 was asked for). */
    public InetSocketAddress address() {
        return listener.address();
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The traffic rules in force, in the order they are tried: those added in code ({@link #when}, newest first), then
     * the config's (the settings' at start, or the last {@link #updateRules} given).
     */
    public List<Rule> rules() {
        return rules.rules();
    }

    /**
     * Replaces the config's traffic rules while running (a config reload), keeping those added in code: exchanges whose
     * request head arrives after this call see the new rules; those under way keep the ones they started with.
     */
    public void updateRules(List<Rule> newRules) {
        codeRules.setConfigured(newRules);
    }

    /**
     * A proxy for tests and programs, set up in code: {@code Wiretap.builder().rules(yaml).addon(a).start()}. Listens on
     * 127.0.0.1 at a free port, with a CA of its own in a temporary directory, unless told otherwise.
     */
    public static WiretapBuilder builder() {
        return new WiretapBuilder();
    }

    /**
     * Starts a traffic rule for the exchanges {@code filter} selects (the filter language of rules and the console);
     * the action comes next: {@code wiretap.when("host:api.example.test").respond(200, "application/json", "{}")}.
     * Rules added in code are tried newest first, before the config's.
     *
     * @throws IllegalArgumentException if the filter is not valid (the message says where)
     */
    public When when(String filter) {
        try {
            return new When(codeRules, Filter.parse(filter));
        } catch (FilterException e) {
            throw new IllegalArgumentException("invalid filter '" + filter + "': " + e.getMessage(), e);
        }
    }

    /** Adds rules made in code (or read elsewhere) as one group, tried before older ones; returns their handle. */
    public RuleHandle addRules(List<Rule> newRules) {
        return codeRules.add(newRules);
    }

    /**
     * Adds the rules in {@code yaml}, written as a config file's {@code rules:} list (or that list alone), read by the
     * config's own reader; relative paths are relative to the working directory.
     *
     * @throws IllegalArgumentException if they are not valid rules (the message names the line and key)
     */
    public RuleHandle addRules(String yaml) {
        try {
            return addRules(ConfigLoader.readRules(yaml, "<rules>", Path.of("")));
        } catch (ConfigError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Adds the rules in a YAML file, as {@link #addRules(String)}; relative paths are relative to its directory. */
    public RuleHandle addRules(Path yamlFile) {
        try {
            return addRules(ConfigLoader.readRules(yamlFile));
        } catch (ConfigError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The finished flows {@code filter} selects (empty: all), oldest first, among those the store holds and not
     * forgotten by {@link #clearFlows}. Bodies are matched decoded, as everywhere flows are shown.
     *
     * @throws IllegalArgumentException if the filter is not valid
     */
    public List<Flow> flows(String filter) {
        return queries.flows(filter);
    }

    /**
     * The first finished flow {@code filter} selects: one finished already, or the first to finish within
     * {@code timeout}. A test's client has its answer before wiretap has finished the flow, so ask for it this way.
     *
     * @throws FlowTimeoutException if none did; its message lists the flows that did finish
     */
    public Flow awaitFlow(String filter, Duration timeout) {
        return queries.await(filter, timeout);
    }

    /**
     * Forgets every flow so far: the store lets go of the finished ones, and {@link #flows(String)},
     * {@link #awaitFlow} and {@link #har} see only flows whose request arrives from now on. Flows in flight stay in
     * the {@link #history}. Returns how many finished flows the store let go of.
     */
    public int clearFlows() {
        return queries.clear();
    }

    /** Writes every finished flow held (since {@link #clearFlows}) to {@code file} as HAR 1.2; returns the entries. */
    public int har(Path file) throws IOException {
        return queries.har(file, "");
    }

    /** Writes the finished flows {@code filter} selects to {@code file} as HAR 1.2; returns the entries. */
    public int har(Path file, String filter) throws IOException {
        return queries.har(file, filter);
    }

    /** Where clients reach the proxy: {@link #address()}, with loopback in place of a wildcard address. */
    public InetSocketAddress proxyAddress() {
        return clients().proxyAddress();
    }

    /** Sends a JDK {@code HttpClient}'s requests through this proxy: {@code HttpClient.newBuilder().proxy(...)}. */
    public ProxySelector proxySelector() {
        return clients().proxySelector();
    }

    /**
     * A TLS context that trusts wiretap's CA and nothing else, for clients whose HTTPS goes through this proxy
     * ({@code HttpClient.newBuilder().sslContext(...)}).
     *
     * @throws IllegalStateException if HTTPS interception is off
     */
    public SSLContext clientSslContext() {
        return clients().sslContext();
    }

    /** wiretap's CA certificate as PEM, for clients that take a file or a string. */
    public String caCertificatePem() {
        return clients().caPem();
    }

    /**
     * Chromium's and Chrome's flags for browsing through this proxy and trusting it without touching a certificate
     * store: {@code --proxy-server}, {@code --proxy-bypass-list=<-loopback>} (loopback through the proxy too), and
     * {@code --ignore-certificate-errors-spki-list} with the hash of wiretap's CA key. The last needs a profile of the
     * browser's own ({@code --user-data-dir}), which Selenium always gives it.
     */
    public List<String> chromeArguments() {
        return clients().chromeArguments();
    }

    /**
     * Connects to {@code host} at {@code address} ({@code 127.0.0.1}, or {@code 127.0.0.1:8443} for every port of that
     * name) instead of the address DNS gives, for connections opened from now on: a test reaches a local server under
     * the real name, whose certificate is checked against that name. As the config's {@code hosts:} map.
     *
     * @throws IllegalArgumentException if {@code host} is not a host name or {@code address} not an IP address literal
     */
    public void resolve(String host, String address) {
        hosts.map(host, HostMap.Target.parse(address));
    }

    /**
     * Serves the exchanges recorded in {@code file} (a HAR or a session file) in the origins' place from now on,
     * matched and timed as the settings' {@code replay.*} say (by default: method and URL; misses go to their origins;
     * answers at once). Replaces any replay in force.
     *
     * @return what is served: how many exchanges, and the recorded flows left out and why
     * @throws IOException if the file cannot be read or is neither kind (the message names it and says why)
     */
    public RecordedExchanges replayFrom(Path file) throws IOException {
        return replayFrom(settings.replay().withFrom(Optional.of(file)));
    }

    /** Serves the exchanges recorded in {@code replay.from()}, as {@code replay} says. */
    public RecordedExchanges replayFrom(ReplaySettings replay) throws IOException {
        RecordedExchanges recorded = ReplayFiles.read(replay, settings);
        serverReplay.start(recorded, replay);
        return recorded;
    }

    /** Stops the server replay, if one is in force: requests go to their origins again. */
    public void stopReplay() {
        serverReplay.stop();
    }

    /** The server replay in force, if any: what it serves, and how. */
    public Optional<ServerReplay.Running> replaying() {
        return serverReplay.running();
    }

    /**
     * What is in force now (rules added in code, host mappings, the server replay), to go back to with
     * {@link Checkpoint#restore()}.
     */
    public Checkpoint checkpoint() {
        return new Checkpoint(codeRules, hosts, serverReplay);
    }

    /** Runs {@code cleanup} once wiretap has stopped (the builder's temporary CA directory goes then). */
    void afterStop(Runnable cleanup) {
        afterStop.add(cleanup);
    }

    private ClientSetup clients() {
        return new ClientSetup(address(), ca);
    }

    /**
     * The intercept: what to pause ({@code setFilter}), the flows waiting ({@code paused}), and letting them go
     * ({@code resume}, {@code drop}) or editing them first ({@code replaceRequest}, {@code replaceResponse}).
     * Pauses nothing until a filter is set.
     */
    public InterceptAddon intercept() {
        return intercept;
    }

    /**
     * Sends {@code original}'s request again as a new flow (marked {@code replayOf} the original), or {@code edit}
     * in its place, through the same road as a client's request: rules, addons, the upstream pool, TLS to https
     * origins; recorded and published like any flow. See {@link Replayer}.
     *
     * @return completes with the new flow once it has ended
     * @throws IllegalArgumentException if the request cannot be replayed faithfully (a tunnel, a body cut off by the
     *                                  capture cap, a flow still in flight); the message says which
     */
    public CompletableFuture<Flow> replay(Flow original, Optional<EditedRequest> edit) {
        return replayer.replay(original, edit);
    }

    /**
     * Adds finished flows recorded elsewhere (a session file, a HAR file) to the store, each numbered anew after this proxy's
     * own (its old number kept in a note), in the order given; returns them as stored. They are not published as
     * events: nothing was exchanged.
     */
    public List<Flow> importFlows(List<Flow> flows) {
        return importFlows(flows, flow -> "loaded from a session file, where it was flow " + flow.id());
    }

    /**
     * As {@link #importFlows(List)}, with the note {@code note} makes of each flow as given (none when it makes an empty
     * one): for flows whose notes already say where they came from (a HAR file's entries).
     */
    public List<Flow> importFlows(List<Flow> flows, java.util.function.Function<Flow, String> note) {
        List<Flow> imported = new java.util.ArrayList<>(flows.size());
        for (Flow flow : flows) {
            if (!flow.isDone()) {
                continue;
            }
            Flow copy = dev.wiretap.proxy.flow.FlowRecords.renumbered(flow, flowIds.incrementAndGet());
            String said = note.apply(flow);
            if (!said.isEmpty()) {
                copy.addNote(said);
            }
            store.addFinished(copy);
            imported.add(copy);
        }
        return imported;
    }

    /** Messages as editable HTTP text and back, with this proxy's limits (for the console's {@code edit}). */
    public HttpMessageText messageText() {
        return messageText;
    }

    /** wiretap's certificate authority (its certificate, not its key), when HTTPS interception is on. */
    public Optional<CaCertificate> certificateAuthority() {
        return ca.map(CaCertificate::new);
    }

    /** The recent flows, read-only: in flight and finished, as far as the store's budget keeps them. */
    public FlowHistory history() {
        return store;
    }

    /** Add or remove flow listeners while running. */
    public FlowEvents events() {
        return events;
    }

    public ConnectionStats stats() {
        return new ConnectionStats(listener.acceptedCount(), listener.openCount(), pool.openedCount(),
                pool.reusedCount(), pool.idleCount(), flowIds.get(), store.size(), pool.lentCount(), listener.maxOpen(),
                gate.refusedCount(), captureBudget.usedBytes(), captureBudget.limitBytes(), pool.reservedOpenedCount(),
                pool.reservedUsedCount(), interceptTls.map(InterceptTls::handshakeCount).orElse(0L),
                interceptTls.map(InterceptTls::resumedCount).orElse(0L));
    }

    /** Stops with the configured shutdown grace period. */
    public void stop() {
        stop(settings.timeouts().shutdownGrace());
    }

    /**
     * Stops accepting, lets exchanges in flight finish within {@code grace}, then closes every connection.
     * Idempotent.
     */
    public void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        intercept.stop(); // paused flows would otherwise hold their connections until the grace runs out
        listener.stop(grace);
        janitor.interrupt();
        pool.close();
        watchdog.close();
        afterStop.forEach(Runnable::run);
    }

    @Override
    public void close() {
        stop();
    }

    /** wiretap's version, from the build. */
    public static String version() {
        try (InputStream in = Wiretap.class.getResourceAsStream("/dev/wiretap/proxy/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    private void evictIdleConnections() {
        long period = Math.max(1000, settings.pool().idleTimeout().toMillis() / 2);
        while (!stopped) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            pool.evictIdle();
        }
    }

}
