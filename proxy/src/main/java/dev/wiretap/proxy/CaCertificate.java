package dev.wiretap.proxy;

import dev.wiretap.proxy.tls.CertificateAuthority;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * wiretap's certificate authority as users and the faces see it ({@link Wiretap#certificateAuthority()}): the
 * certificate that clients must trust, in the forms they take it, where it is on disk, and what was found wrong with its
 * files when it was loaded. Never its key: the engine's {@code CertificateAuthority}, which signs the leaf certificates, stays
 * in a package the module does not export. Immutable.
 */
public final class CaCertificate {

    private final CertificateAuthority authority;

    CaCertificate(CertificateAuthority authority) {
        this.authority = authority;
    }

    /** The CA certificate clients must trust. */
    public X509Certificate certificate() {
        return authority.certificate();
    }

    /** Where the certificate is on disk. */
    public Path certificateFile() {
        return authority.certificateFile();
    }

    /** The certificate in PEM, for tools that take a file ({@code curl --cacert}, Python's {@code REQUESTS_CA_BUNDLE}). */
    public String certificatePem() {
        return authority.certificatePem();
    }

    /** The certificate in DER, as browsers and phones import it. */
    public byte[] certificateDer() {
        return authority.certificateDer();
    }

    /**
     * The SHA-256 fingerprint of the certificate as browsers and {@code openssl x509 -fingerprint -sha256} show it:
     * 32 bytes in upper-case hex, separated by colons.
     */
    public String fingerprint() {
        return authority.fingerprint();
    }

    /** Problems with the CA's files that did not stop it from loading (a directory open to others), for the user. */
    public List<String> warnings() {
        return authority.warnings();
    }
}
