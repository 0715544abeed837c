package dev.wiretap.proxy.tls;

import dev.wiretap.config.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * How wiretap decides whether to believe an origin's certificate: the JDK's trust store, plus any extra
 * certificates the user names (a company CA, a test CA); or, only when the user asks ({@code --insecure-upstream}),
 * not at all. Host names are checked by the dialer (endpoint identification), unless verification is off. A
 * certificate refused is explained in words ({@link #problemIn}), naming what is wrong and what to do.
 */
public final class UpstreamTrust {

    private UpstreamTrust() {
    }

    /**
     * A socket factory for TLS connections to origins, per the settings. The user's extra certificate files are read
     * now, so that a bad one stops the start; the JDK's trust store and the TLS context are made on a thread of their
     * own ({@link DeferredSocketFactory}), which the first TLS connection to an origin waits for.
     */
    public static SSLSocketFactory socketFactory(TlsSettings settings) throws IOException {
        List<Certificate> extra = new ArrayList<>();
        for (Path file : settings.trustedCerts()) {
            extra.addAll(readCertificates(file));
        }
        boolean verify = !settings.insecureUpstream();
        return new DeferredSocketFactory(() -> {
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManager trust = verify ? explaining(trustManager(extra)) : new TrustAll();
            context.init(null, new TrustManager[] {trust}, null);
            return context.getSocketFactory();
        }, "wiretap-upstream-trust");
    }

    /**
     * Why a handshake with an origin failed over its certificate, when that is why: found among {@code failure}'s
     * causes, where the trust manager put it.
     */
    public static Optional<CertificateProblem> problemIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ExplainingTrustManager.Refused refused) {
                return Optional.of(refused.problem());
            }
        }
        return Optional.empty();
    }

    /** The JDK's checks, explaining their refusals; any other trust manager as it is. */
    private static TrustManager explaining(X509TrustManager jdk) {
        return jdk instanceof X509ExtendedTrustManager extended ? new ExplainingTrustManager(extended) : jdk;
    }

    /** The JDK's trust store with {@code extra} certificates (from the user's PEM files) added. */
    static X509TrustManager trustManager(List<Certificate> extra) throws IOException, GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (extra.isEmpty()) {
            factory.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate cert : jdkDefaults()) {
                store.setCertificateEntry("jdk-" + n++, cert);
            }
            for (Certificate cert : extra) {
                store.setCertificateEntry("extra-" + n++, cert);
            }
            factory.init(store);
        }
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager in this JDK");
    }

    private static List<X509Certificate> jdkDefaults() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        List<X509Certificate> certs = new ArrayList<>();
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                certs.addAll(List.of(x509.getAcceptedIssuers()));
            }
        }
        return certs;
    }

    private static List<? extends Certificate> readCertificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<? extends Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IOException("no certificate in " + file);
            }
            return certs;
        } catch (CertificateException e) {
            throw new IOException(file + " holds no readable PEM certificate: " + e.getMessage(), e);
        }
    }

    /** Believes every certificate: only for {@code --insecure-upstream}, which wiretap warns about at start. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
