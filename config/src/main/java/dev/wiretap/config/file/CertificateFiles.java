package dev.wiretap.config.file;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;

/**
 * Checks, when the settings are loaded, that a file of certificates to trust ({@code --upstream-ca},
 * {@code tls.trusted_certs}) holds at least one that can be read: a file that does not, found only when wiretap set up
 * TLS, would stop it as if it could not start, rather than as the bad flag or setting it is. Stateless.
 */
final class CertificateFiles {

    private CertificateFiles() {
    }

    /** What is wrong with {@code file} as a file of trusted certificates, naming it; empty when it is fine. */
    static Optional<String> problem(Path file) {
        if (Files.isDirectory(file)) {
            return Optional.of(file + " is a directory, not a PEM file of certificates");
        }
        if (!Files.isReadable(file)) {
            return Optional.of("cannot read " + file);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return Optional.of("cannot read " + file + ": " + e.getMessage());
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        try {
            if (!CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)).isEmpty()) {
                return Optional.empty();
            }
        } catch (CertificateException e) {
            // Text that is not a certificate at all is said so below; a PEM certificate that is broken, here.
            if (text.contains("-----BEGIN CERTIFICATE-----")) {
                return Optional.of(file + " holds a certificate that cannot be read: " + e.getMessage());
            }
        }
        return Optional.of(file + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)"
                + (text.contains("PRIVATE KEY-----") ? "; it holds a private key, which trusting a CA does not need" : ""));
    }
}
