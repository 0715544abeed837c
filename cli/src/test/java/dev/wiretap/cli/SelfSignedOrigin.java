package dev.wiretap.cli;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS origin on 127.0.0.1 for end-to-end tests, with a self-signed certificate made by the running JDK's keytool
 * (also written as PEM, for {@code --upstream-ca}). Answers every request with one fixed body. Close it to stop.
 */
final class SelfSignedOrigin implements AutoCloseable {

    private static final String STORE_PASSWORD = "changeit";

    private final HttpsServer server;
    private final Path certificatePem;

    private SelfSignedOrigin(HttpsServer server, Path certificatePem) {
        this.server = server;
        this.certificatePem = certificatePem;
    }

    /**
     * Makes a certificate for {@code subjectAltNames} (keytool's form: {@code ip:127.0.0.1,dns:localhost}) in
     * {@code dir} and starts serving {@code body} as {@code contentType}.
     */
    static SelfSignedOrigin start(Path dir, String subjectAltNames, String contentType, String body)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path keystore = dir.resolve("origin.p12");
        Path pem = dir.resolve("origin.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Processes.runOrFail(keytool, "-genkeypair", "-alias", "origin", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=wiretap test origin", "-ext", "SAN=" + subjectAltNames, "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD, "-noprompt");
        Processes.runOrFail(keytool, "-exportcert", "-rfc", "-alias", "origin", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-file", pem.toString());

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(200, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return new SelfSignedOrigin(server, pem);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The origin's certificate in PEM, for wiretap's --upstream-ca. */
    Path certificatePem() {
        return certificatePem;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
