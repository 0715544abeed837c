package dev.wiretap.proxy.testing;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A running wiretap on 127.0.0.1 with an ephemeral port, for tests: records every flow event, and makes JDK
 * HttpClients and raw clients pointed at it. Close it to stop the proxy.
 */
public final class ProxyUnderTest implements AutoCloseable {

    private final Wiretap wiretap;
    private final BlockingQueue<FlowEvent> events = new LinkedBlockingQueue<>();

    private ProxyUnderTest(Settings settings, List<Addon> addons) throws IOException {
        this.wiretap = Wiretap.start(settings, addons, List.of(events::add));
    }

    /** Default settings, listening on an ephemeral loopback port. */
    public static ProxyUnderTest start() throws IOException {
        return start(s -> s);
    }

    /** Default settings changed by {@code tweak}, listening on an ephemeral loopback port. */
    public static ProxyUnderTest start(UnaryOperator<Settings> tweak) throws IOException {
        return start(tweak, List.of());
    }

    public static ProxyUnderTest start(UnaryOperator<Settings> tweak, List<Addon> addons) throws IOException {
        Settings settings = tweak.apply(baseSettings());
        return new ProxyUnderTest(settings, addons);
    }

    /**
     * Defaults, listening on an ephemeral loopback port, with the CA in a temporary directory shared by the test run
     * (never the user's ~/.wiretap) and HTTPS interception off, since most tunnel tests are about untouched tunnels;
     * interception tests turn it on with {@code s.withTls(s.tls().withIntercept(true))}.
     */
    public static Settings baseSettings() {
        return Settings.defaults().withListen(new HostPort("127.0.0.1", 0))
                .withTls(Settings.defaults().tls().withIntercept(false).withConfigDir(TestConfigDir.get()));
    }

    public Wiretap wiretap() {
        return wiretap;
    }

    public InetSocketAddress address() {
        return wiretap.address();
    }

    public int port() {
        return wiretap.address().getPort();
    }

    public RawClient rawClient() throws IOException {
        return new RawClient(address());
    }

    /** A JDK HttpClient (HTTP/1.1) that sends everything through this proxy. */
    public HttpClient httpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(address()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The next flow event of the given type, waiting up to 5 s. */
    public <E extends FlowEvent> E nextEvent(Class<E> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long left = deadline - System.nanoTime();
            FlowEvent e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + type.getSimpleName() + " event within 5 s");
            }
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
    }

    /** The next flow to end (completed or failed), waiting up to 5 s. */
    public Flow nextFinishedFlow() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long left = deadline - System.nanoTime();
            FlowEvent e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no flow finished within 5 s");
            }
            if (e instanceof FlowEvent.Completed || e instanceof FlowEvent.Failed) {
                return e.flow();
            }
        }
    }

    /** Every event received so far, drained. */
    public List<FlowEvent> drainEvents() {
        List<FlowEvent> list = new java.util.ArrayList<>();
        events.drainTo(list);
        return list;
    }

    @Override
    public void close() {
        wiretap.stop(Duration.ofSeconds(1));
    }
}
