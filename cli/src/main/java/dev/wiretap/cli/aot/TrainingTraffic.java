package dev.wiretap.cli.aot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The traffic of a training run, sent to a running wiretap as its users send it: plain HTTP in absolute form over
 * keep-alive connections (with requests that the config's rules change, answer and block, and wiretap's own page),
 * intercepted HTTPS over HTTP/1.1 and HTTP/2 (the JDK's client, trusting the training's CA), and the web UI (its page
 * and files, the flow list and details, exports, the live event stream). Every answer's status is checked: a run that
 * went wrong must not become the cache. Runs on the caller's thread, with a few threads of its own for the load.
 */
final class TrainingTraffic {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int LOAD_CONNECTIONS = 4;
    private static final Pattern FLOW_ID = Pattern.compile("\"id\": ?(\\d+)");
    private static final Pattern PAGE_FILE = Pattern.compile("(?:href|src)=\"(/(?:assets|vendor)/[^\"]+)\"");

    private final InetSocketAddress proxy;
    private final URI web;
    private final String token;
    private final TrainingOrigin origin;
    private final SSLContext trustingCa;
    private final AtomicLong requests = new AtomicLong();

    /** {@code web}: the UI's address as the banner printed it, {@code ?token=} and all. */
    TrainingTraffic(InetSocketAddress proxy, URI web, TrainingOrigin origin, SSLContext trustingCa) {
        this.proxy = proxy;
        String query = web.getRawQuery();
        this.token = query != null && query.startsWith("token=") ? query.substring(6) : "";
        this.web = URI.create("http://" + web.getRawAuthority());
        this.origin = origin;
        this.trustingCa = trustingCa;
    }

    /** Requests sent so far, answered as expected. */
    long requests() {
        return requests.get();
    }

    /** Every kind of traffic once, then {@code load} of plain requests while the web UI follows the list, then the UI again. */
    void run(Duration load) throws TrainingFailure, InterruptedException {
        plainKinds();
        https(HttpClient.Version.HTTP_1_1);
        https(HttpClient.Version.HTTP_2);
        webUi();
        EventFollower follower = EventFollower.start(this);
        plainLoad(load);
        follower.finish();
        webUi();
    }

    private String originUrl(String path) {
        return "http://127.0.0.1:" + origin.plainPort() + path;
    }

    private String originHost() {
        return "127.0.0.1:" + origin.plainPort();
    }

    /** One of each plain request: a GET, gzip'd JSON, a POST, the rules' three kinds, wiretap's own page, a chunked body. */
    private void plainKinds() throws TrainingFailure {
        try (ProxiedConnection c = new ProxiedConnection(proxy)) {
            expect(200, c.exchange("GET", originUrl("/small"), originHost(), null), "GET /small");
            expect(200, c.exchange("GET", originUrl("/json"), originHost(), null), "GET /json");
            expect(200, c.exchange("POST", originUrl("/echo"), originHost(), "{\"a\": [1, 2, 3]}".getBytes(StandardCharsets.UTF_8)), "POST /echo");
            expect(200, c.exchange("GET", originUrl("/ruled"), originHost(), null), "GET /ruled (a rule sets fields)");
            expect(200, c.exchange("GET", originUrl("/answered"), originHost(), null), "GET /answered (a rule answers)");
            expect(403, c.exchange("GET", originUrl("/blocked"), originHost(), null), "GET /blocked (a rule blocks)");
            expect(200, c.exchange("GET", "http://wiretap/", "wiretap", null), "GET http://wiretap/");
        } catch (IOException e) {
            throw new TrainingFailure("plain HTTP through the proxy: " + e.getMessage(), e);
        }
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy)).connectTimeout(TIMEOUT).build();
        expect(200, send(client, HttpRequest.newBuilder(URI.create(originUrl("/chunked"))).timeout(TIMEOUT).build(),
                "GET /chunked").statusCode(), "GET /chunked");
    }

    /** Intercepted HTTPS: a few requests on two connections of {@code version}, each a CONNECT wiretap decrypts. */
    private void https(HttpClient.Version version) throws TrainingFailure {
        for (int connection = 0; connection < 2; connection++) {
            HttpClient client = HttpClient.newBuilder().version(version).proxy(ProxySelector.of(proxy))
                    .sslContext(trustingCa).connectTimeout(TIMEOUT).build();
            for (String path : List.of("/small", "/json", "/chunked", "/small")) {
                URI uri = URI.create("https://127.0.0.1:" + origin.tlsPort() + path);
                String what = "HTTPS (" + version + ") GET " + path;
                expect(200, send(client, HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(), what).statusCode(), what);
            }
            URI echo = URI.create("https://127.0.0.1:" + origin.tlsPort() + "/echo");
            String what = "HTTPS (" + version + ") POST /echo";
            expect(200, send(client, HttpRequest.newBuilder(echo).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"b\": true}")).build(), what).statusCode(), what);
            client.close();
        }
    }

    /** The UI as a browser opens it (the page and its files), then the API calls its views make. */
    private void webUi() throws TrainingFailure {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            String page = webGet(client, "/");
            Set<String> files = new LinkedHashSet<>();
            for (Matcher m = PAGE_FILE.matcher(page); m.find(); ) {
                files.add(m.group(1));
            }
            if (files.isEmpty()) {
                throw new TrainingFailure("the web UI's page names none of its files");
            }
            for (String file : files) {
                webGet(client, file);
            }
            for (String api : List.of("/api/info", "/api/stats", "/api/rules", "/api/ca", "/api/intercept",
                    "/api/flows?limit=200&filter=status:2xx", "/api/export/har?filter=path:/json")) {
                webGet(client, api);
            }
            List<String> ids = new ArrayList<>();
            for (Matcher m = FLOW_ID.matcher(webGet(client, "/api/flows?limit=50")); m.find() && ids.size() < 8; ) {
                ids.add(m.group(1));
            }
            for (String id : ids) {
                webGet(client, "/api/flows/" + id);
                webGet(client, "/api/flows/" + id + "/curl");
            }
        }
    }

    private String webGet(HttpClient client, String path) throws TrainingFailure {
        HttpRequest request = HttpRequest.newBuilder(web.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TrainingFailure("web UI GET " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingFailure("interrupted");
        }
        expect(200, response.statusCode(), "web UI GET " + path);
        return response.body();
    }

    /** {@link #LOAD_CONNECTIONS} keep-alive connections sending small GETs back to back for {@code duration}. */
    private void plainLoad(Duration duration) throws TrainingFailure, InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < LOAD_CONNECTIONS; i++) {
            threads.add(Thread.ofPlatform().name("training-load-" + i).start(() -> {
                try (ProxiedConnection c = new ProxiedConnection(proxy)) {
                    while (System.nanoTime() < end) {
                        expect(200, c.exchange("GET", originUrl("/small"), originHost(), null), "GET /small");
                    }
                } catch (IOException | TrainingFailure e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new TrainingFailure("plain HTTP load through the proxy: " + failures.getFirst().getMessage(), failures.getFirst());
        }
    }

    private static HttpResponse<Void> send(HttpClient client, HttpRequest request, String what) throws TrainingFailure {
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new TrainingFailure(what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingFailure("interrupted");
        }
    }

    private void expect(int status, int got, String what) throws TrainingFailure {
        if (got != status) {
            throw new TrainingFailure(what + ": status " + got + ", expected " + status);
        }
        requests.incrementAndGet();
    }

    /** The web UI's live event stream, read on a thread of its own while the load runs, as the UI's list follows it. */
    private static final class EventFollower {
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        private final Thread reader;
        private final AtomicBoolean sawFlows = new AtomicBoolean();
        private volatile InputStream stream;
        private volatile Exception failure;

        private EventFollower(TrainingTraffic traffic) {
            reader = Thread.ofPlatform().name("training-events").start(() -> follow(traffic));
        }

        static EventFollower start(TrainingTraffic traffic) {
            return new EventFollower(traffic);
        }

        private void follow(TrainingTraffic traffic) {
            try {
                HttpRequest request = HttpRequest.newBuilder(traffic.web.resolve("/api/events"))
                        .header("Authorization", "Bearer " + traffic.token).build();
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                stream = response.body();
                BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.equals("event: flows")) {
                        sawFlows.set(true);
                    }
                }
            } catch (IOException e) {
                if (!sawFlows.get()) {
                    failure = e;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until a {@code flows} event came (or the timeout), then closes the stream. */
        void finish() throws TrainingFailure, InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!sawFlows.get() && failure == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            InputStream s = stream;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // Closing a stream we are done with: the reader ends either way.
                }
            }
            client.shutdownNow();
            reader.join(TIMEOUT.toMillis());
            if (!sawFlows.get()) {
                throw new TrainingFailure("the web UI's event stream sent no flows" + (failure == null ? "" : ": " + failure));
            }
        }
    }
}
