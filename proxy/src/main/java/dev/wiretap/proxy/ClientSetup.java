package dev.wiretap.proxy;

import dev.wiretap.proxy.tls.CertificateAuthority;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a client needs to go through a running wiretap and trust what it sees there: the proxy's address as a JDK
 * {@link ProxySelector}, an {@link SSLContext} that trusts wiretap's CA (and nothing else: every HTTPS site reached
 * through wiretap is shown with a certificate of that CA), the CA as PEM, and Chromium's command-line flags. Made on
 * the caller's thread; immutable.
 */
final class ClientSetup {

    private final InetSocketAddress address;
    private final Optional<CertificateAuthority> ca;

    ClientSetup(InetSocketAddress address, Optional<CertificateAuthority> ca) {
        this.address = address;
        this.ca = ca;
    }

    /** The proxy's address as clients dial it: loopback when wiretap listens on every interface. */
    InetSocketAddress proxyAddress() {
        return address.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), address.getPort()) : address;
    }

    ProxySelector proxySelector() {
        return ProxySelector.of(proxyAddress());
    }

    SSLContext sslContext() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("wiretap-ca", ca().certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a TLS context trusting wiretap's CA: " + e.getMessage(), e);
        }
    }

    String caPem() {
        return ca().certificatePem();
    }

    /**
     * Chromium's flags for going through wiretap: the proxy, loopback included (Chromium sends it direct otherwise), and
     * trust in certificates whose chain holds wiretap's CA key, by its SPKI hash (base64 of SHA-256), which Chromium
     * honours with a profile of its own ({@code --user-data-dir}, as Selenium always gives it).
     */
    List<String> chromeArguments() {
        InetSocketAddress proxy = proxyAddress();
        String host = proxy.getAddress().getHostAddress();
        String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + proxy.getPort();
        List<String> flags = new java.util.ArrayList<>(List.of("--proxy-server=http://" + hostPort,
                "--proxy-bypass-list=<-loopback>"));
        ca.ifPresent(authority -> flags.add("--ignore-certificate-errors-spki-list=" + spkiHash(authority)));
        return List.copyOf(flags);
    }

    private static String spkiHash(CertificateAuthority authority) {
        try {
            byte[] spki = authority.certificate().getPublicKey().getEncoded(); // X.509 SubjectPublicKeyInfo, DER
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private CertificateAuthority ca() {
        return ca.orElseThrow(() -> new IllegalStateException("HTTPS interception is off (tls.intercept: false), so"
                + " wiretap has no CA for clients to trust"));
    }
}
