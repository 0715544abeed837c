package dev.wiretap.proxy.testing;

import dev.wiretap.config.Settings;
import dev.wiretap.config.TlsSettings;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/** Setting up HTTPS interception in tests: a proxy that intercepts and trusts a test CA, and clients that trust wiretap. */
public final class Interception {

    private Interception() {
    }

    /** Interception on, origins' certificates checked against the JDK's trust store plus {@code testCaFile}. */
    public static UnaryOperator<Settings> on(Path testCaFile) {
        return on(testCaFile, tls -> tls);
    }

    /** As {@link #on(Path)}, with further TLS settings changed by {@code tweak}. */
    public static UnaryOperator<Settings> on(Path testCaFile, UnaryOperator<TlsSettings> tweak) {
        return s -> s.withTls(tweak.apply(s.tls().withIntercept(true).withTrustedCerts(List.of(testCaFile))));
    }

    /** A client TLS context that trusts wiretap's CA and nothing else (the facade's, as the library's users get it). */
    public static SSLContext trustingWiretap(ProxyUnderTest proxy) {
        return proxy.wiretap().clientSslContext();
    }

    /** A JDK HttpClient (HTTP/1.1) through {@code proxy} whose TLS trusts wiretap's CA and nothing else. */
    public static HttpClient httpsClient(ProxyUnderTest proxy) {
        return httpsClient(proxy, trustingWiretap(proxy));
    }

    /** A JDK HttpClient that offers HTTP/2 (ALPN h2), through {@code proxy}, whose TLS trusts wiretap's CA alone. */
    public static HttpClient h2Client(ProxyUnderTest proxy) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).proxy(ProxySelector.of(proxy.address()))
                .sslContext(trustingWiretap(proxy)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A JDK HttpClient (HTTP/1.1) through {@code proxy} whose TLS trusts what {@code tls} trusts. */
    public static HttpClient httpsClient(ProxyUnderTest proxy, SSLContext tls) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(proxy.address()))
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }
}
