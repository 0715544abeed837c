package dev.wiretap.web;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A running wiretap (proxy on an ephemeral loopback port) with its web UI (another ephemeral port), for tests, and
 * clients for both: the API with the token, and traffic through the proxy. Close it to stop both.
 */
final class WebUnderTest implements AutoCloseable {

    private final Wiretap wiretap;
    private final WebUi web;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient throughProxy;

    private WebUnderTest(Settings settings, Optional<Path> configFile, long maxImportBytes) throws IOException {
        this.web = WebUi.bind(settings, true);
        this.wiretap = Wiretap.start(settings, List.of(), List.of());
        web.start(wiretap, configFile, maxImportBytes);
        this.throughProxy = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(wiretap.address())).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static WebUnderTest start() throws IOException {
        return start(s -> s);
    }

    /** With the test's settings changed by {@code tweak} (interception, rules, the config directory). */
    static WebUnderTest start(UnaryOperator<Settings> tweak) throws IOException {
        return start(tweak, Optional.empty());
    }

    /** As {@link #start(UnaryOperator)}, as if wiretap had started with {@code configFile}. */
    static WebUnderTest start(UnaryOperator<Settings> tweak, Optional<Path> configFile) throws IOException {
        return start(tweak, configFile, FlowArchives.DEFAULT_MAX_IMPORT_BYTES);
    }

    /** As {@link #start(UnaryOperator, Optional)}, importing files of at most {@code maxImportBytes}. */
    static WebUnderTest start(UnaryOperator<Settings> tweak, Optional<Path> configFile, long maxImportBytes) throws IOException {
        Settings base = tweak.apply(ProxyUnderTest.baseSettings());
        return new WebUnderTest(base.withWeb(base.web().withListen(HostPort.parse("127.0.0.1:0"))), configFile, maxImportBytes);
    }

    Wiretap wiretap() {
        return wiretap;
    }

    WebUi web() {
        return web;
    }

    int port() {
        return web.address().getPort();
    }

    InetSocketAddress address() {
        return web.address();
    }

    /** http://127.0.0.1:PORT{path} */
    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** GET {@code path} from the UI with the token as a script sends it. */
    HttpResponse<String> api(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + web.token())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code method} {@code path} on the UI with the token, with a body (JSON or text; null: none). */
    HttpResponse<String> api(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + web.token()).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request to the UI as given (no token unless the builder adds one). */
    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code url} through the proxy; returns the status. */
    HttpResponse<byte[]> getThroughProxy(String url) throws IOException, InterruptedException {
        return throughProxy.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpClient proxyClient() {
        return throughProxy;
    }

    HttpClient client() {
        return client;
    }

    @Override
    public void close() {
        web.stop();
        wiretap.stop(Duration.ofSeconds(1));
    }
}
