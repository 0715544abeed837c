package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.config.TlsSettings;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * wiretap's CA: made on first start in the config directory (key owner-only), loaded unchanged afterwards, refused
 * with a message naming the file when its files are broken or do not belong together, or the user's own.
 */
class CertificateAuthorityTest {

    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final int KEY_CERT_SIGN = 5;

    @Test
    void makesItsCaOnFirstStartWithTheKeyReadableByItsOwnerOnly(@TempDir Path tmp) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path dir = tmp.resolve("home").resolve(".wiretap");

        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir);

        Path keyFile = dir.resolve(CertificateAuthority.KEY_FILE);
        Path certFile = dir.resolve(CertificateAuthority.CERT_FILE);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals(certFile, ca.certificateFile());
        assertEquals(ca.certificate(), readCertificate(certFile));
        assertTrue(Files.readString(keyFile).startsWith("-----BEGIN PRIVATE KEY-----"), Files.readString(keyFile));
        assertFalse(Files.readString(certFile).contains("PRIVATE"), "the certificate file holds a key");
    }

    @Test
    void loadsTheSameCaOnTheNextStart(@TempDir Path dir) throws Exception {
        CertificateAuthority first = CertificateAuthority.loadOrCreate(dir);
        byte[] certBytes = Files.readAllBytes(dir.resolve(CertificateAuthority.CERT_FILE));
        byte[] keyBytes = Files.readAllBytes(dir.resolve(CertificateAuthority.KEY_FILE));

        CertificateAuthority second = CertificateAuthority.loadOrCreate(dir);

        assertEquals(first.certificate(), second.certificate());
        assertArrayEquals(first.key().getEncoded(), second.key().getEncoded());
        assertArrayEquals(certBytes, Files.readAllBytes(dir.resolve(CertificateAuthority.CERT_FILE)), "certificate rewritten");
        assertArrayEquals(keyBytes, Files.readAllBytes(dir.resolve(CertificateAuthority.KEY_FILE)), "key rewritten");
    }

    @Test
    void itsCertificateIsASelfSignedCaValidForYears(@TempDir Path dir) throws Exception {
        X509Certificate cert = CertificateAuthority.loadOrCreate(dir).certificate();

        assertTrue(cert.getCriticalExtensionOIDs().contains(BASIC_CONSTRAINTS), "basic constraints not critical");
        assertTrue(cert.getBasicConstraints() >= 0, "not CA:true");
        assertTrue(cert.getCriticalExtensionOIDs().contains(KEY_USAGE), "key usage not critical");
        assertTrue(cert.getKeyUsage()[KEY_CERT_SIGN], "keyCertSign missing");
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        cert.verify(cert.getPublicKey()); // throws unless self-signed
        assertEquals("EC", cert.getPublicKey().getAlgorithm());
        assertEquals(256, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        Instant now = Instant.now();
        cert.checkValidity();
        assertTrue(cert.getNotAfter().toInstant().isAfter(now.plus(Duration.ofDays(5 * 365))), "expires " + cert.getNotAfter());
        assertTrue(cert.getNotBefore().toInstant().isBefore(now), "not valid yet: " + cert.getNotBefore());
    }

    @Test
    void twoConfigDirectoriesGetTwoDifferentCas(@TempDir Path a, @TempDir Path b) throws Exception {
        X509Certificate one = CertificateAuthority.loadOrCreate(a).certificate();
        X509Certificate two = CertificateAuthority.loadOrCreate(b).certificate();

        assertFalse(one.getPublicKey().equals(two.getPublicKey()));
        assertFalse(one.getSerialNumber().equals(two.getSerialNumber()));
    }

    /** Each case: what is written over the key file of a good CA; the error must name the key file. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "empty",
        "not PEM at all",
        "a PEM certificate instead of a key",
        "a PEM key cut off before its end line",
        "a PEM key whose base64 is garbage",
        "a PEM key whose DER is garbage",
        "an encrypted PEM key",
    })
    void refusesABrokenKeyFileNamingIt(String broken, @TempDir Path dir) throws Exception {
        CertificateAuthority.loadOrCreate(dir);
        Path keyFile = dir.resolve(CertificateAuthority.KEY_FILE);
        String good = Files.readString(keyFile);
        String text = switch (broken) {
            case "empty" -> "";
            case "not PEM at all" -> "hello, I am not a key\n";
            case "a PEM certificate instead of a key" -> Files.readString(dir.resolve(CertificateAuthority.CERT_FILE));
            case "a PEM key cut off before its end line" -> good.substring(0, good.indexOf("-----END"));
            case "a PEM key whose base64 is garbage" -> "-----BEGIN PRIVATE KEY-----\n!!!!not*base64!!!!\n-----END PRIVATE KEY-----\n";
            case "a PEM key whose DER is garbage" -> "-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQ==\n-----END PRIVATE KEY-----\n";
            case "an encrypted PEM key" -> "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAECAwQFBgcICQ==\n-----END ENCRYPTED PRIVATE KEY-----\n";
            default -> throw new IllegalArgumentException(broken);
        };
        Files.writeString(keyFile, text, StandardCharsets.US_ASCII);

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(dir));
        assertTrue(e.getMessage().contains(keyFile.toString()), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"empty", "not PEM at all", "a PEM key instead of a certificate", "a PEM certificate whose DER is garbage"})
    void refusesABrokenCertificateFileNamingIt(String broken, @TempDir Path dir) throws Exception {
        CertificateAuthority.loadOrCreate(dir);
        Path certFile = dir.resolve(CertificateAuthority.CERT_FILE);
        String text = switch (broken) {
            case "empty" -> "";
            case "not PEM at all" -> "hello, I am not a certificate\n";
            case "a PEM key instead of a certificate" -> Files.readString(dir.resolve(CertificateAuthority.KEY_FILE));
            case "a PEM certificate whose DER is garbage" -> "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n";
            default -> throw new IllegalArgumentException(broken);
        };
        Files.writeString(certFile, text, StandardCharsets.US_ASCII);

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(dir));
        assertTrue(e.getMessage().contains(certFile.toString()), e.getMessage());
    }

    @Test
    void refusesAKeyThatBelongsToAnotherCertificateOfTheSameAlgorithm(@TempDir Path dir, @TempDir Path other) throws Exception {
        CertificateAuthority.loadOrCreate(dir);
        CertificateAuthority.loadOrCreate(other);
        Path keyFile = dir.resolve(CertificateAuthority.KEY_FILE);
        Files.copy(other.resolve(CertificateAuthority.KEY_FILE), keyFile, StandardCopyOption.REPLACE_EXISTING);

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(dir));
        assertTrue(e.getMessage().contains(keyFile.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    }

    @Test
    void refusesAKeyOfAnotherAlgorithmThanTheCertificate(@TempDir Path dir) throws Exception {
        TestCa ec = TestCa.ec("ec test CA");
        TestCa rsa = TestCa.rsa("rsa test CA");
        Path certFile = ec.writeCertificate(dir.resolve("ca.pem"));
        Path keyFile = rsa.writeKey(dir.resolve("ca-key.pem"), TestCa.KeyFormat.PKCS8);

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.fromFiles(certFile, keyFile));
        assertTrue(e.getMessage().contains(keyFile.toString()), e.getMessage());
    }

    @Test
    void refusesACertificateWithoutItsKeyAndAKeyWithoutItsCertificate(@TempDir Path dir) throws Exception {
        CertificateAuthority.loadOrCreate(dir);
        Path keyFile = dir.resolve(CertificateAuthority.KEY_FILE);
        Path certFile = dir.resolve(CertificateAuthority.CERT_FILE);
        byte[] key = Files.readAllBytes(keyFile);

        Files.delete(keyFile);
        IOException noKey = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(dir));
        assertTrue(noKey.getMessage().contains(keyFile + " is missing"), noKey.getMessage());
        assertFalse(Files.exists(keyFile), "a new key was made beside the old certificate");

        Files.write(keyFile, key);
        Files.delete(certFile);
        IOException noCert = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(dir));
        assertTrue(noCert.getMessage().contains(certFile + " is missing"), noCert.getMessage());
    }

    @Test
    void refusesAServerCertificateAsTheCa(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.ec("test CA");
        TestCa.Leaf leaf = ca.issue("example.test");
        Path certFile = dir.resolve("leaf.pem");
        Files.writeString(certFile, pem("CERTIFICATE", leaf.certificate().getEncoded()));
        Path keyFile = dir.resolve("leaf-key.pem");
        Files.writeString(keyFile, pem("PRIVATE KEY", leaf.key().getEncoded()));

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.fromFiles(certFile, keyFile));
        assertTrue(e.getMessage().contains(certFile.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a CA"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} key, {1}")
    @CsvSource({
        "EC,  PKCS8,               -----BEGIN PRIVATE KEY-----",
        "EC,  TRADITIONAL,         -----BEGIN EC PRIVATE KEY-----",
        "EC,  EC_PARAMETERS_FIRST, -----BEGIN EC PARAMETERS-----",
        "RSA, PKCS8,               -----BEGIN PRIVATE KEY-----",
        "RSA, TRADITIONAL,         -----BEGIN RSA PRIVATE KEY-----",
    })
    void usesTheUsersOwnCa(String algorithm, TestCa.KeyFormat keyFormat, String firstLine, @TempDir Path dir) throws Exception {
        TestCa own = algorithm.equals("EC") ? TestCa.ec("my own CA") : TestCa.rsa("my own CA");
        Path certFile = own.writeCertificate(dir.resolve("my-ca.pem"));
        Path keyFile = own.writeKey(dir.resolve("my-ca.key"), keyFormat);
        assertTrue(Files.readString(keyFile).startsWith(firstLine), Files.readString(keyFile));
        Path configDir = dir.resolve("config");
        TlsSettings settings = TlsSettings.defaults().withConfigDir(configDir)
                .withOwnCa(new TlsSettings.OwnCa(certFile, keyFile));

        CertificateAuthority ca = CertificateAuthority.load(settings);

        assertEquals(own.certificate(), ca.certificate());
        assertEquals(secretOf(own.key()), secretOf(ca.key()));
        assertEquals(certFile, ca.certificateFile());
        assertFalse(Files.exists(configDir.resolve(CertificateAuthority.KEY_FILE)), "made a CA of its own anyway");
        X509Certificate leaf = new LeafCertificates(ca, 4).chainFor("example.test")[0];
        leaf.verify(own.certificate().getPublicKey()); // signed with the user's key
        assertEquals(own.certificate().getSubjectX500Principal(), leaf.getIssuerX500Principal());
    }

    @Test
    void loadMakesWiretapsOwnCaInTheConfigDirWhenNoneIsGiven(@TempDir Path dir) throws Exception {
        TlsSettings settings = TlsSettings.defaults().withConfigDir(dir).withOwnCa(null);
        assertEquals(Optional.empty(), settings.ownCa());

        CertificateAuthority ca = CertificateAuthority.load(settings);

        assertEquals(dir.resolve(CertificateAuthority.CERT_FILE), ca.certificateFile());
        assertEquals(ca.certificate(), readCertificate(ca.certificateFile()));
        assertEquals(ca.certificatePem(), Files.readString(ca.certificateFile()));
        assertEquals(ca.certificate(), CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ca.certificateDer())));
    }

    @Test
    void wiretapKeepsItsCaInTheConfigDirAcrossRestarts(@TempDir Path home) throws Exception {
        X509Certificate first;
        try (ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTls(s.tls().withIntercept(true).withConfigDir(home)))) {
            first = proxy.wiretap().certificateAuthority().orElseThrow().certificate();
        }
        assertEquals(first, readCertificate(home.resolve(CertificateAuthority.CERT_FILE)));

        try (ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTls(s.tls().withIntercept(true).withConfigDir(home)))) {
            assertEquals(first, proxy.wiretap().certificateAuthority().orElseThrow().certificate());
        }
    }

    @Test
    void wiretapMakesNoCaWithInterceptionOff(@TempDir Path home) throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTls(s.tls().withIntercept(false).withConfigDir(home)))) {
            assertEquals(Optional.empty(), proxy.wiretap().certificateAuthority());
        }
        assertFalse(Files.exists(home.resolve(CertificateAuthority.CERT_FILE)));
        assertFalse(Files.exists(home.resolve(CertificateAuthority.KEY_FILE)));
    }

    @Test
    void wiretapDoesNotStartWithABrokenCaNamingTheFile(@TempDir Path home) throws Exception {
        CertificateAuthority.loadOrCreate(home);
        Path keyFile = home.resolve(CertificateAuthority.KEY_FILE);
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nAAEC\n");

        IOException e = assertThrows(IOException.class,
                () -> ProxyUnderTest.start(s -> s.withTls(s.tls().withIntercept(true).withConfigDir(home))));
        assertTrue(e.getMessage().contains(keyFile.toString()), e.getMessage());
    }

    /** The private value of an EC or RSA key, whatever encoding (with or without the public key) it was read from. */
    private static BigInteger secretOf(PrivateKey key) {
        return key instanceof ECPrivateKey ec ? ec.getS() : ((RSAPrivateKey) key).getPrivateExponent();
    }

    static X509Certificate readCertificate(Path file) throws Exception {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
