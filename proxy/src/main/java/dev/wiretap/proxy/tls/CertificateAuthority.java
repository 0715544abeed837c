package dev.wiretap.proxy.tls;

import dev.wiretap.config.TlsSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * wiretap's certificate authority: the certificate clients trust and the key that signs every host certificate.
 * Made on first start in the config directory ({@value #CERT_FILE} and {@value #KEY_FILE}, the key readable by its
 * owner alone) and loaded on later starts; or the user's own CA, from their PEM files.
 *
 * <p>Made with BouncyCastle: an EC P-256 key (signing a host certificate takes a fraction of a millisecond), a
 * self-signed certificate valid for ten years, marked as a CA (basic constraints, critical) that may sign
 * certificates and CRLs (key usage, critical), with a subject key identifier. Immutable once made; thread-safe.
 */
public final class CertificateAuthority {

    public static final String CERT_FILE = "wiretap-ca.pem";
    public static final String KEY_FILE = "wiretap-ca-key.pem";
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Path certificateFile;
    private final List<String> warnings;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key, Path certificateFile, List<String> warnings) {
        this.certificate = certificate;
        this.key = key;
        this.certificateFile = certificateFile;
        this.warnings = List.copyOf(warnings);
    }

    /** The user's own CA if the settings name one, else wiretap's in the config directory, made there if absent. */
    public static CertificateAuthority load(TlsSettings settings) throws IOException {
        if (settings.ownCa().isPresent()) {
            TlsSettings.OwnCa own = settings.ownCa().get();
            return fromFiles(own.certificate(), own.key());
        }
        return loadOrCreate(settings.configDir());
    }

    /**
     * Loads wiretap's CA from {@code dir}, or makes one there (the directory and the key file its owner's alone, the
     * certificate 0644). A key others may read or that someone else owns is refused ({@link CaFilePermissions}); a
     * directory open to others is loaded from, with a {@linkplain #warnings() warning}.
     */
    public static CertificateAuthority loadOrCreate(Path dir) throws IOException {
        Path certFile = dir.resolve(CERT_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        List<String> warnings = new ArrayList<>(1);
        if (Files.isDirectory(dir)) {
            CaFilePermissions.directoryWarning(dir).ifPresent(warnings::add);
        }
        if (Files.exists(certFile) || Files.exists(keyFile)) {
            return read(certFile, keyFile, "delete it and " + CERT_FILE + " to make a new CA, which clients must then"
                    + " trust again", warnings);
        }
        createPrivateDirectory(dir);
        CertificateAuthority ca = generate(certFile, warnings);
        writeOwnerOnly(keyFile, pem(new PemObject("PRIVATE KEY", ca.key.getEncoded())));
        Files.writeString(certFile, pem(ca.certificate), StandardCharsets.US_ASCII);
        CaFilePermissions.makePublic(certFile); // clients and tools read it; the umask may have taken that away
        return ca;
    }

    /**
     * Loads a CA from a PEM certificate and a PEM private key (PKCS#8, or traditional EC/RSA). A key others may read
     * or that someone else owns is refused, as ssh refuses such a key.
     */
    public static CertificateAuthority fromFiles(Path certFile, Path keyFile) throws IOException {
        return read(certFile, keyFile, "", List.of());
    }

    /** Problems with the CA's files that did not stop it from loading (a directory open to others), for the user. */
    public List<String> warnings() {
        return warnings;
    }

    private static CertificateAuthority read(Path certFile, Path keyFile, String remedy, List<String> warnings)
            throws IOException {
        X509Certificate cert;
        try (var in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("CA certificate " + certFile + " is missing (its key " + keyFile + " is there)");
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException("CA certificate " + certFile + " is not a PEM X.509 certificate: " + e.getMessage(), e);
        }
        if (cert.getBasicConstraints() < 0) {
            throw new IOException("certificate " + certFile + " is not a CA certificate (basic constraints CA:false)");
        }
        if (Files.exists(keyFile)) {
            CaFilePermissions.checkKey(keyFile, remedy);
        }
        PrivateKey key;
        try {
            key = readPrivateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), cert.getPublicKey().getAlgorithm(), keyFile);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("CA key " + keyFile + " is missing (its certificate " + certFile + " is there)");
        } catch (IOException | RuntimeException e) {
            // BouncyCastle's parser reports a broken PEM (no end line, bad base64, bad DER) without naming the file.
            if (e.getMessage() != null && e.getMessage().contains(keyFile.toString())) {
                throw e;
            }
            throw new IOException("CA key " + keyFile + " is not a readable PEM private key: " + e.getMessage(), e);
        }
        if (!key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm())) {
            throw new IOException("CA key " + keyFile + " (" + key.getAlgorithm() + ") does not belong to certificate "
                    + certFile + " (" + cert.getPublicKey().getAlgorithm() + ")");
        }
        if (!isPair(key, cert)) {
            throw new IOException("CA key " + keyFile + " does not belong to certificate " + certFile
                    + " (a signature made with the key does not verify with the certificate's public key)");
        }
        return new CertificateAuthority(cert, key, certFile, warnings);
    }

    /** Whether {@code key} is the private half of {@code cert}'s public key: what one signs, the other verifies. */
    private static boolean isPair(PrivateKey key, X509Certificate cert) throws IOException {
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] probe = "wiretap CA key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot check that the CA key belongs to its certificate: " + e.getMessage(), e);
        }
    }

    /** The CA certificate clients must trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    PrivateKey key() {
        return key;
    }

    /** Where the certificate is on disk. */
    public Path certificateFile() {
        return certificateFile;
    }

    public String certificatePem() {
        return pem(certificate);
    }

    public byte[] certificateDer() {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the CA certificate cannot be encoded", e);
        }
    }

    /**
     * The SHA-256 fingerprint of the certificate as browsers and {@code openssl x509 -fingerprint -sha256} show it:
     * 32 bytes in upper-case hex, separated by colons.
     */
    public String fingerprint() {
        return fingerprint(certificate);
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the CA certificate cannot be encoded", e);
        }
    }

    /** The signature algorithm this CA signs with (SHA-256 with its key's algorithm). */
    String signatureAlgorithm() {
        return switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalStateException("unsupported CA key algorithm " + key.getAlgorithm());
        };
    }

    private static CertificateAuthority generate(Path certFile, List<String> warnings) throws IOException {
        try {
            KeyPair pair = ecKeyPair();
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, "wiretap CA (" + hostName() + ")")
                    .addRDN(BCStyle.O, "wiretap")
                    .addRDN(BCStyle.OU, "generated " + Instant.now().toString().substring(0, 10))
                    .build();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serialNumber(),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new CertificateAuthority(cert, pair.getPrivate(), certFile, warnings);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a CA: " + e.getMessage(), e);
        }
    }

    static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A random positive 128-bit serial number (RFC 5280 section 4.1.2.2 allows up to 20 octets). */
    static BigInteger serialNumber() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * Reads a PEM private key: PKCS#8 ({@code PRIVATE KEY}, as wiretap writes it) with the JDK alone, which keeps
     * start-up quick; other forms (traditional {@code EC}/{@code RSA PRIVATE KEY}) through BouncyCastle.
     */
    private static PrivateKey readPrivateKey(String text, String algorithm, Path file) throws IOException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (start >= 0 && end > start) {
            try {
                byte[] der = java.util.Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
                return java.security.KeyFactory.getInstance(algorithm).generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IOException("CA key " + file + " is not a readable " + algorithm + " private key: " + e.getMessage(), e);
            }
        }
        try (Reader reader = new java.io.StringReader(text)) {
            return readPrivateKey(new PEMParser(reader), file);
        }
    }

    /** The first private key in a PEM file, after any "EC PARAMETERS" block ({@code openssl ecparam -genkey} writes one). */
    private static PrivateKey readPrivateKey(PEMParser parser, Path file) throws IOException {
        Object pem = parser.readObject();
        while (pem instanceof ASN1ObjectIdentifier) {
            pem = parser.readObject();
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (pem instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (pem instanceof PEMKeyPair pair) {
            return converter.getPrivateKey(pair.getPrivateKeyInfo()); // traditional EC/RSA form, public part optional
        }
        throw new IOException("CA key " + file + " is not an unencrypted PEM private key");
    }

    /** PEM text of a certificate, or of a {@link PemObject} written as it is (PKCS#8 for the key). */
    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (object instanceof PemObject raw) {
                writer.writeObject(raw);
            } else {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException("PEM encoding failed", e);
        }
        return out.toString();
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir); // not a POSIX file system: the platform's defaults apply
        }
    }

    /** Writes a new file that only its owner may read or write (created so from the start, never widened). */
    private static void writeOwnerOnly(Path file, String text) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("CA key " + file + " appeared while wiretap was making one; not overwriting it");
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
