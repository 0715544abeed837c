package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.TlsSettings;
import dev.wiretap.proxy.testing.TestCa;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Host certificates: the host as subject alternative name (DNS, or IP for a literal), serverAuth, signed by the CA
 * and valid within its validity; cached per host, least recently used out first, minted only on a miss.
 */
class LeafCertificatesTest {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    @TempDir
    static Path configDir;
    private static CertificateAuthority ca;

    @BeforeAll
    static void makeCa() throws Exception {
        ca = CertificateAuthority.loadOrCreate(configDir);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "example.com,      2",
        "api.example.com,  2",
        "localhost,        2",
        "127.0.0.1,        7",
        "10.1.2.3,         7",
        "::1,              7",
        "2001:db8::42,     7",
    })
    void namesTheHostAsItsOnlySubjectAlternativeName(String host, int sanType) throws Exception {
        X509Certificate leaf = new LeafCertificates(ca, 8).mint(host);

        Collection<List<?>> names = leaf.getSubjectAlternativeNames();
        assertEquals(1, names.size(), names.toString());
        List<?> name = names.iterator().next();
        assertEquals(sanType, name.get(0));
        if (sanType == SAN_IP) {
            assertEquals(InetAddress.getByName(host), InetAddress.getByName((String) name.get(1)));
        } else {
            assertEquals(SAN_DNS, sanType);
            assertEquals(host, name.get(1));
        }
    }

    @Test
    void isAServerCertificateSignedByTheCa() throws Exception {
        LeafCertificates leaves = new LeafCertificates(ca, 8);
        X509Certificate[] chain = leaves.chainFor("example.com");

        X509Certificate leaf = chain[0];
        assertEquals(2, chain.length);
        assertEquals(ca.certificate(), chain[1]);
        leaf.verify(ca.certificate().getPublicKey()); // throws unless the CA's key signed it
        assertEquals(ca.certificate().getSubjectX500Principal(), leaf.getIssuerX500Principal());
        assertTrue(leaf.getExtendedKeyUsage().contains(SERVER_AUTH), leaf.getExtendedKeyUsage().toString());
        assertEquals(-1, leaf.getBasicConstraints(), "a host certificate must not be a CA");
        assertTrue(leaf.getKeyUsage()[0], "digitalSignature missing");
        assertEquals(leaf.getPublicKey(), leaves.chainFor("other.example")[0].getPublicKey(), "one shared leaf key");
        assertEquals("EC", leaves.keyType());
        assertEquals(leaves.privateKey().getAlgorithm(), leaf.getPublicKey().getAlgorithm());
        leaf.checkValidity();
    }

    @Test
    void isValidWithinTheCasValidity() throws Exception {
        assertWithin(ca.certificate(), new LeafCertificates(ca, 8).mint("example.com"));
    }

    @Test
    void staysWithinTheValidityOfAYoungShortLivedCa(@TempDir Path dir) throws Exception {
        Instant now = Instant.now();
        TestCa young = TestCa.create("young CA", "EC", now, now.plus(Duration.ofDays(30)));
        CertificateAuthority own = CertificateAuthority.load(TlsSettings.defaults().withConfigDir(dir).withOwnCa(
                new TlsSettings.OwnCa(young.writeCertificate(dir.resolve("ca.pem")), young.writeKey(dir.resolve("ca.key"), TestCa.KeyFormat.PKCS8))));

        X509Certificate leaf = new LeafCertificates(own, 8).mint("example.com");

        assertWithin(young.certificate(), leaf);
        leaf.verify(young.certificate().getPublicKey());
    }

    @Test
    void returnsTheCachedCertificateForTheSameHostWhateverItsCase() throws Exception {
        LeafCertificates leaves = new LeafCertificates(ca, 8);

        X509Certificate[] first = leaves.chainFor("example.com");
        X509Certificate[] again = leaves.chainFor("example.com");
        X509Certificate[] upper = leaves.chainFor("EXAMPLE.Com");

        assertSame(first, again);
        assertSame(first, upper);
        assertEquals(1, leaves.mintedCount());
        assertEquals(1, leaves.cachedCount());
    }

    @Test
    void evictsTheLeastRecentlyUsedHostBeyondItsCapacity() throws Exception {
        LeafCertificates leaves = new LeafCertificates(ca, 2);
        X509Certificate a = leaves.chainFor("a.example")[0];
        X509Certificate b = leaves.chainFor("b.example")[0];
        assertSame(a, leaves.chainFor("a.example")[0]); // a is now more recently used than b

        X509Certificate c = leaves.chainFor("c.example")[0]; // over capacity: b goes
        assertEquals(3, leaves.mintedCount());
        assertEquals(2, leaves.cachedCount());

        assertSame(a, leaves.chainFor("a.example")[0]);
        assertSame(c, leaves.chainFor("c.example")[0]);
        assertEquals(3, leaves.mintedCount(), "a or c was minted again");

        X509Certificate bAgain = leaves.chainFor("b.example")[0];
        assertNotSame(b, bAgain);
        assertFalse(b.getSerialNumber().equals(bAgain.getSerialNumber()), "the same serial for two certificates");
        assertEquals(4, leaves.mintedCount());
        assertEquals(2, leaves.cachedCount());
    }

    @Test
    void countsEveryMissAcrossManyHostsAndThreads() throws Exception {
        LeafCertificates leaves = new LeafCertificates(ca, 1000);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 50; i++) {
                    leaves.chainFor("host" + i + ".example");
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }

        assertEquals(50, leaves.cachedCount());
        // Threads that miss the same host at once may each mint one; only one is kept.
        assertTrue(leaves.mintedCount() >= 50 && leaves.mintedCount() <= 200, "minted " + leaves.mintedCount());
        X509Certificate kept = leaves.chainFor("host7.example")[0];
        assertSame(kept, leaves.chainFor("host7.example")[0]);
    }

    private static void assertWithin(X509Certificate issuer, X509Certificate leaf) {
        assertFalse(leaf.getNotBefore().before(issuer.getNotBefore()),
                "valid from " + leaf.getNotBefore() + ", before its CA (" + issuer.getNotBefore() + ")");
        assertFalse(leaf.getNotAfter().after(issuer.getNotAfter()),
                "valid until " + leaf.getNotAfter() + ", after its CA (" + issuer.getNotAfter() + ")");
        assertTrue(leaf.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(20))), "expires " + leaf.getNotAfter());
    }
}
