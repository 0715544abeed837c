package dev.wiretap.proxy.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority made by a test, independent of wiretap's own CA code: it signs the certificates of HTTPS
 * test origins, and stands in for a user's own CA. Made with BouncyCastle, EC P-256 or RSA 2048. Immutable.
 */
public final class TestCa {

    private final KeyPair keys;
    private final X509Certificate certificate;
    private final String signatureAlgorithm;

    private TestCa(KeyPair keys, X509Certificate certificate, String signatureAlgorithm) {
        this.keys = keys;
        this.certificate = certificate;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** An EC P-256 CA valid from a day ago for a year. */
    public static TestCa ec(String name) {
        return create(name, "EC", Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)));
    }

    /** An RSA 2048 CA valid from a day ago for a year. */
    public static TestCa rsa(String name) {
        return create(name, "RSA", Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)));
    }

    /** A CA of the given key algorithm ("EC" or "RSA") valid exactly from {@code notBefore} to {@code notAfter}. */
    public static TestCa create(String name, String keyAlgorithm, Instant notBefore, Instant notAfter) {
        try {
            KeyPair keys = keyPair(keyAlgorithm);
            String signature = keyAlgorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            X500Name subject = new X500Name("CN=" + name + ", O=wiretap tests");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(keys.getPrivate())));
            return new TestCa(keys, cert, signature);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey key() {
        return keys.getPrivate();
    }

    /** A server certificate for {@code names} (DNS names or IP literals), signed by this CA, valid from an hour ago for 30 days. */
    public Leaf issue(String... names) {
        Instant now = Instant.now();
        return issue(now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)), names);
    }

    /** A server certificate for {@code names}, signed by this CA, valid exactly from {@code notBefore} to {@code notAfter}. */
    public Leaf issue(Instant notBefore, Instant notAfter, String... names) {
        try {
            KeyPair leafKeys = keyPair("EC");
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : names) {
                boolean ip = name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
                alternatives.add(ip ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, name));
            }
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=" + names[0]), leafKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate())));
            return new Leaf(cert, leafKeys.getPrivate(), certificate);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** Writes the CA certificate as PEM to {@code file}. */
    public Path writeCertificate(Path file) throws IOException {
        return write(file, certificate);
    }

    /** How a private key is written as unencrypted PEM. */
    public enum KeyFormat {
        /** "PRIVATE KEY", as {@code openssl genpkey} writes it. */
        PKCS8,
        /** "EC PRIVATE KEY" (RFC 5915, with the curve and public key) or "RSA PRIVATE KEY" (PKCS#1). */
        TRADITIONAL,
        /** An "EC PARAMETERS" block, then the traditional key: what {@code openssl ecparam -genkey} writes. */
        EC_PARAMETERS_FIRST
    }

    /**
     * Writes the CA key as unencrypted PEM in the given format, readable by its owner alone (as openssl writes keys,
     * and as wiretap requires of a CA key).
     */
    public Path writeKey(Path file, KeyFormat format) throws IOException {
        writeKeyText(file, format);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    private Path writeKeyText(Path file, KeyFormat format) throws IOException {
        PrivateKey key = keys.getPrivate();
        if (format == KeyFormat.PKCS8) {
            return write(file, new PemObject("PRIVATE KEY", key.getEncoded()));
        }
        if (!(key instanceof ECPrivateKey ec)) {
            return write(file, key); // BouncyCastle writes an RSA key as PKCS#1 "RSA PRIVATE KEY"
        }
        // As openssl writes it: the curve and the public key inside the key (BouncyCastle would leave both out).
        SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(), publicKey.getPublicKeyData(),
                SECObjectIdentifiers.secp256r1).getEncoded();
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            if (format == KeyFormat.EC_PARAMETERS_FIRST) {
                writer.writeObject(new PemObject("EC PARAMETERS", SECObjectIdentifiers.secp256r1.getEncoded()));
            }
            writer.writeObject(new PemObject("EC PRIVATE KEY", der));
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    /** An SSLContext for clients that trusts exactly {@code trusted} (nothing from the JDK's trust store). */
    public static SSLContext clientTrusting(X509Certificate... trusted) {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers(trusted), null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust managers that trust exactly {@code trusted}. */
    public static javax.net.ssl.TrustManager[] trustManagers(X509Certificate... trusted) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.length; i++) {
                store.setCertificateEntry("trusted-" + i, trusted[i]);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path write(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    private static KeyPair keyPair(String algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
    }

    /** This CA's own certificate and key as a server's: a self-signed server certificate, sent alone. */
    public Leaf asSelfSigned() {
        return new Leaf(certificate, keys.getPrivate(), certificate);
    }

    /** A server certificate, its key and the CA certificate that signed it (itself, when self-signed). */
    public record Leaf(X509Certificate certificate, PrivateKey key, X509Certificate issuer) {

        /** An SSLContext for a server presenting this certificate (and its issuer's, unless it is its own). */
        public SSLContext serverContext() {
            try {
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(keyManagers(), null, null);
                return tls;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Key managers presenting this certificate (and its issuer's, unless it is its own). */
        public javax.net.ssl.KeyManager[] keyManagers() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                X509Certificate[] chain = issuer.equals(certificate) ? new X509Certificate[] {certificate}
                        : new X509Certificate[] {certificate, issuer};
                store.setKeyEntry("server", key, "changeit".toCharArray(), chain);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, "changeit".toCharArray());
                return kmf.getKeyManagers();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
