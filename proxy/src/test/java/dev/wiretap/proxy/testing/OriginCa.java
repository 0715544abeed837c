package dev.wiretap.proxy.testing;

import dev.wiretap.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * The test CA behind a test class's HTTPS origins, with its certificate written to a file that an intercepting wiretap
 * is told to trust (as a user's {@code tls.trusted_certs} would). A test class keeps one in a static field:
 * {@code TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), handler)} starts an origin whose certificate it
 * signed, and {@code ProxyUnderTest.start(ORIGIN_CA.interception())} a wiretap that intercepts and trusts that origin.
 * Immutable; the file lives in a temporary directory until the JVM exits.
 */
public final class OriginCa {

    private final TestCa ca;
    private final Path certificateFile;

    private OriginCa(TestCa ca, Path certificateFile) {
        this.ca = ca;
        this.certificateFile = certificateFile;
    }

    /** A fresh EC CA named {@code name}, its certificate written as PEM to a temporary file. */
    public static OriginCa create(String name) {
        TestCa ca = TestCa.ec(name);
        try {
            Path dir = Files.createTempDirectory("wiretap-origin-ca-");
            Path file = ca.writeCertificate(dir.resolve("origin-ca.pem"));
            dir.toFile().deleteOnExit(); // registered first so that it is deleted last, after the file in it
            file.toFile().deleteOnExit();
            return new OriginCa(ca, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test CA's certificate", e);
        }
    }

    /** A server TLS context for an origin presenting a certificate for {@code names}, signed by this CA. */
    public SSLContext serverContext(String... names) {
        return ca.issue(names).serverContext();
    }

    /** Interception on, origins' certificates checked against the JDK's trust store plus this CA. */
    public UnaryOperator<Settings> interception() {
        return Interception.on(certificateFile);
    }

    /** A client TLS context that trusts this CA alone: it accepts the origins, not wiretap's certificates. */
    public SSLContext clientTrustingOrigins() {
        return TestCa.clientTrusting(ca.certificate());
    }
}
