package dev.wiretap.cli.aot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.wiretap.proxy.tls.CertificateAuthority;
import dev.wiretap.proxy.tls.LeafCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The origin a training run's traffic goes to: the JDK's small HTTP server on 127.0.0.1, once in plain HTTP and once
 * over TLS with a certificate of the training's own CA (which the trained wiretap is told to trust with
 * {@code --upstream-ca}). Paths: {@code /small} (100 bytes of text), {@code /json} (gzip-coded JSON, for the web UI
 * to decode), {@code /chunked} (a body without a length), {@code /echo} (a POST's body sent back). Each connection is
 * served on a virtual thread; {@link #close} stops both servers.
 */
final class TrainingOrigin implements AutoCloseable {

    static final byte[] SMALL = ("x".repeat(99) + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final char[] STORE_PASSWORD = "training".toCharArray();

    private final HttpServer plain;
    private final HttpsServer tls;
    private final ExecutorService threads;

    private TrainingOrigin(HttpServer plain, HttpsServer tls, ExecutorService threads) {
        this.plain = plain;
        this.tls = tls;
        this.threads = threads;
    }

    /** Starts both servers on free ports; the TLS one with a certificate for 127.0.0.1 signed by {@code ca}. */
    static TrainingOrigin start(CertificateAuthority ca) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer plain = HttpServer.create(loopback, 64);
        HttpsServer tls = HttpsServer.create(loopback, 64);
        tls.setHttpsConfigurator(new HttpsConfigurator(serverContext(ca)));
        for (HttpServer server : new HttpServer[] {plain, tls}) {
            server.setExecutor(threads);
            server.createContext("/", TrainingOrigin::answer);
            server.start();
        }
        return new TrainingOrigin(plain, tls, threads);
    }

    int plainPort() {
        return plain.getAddress().getPort();
    }

    int tlsPort() {
        return tls.getAddress().getPort();
    }

    @Override
    public void close() {
        plain.stop(0);
        tls.stop(0);
        threads.shutdownNow();
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] request = exchange.getRequestBody().readAllBytes();
            switch (exchange.getRequestURI().getPath()) {
                case "/json" -> {
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.getResponseHeaders().set("Content-Encoding", "gzip");
                    send(exchange, 200, gzip("{\"user\": {\"id\": 7, \"name\": \"training\", \"tags\": [\"a\", \"b\"]}}"));
                }
                case "/chunked" -> {
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                    exchange.sendResponseHeaders(200, 0); // no length: chunked
                    try (OutputStream body = exchange.getResponseBody()) {
                        for (int i = 0; i < 4; i++) {
                            body.write(SMALL);
                            body.flush();
                        }
                    }
                }
                case "/echo" -> {
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    send(exchange, 200, request);
                }
                default -> {
                    exchange.getResponseHeaders().set("Content-Type", "text/plain");
                    send(exchange, 200, SMALL);
                }
            }
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static SSLContext serverContext(CertificateAuthority ca) throws IOException {
        try {
            LeafCertificates leaves = new LeafCertificates(ca, 1);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("origin", leaves.privateKey(), STORE_PASSWORD, leaves.chainFor("127.0.0.1"));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, STORE_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the training origin's TLS: " + e.getMessage(), e);
        }
    }
}
