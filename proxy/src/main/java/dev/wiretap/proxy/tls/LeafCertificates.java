package dev.wiretap.proxy.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the hosts wiretap intercepts, minted on demand and signed by the {@link CertificateAuthority},
 * kept in a bounded cache (least recently used first out). Every host certificate shares one EC P-256 key made at
 * start, so minting is one signature. Each has the host as its subject alternative name (a DNS name, or an IP address
 * for a literal), serverAuth as extended key usage, and a validity of 397 days starting a day back (clock skew),
 * within what browsers accept and cut to the CA's own validity. Thread-safe: the lock guards the cache; minting happens outside it.
 */
public final class LeafCertificates {

    private static final Duration VALIDITY = Duration.ofDays(397);

    private final CertificateAuthority ca;
    private final KeyPair leafKey;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<String, X509Certificate[]> cache;
    private final LongAdder minted = new LongAdder();

    public LeafCertificates(CertificateAuthority ca, int capacity) throws IOException {
        this.ca = ca;
        this.capacity = capacity;
        try {
            this.leafKey = CertificateAuthority.ecKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the key for host certificates: " + e.getMessage(), e);
        }
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, X509Certificate[]> eldest) {
                return size() > LeafCertificates.this.capacity;
            }
        };
    }

    /** The chain (host certificate, then the CA's) for {@code host}: cached, or minted now. */
    public X509Certificate[] chainFor(String host) {
        String key = host.toLowerCase(java.util.Locale.ROOT);
        lock.lock();
        try {
            X509Certificate[] chain = cache.get(key);
            if (chain != null) {
                return chain;
            }
        } finally {
            lock.unlock();
        }
        X509Certificate[] chain = {mint(key), ca.certificate()};
        lock.lock();
        try {
            X509Certificate[] raced = cache.putIfAbsent(key, chain);
            return raced != null ? raced : chain;
        } finally {
            lock.unlock();
        }
    }

    /** The CA that signs these certificates. */
    public CertificateAuthority authority() {
        return ca;
    }

    /** The private key of every host certificate. */
    public PrivateKey privateKey() {
        return leafKey.getPrivate();
    }

    /** The algorithm of that key, as JSSE names key types ("EC"). */
    public String keyType() {
        return leafKey.getPrivate().getAlgorithm();
    }

    /** Certificates minted since start (cache misses). */
    public long mintedCount() {
        return minted.sum();
    }

    public int cachedCount() {
        lock.lock();
        try {
            return cache.size();
        } finally {
            lock.unlock();
        }
    }

    /** Mints a certificate for {@code host} (a name, or an IPv4/IPv6 literal). */
    public X509Certificate mint(String host) {
        try {
            // Within the CA's own validity: a user's CA made a moment ago must not sign for the day before.
            Instant now = Instant.now();
            Instant notBefore = now.minus(Duration.ofDays(1));
            Instant caNotBefore = ca.certificate().getNotBefore().toInstant();
            if (notBefore.isBefore(caNotBefore)) {
                notBefore = caNotBefore;
            }
            Instant notAfter = now.plus(VALIDITY);
            Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
            if (notAfter.isAfter(caNotAfter)) {
                notAfter = caNotAfter;
            }
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, host.length() > 64 ? host.substring(0, 64) : host)
                    .addRDN(BCStyle.O, "wiretap")
                    .build();
            X500Name issuer = new JcaX509CertificateHolder(ca.certificate()).getSubject();
            BigInteger serial = CertificateAuthority.serialNumber();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial,
                    Date.from(notBefore), Date.from(notAfter), subject, leafKey.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(subjectAltName(host)));
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leafKey.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(ca.signatureAlgorithm()).build(ca.key())));
            minted.increment();
            return cert;
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot mint a certificate for " + host + ": " + e.getMessage(), e);
        }
    }

    private static GeneralName subjectAltName(String host) throws IOException {
        if (isIpLiteral(host)) {
            return new GeneralName(GeneralName.iPAddress, InetAddress.getByName(host).getHostAddress());
        }
        return new GeneralName(GeneralName.dNSName, host);
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || (!host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    }

}
