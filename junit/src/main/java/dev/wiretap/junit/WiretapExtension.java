package dev.wiretap.junit;

import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.Checkpoint;
import dev.wiretap.proxy.FlowTimeoutException;
import dev.wiretap.proxy.RuleHandle;
import dev.wiretap.proxy.When;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.WiretapBuilder;
import dev.wiretap.proxy.addon.RecordedExchanges;
import dev.wiretap.proxy.flow.Flow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.AssertionFailedError;

/**
 * wiretap in a JUnit 5 test: a proxy on 127.0.0.1 at a free port with a CA of its own in a temporary directory, started
 * before the tests and stopped after them.
 *
 * <pre>{@code
 * @RegisterExtension
 * static WiretapExtension wiretap = new WiretapExtension();   // one proxy for the class
 *
 * @Test
 * void mocks() throws Exception {
 *     wiretap.when("host:api.example.test path:/user").respond(200, "application/json", "{\"id\": 1}");
 *     HttpClient client = HttpClient.newBuilder().proxy(wiretap.proxySelector()).sslContext(wiretap.clientSslContext()).build();
 *     ...
 *     Flow flow = wiretap.awaitFlow("path:/user", Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <ul>
 *   <li>In a static field, one proxy serves the class; in an instance field, each test gets a proxy of its own. With
 *   {@code @ExtendWith(WiretapExtension.class)}, one serves the class and test methods, constructors and lifecycle
 *   methods may take it as a {@link Wiretap} parameter. Test classes running in parallel each have their own.</li>
 *   <li>Each test starts with no flows ({@link #clearFlows}); the rules it adds, the host mappings it makes and a replay it
 *   starts are undone after it (a {@link Checkpoint} taken before it). Tests that share one proxy should run one at a
 *   time; give each its own (an instance field) to run them in parallel.</li>
 *   <li>After a test that failed, a HAR of its flows is written under {@code target/wiretap/}, named after the test
 *   ({@code ContractTest.mocksAndRecords.har}), and its path printed; {@link #harAlways()} writes one after every
 *   test, {@link #harNever()} none.</li>
 * </ul>
 *
 * The methods here are the running proxy's ({@link #wiretap()} gives it whole); called outside a test's life (before
 * it starts) they throw {@link IllegalStateException}. JUnit calls the callbacks on the test's thread.
 */
public final class WiretapExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver {

    /** When a test's flows are written as a HAR. */
    private enum HarPolicy { ON_FAILURE, ALWAYS, NEVER }

    private final WiretapBuilder builder;
    private HarPolicy harPolicy = HarPolicy.ON_FAILURE;
    private Path harDirectory = Path.of("target", "wiretap");
    private volatile Wiretap wiretap;
    /** Whether the proxy serves the whole class (started in beforeAll) rather than one test. */
    private boolean perClass;
    private Checkpoint beforeTest;

    /** A proxy as {@link Wiretap#builder()} makes it: loopback, a free port, a temporary CA. */
    public WiretapExtension() {
        this(Wiretap.builder());
    }

    /** A proxy made by {@code builder} (rules, hosts, a replay, addons ... given there apply to every test). */
    public WiretapExtension(WiretapBuilder builder) {
        this.builder = builder;
    }

    /** Writes a HAR of each test's flows after every test, not only after those that failed. */
    public WiretapExtension harAlways() {
        harPolicy = HarPolicy.ALWAYS;
        return this;
    }

    /** Writes no HAR. */
    public WiretapExtension harNever() {
        harPolicy = HarPolicy.NEVER;
        return this;
    }

    /** Writes the HAR files under {@code directory} instead of {@code target/wiretap}. */
    public WiretapExtension harDirectory(Path directory) {
        harDirectory = directory;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        wiretap = builder.start();
        perClass = true;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass && wiretap != null) {
            wiretap.stop();
            wiretap = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (wiretap == null) {
            wiretap = builder.start(); // an instance field: this test's own proxy
        }
        wiretap.clearFlows();
        beforeTest = wiretap.checkpoint();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Wiretap running = wiretap;
        if (running == null) {
            return;
        }
        try {
            boolean failed = context.getExecutionException().isPresent();
            if (harPolicy == HarPolicy.ALWAYS || harPolicy == HarPolicy.ON_FAILURE && failed) {
                writeHar(running, context, failed);
            }
        } finally {
            if (perClass) {
                beforeTest.restore();
            } else {
                running.stop();
                wiretap = null;
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Wiretap.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Wiretap running = wiretap;
        if (running == null) {
            throw new ParameterResolutionException("wiretap is not running for " + parameter.getDeclaringExecutable()
                    + " (a static @RegisterExtension field or @ExtendWith starts it before the class)");
        }
        return running;
    }

    /** The running proxy, whole: everything below and more ({@code rules()}, {@code flows()}, {@code stats()} ...). */
    public Wiretap wiretap() {
        Wiretap running = wiretap;
        if (running == null) {
            throw new IllegalStateException("wiretap is not running: the extension starts it before the tests"
                    + " (before all of them for a static field, before each for an instance field)");
        }
        return running;
    }

    /** A rule for the exchanges {@code filter} selects; the action comes next (see {@link Wiretap#when}). */
    public When when(String filter) {
        return wiretap().when(filter);
    }

    /** Adds rules written in YAML as a config file's {@code rules:} list (see {@link Wiretap#addRules(String)}). */
    public RuleHandle addRules(String yaml) {
        return wiretap().addRules(yaml);
    }

    /** Adds the rules in a YAML file (see {@link Wiretap#addRules(Path)}). */
    public RuleHandle addRules(Path yamlFile) {
        return wiretap().addRules(yamlFile);
    }

    /** Adds rules made in code. */
    public RuleHandle addRules(List<Rule> rules) {
        return wiretap().addRules(rules);
    }

    /** This test's finished flows that {@code filter} selects (empty: all), oldest first. */
    public List<Flow> flows(String filter) {
        return wiretap().flows(filter);
    }

    /** This test's finished flows, oldest first. */
    public List<Flow> flows() {
        return flows("");
    }

    /**
     * The first of this test's flows that {@code filter} selects to finish, waiting up to {@code timeout} for it.
     *
     * @throws AssertionFailedError if none did; the message lists the flows that did
     */
    public Flow awaitFlow(String filter, Duration timeout) {
        try {
            return wiretap().awaitFlow(filter, timeout);
        } catch (FlowTimeoutException e) {
            throw new AssertionFailedError(e.getMessage(), e);
        }
    }

    /** Forgets the flows so far (each test starts with none). */
    public void clearFlows() {
        wiretap().clearFlows();
    }

    /** Writes this test's finished flows to {@code file} as HAR 1.2; returns how many entries it holds. */
    public int har(Path file) {
        try {
            return wiretap().har(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Writes this test's finished flows that {@code filter} selects to {@code file} as HAR 1.2. */
    public int har(Path file, String filter) {
        try {
            return wiretap().har(file, filter);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Where clients reach the proxy. */
    public InetSocketAddress proxyAddress() {
        return wiretap().proxyAddress();
    }

    /** For {@code HttpClient.newBuilder().proxy(...)}. */
    public ProxySelector proxySelector() {
        return wiretap().proxySelector();
    }

    /** A TLS context that trusts wiretap's CA, for {@code HttpClient.newBuilder().sslContext(...)}. */
    public SSLContext clientSslContext() {
        return wiretap().clientSslContext();
    }

    /** wiretap's CA certificate as PEM. */
    public String caCertificatePem() {
        return wiretap().caCertificatePem();
    }

    /** Chromium's flags for browsing through wiretap and trusting its CA (see {@link Wiretap#chromeArguments()}). */
    public List<String> chromeArguments() {
        return wiretap().chromeArguments();
    }

    /** Connects to {@code host} at {@code address} instead of DNS's, for this test (see {@link Wiretap#resolve}). */
    public void resolve(String host, String address) {
        wiretap().resolve(host, address);
    }

    /**
     * Serves the exchanges recorded in {@code file} (a HAR or a session file) in the origins' place, for this test (see
     * {@link Wiretap#replayFrom(Path)}).
     */
    public RecordedExchanges replayFrom(Path file) {
        try {
            return wiretap().replayFrom(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void writeHar(Wiretap running, ExtensionContext context, boolean failed) {
        Path file = harDirectory.resolve(harName(context)).toAbsolutePath();
        try {
            int entries = running.har(file);
            context.publishReportEntry("wiretap.har", file.toString());
            System.out.println("wiretap: HAR of " + context.getDisplayName() + (failed ? " (failed)" : "") + ", "
                    + entries + (entries == 1 ? " flow: " : " flows: ") + file);
        } catch (IOException | RuntimeException e) {
            // The test's own outcome matters more than its HAR: say why there is none, and let the test's result stand.
            System.err.println("wiretap: cannot write the HAR of " + context.getDisplayName() + ": " + e.getMessage());
        }
    }

    /**
     * {@code ClassName.method.har}; a repeated or parameterized test's invocation, or a dynamic test, adds its number
     * ({@code ClassName.method-2.har}). Only characters safe in a file name on any system.
     */
    static String harName(ExtensionContext context) {
        String name = context.getRequiredTestClass().getSimpleName()
                + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
        String id = context.getUniqueId();
        int last = id.lastIndexOf("/[");
        String segment = last < 0 ? "" : id.substring(last + 2, id.length() - 1);
        if (segment.startsWith("test-template-invocation:") || segment.startsWith("dynamic-test:")) {
            name += "-" + segment.substring(segment.indexOf(':') + 1).replace("#", "");
        }
        return name.replaceAll("[^A-Za-z0-9._-]", "_") + ".har";
    }
}
