package dev.wiretap.proxy.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's trust checks towards origins, unchanged, with one addition: when they refuse a server's certificate, the
 * refusal says why in a user's words ({@link CertificateProblem}), worked out from the chain the server sent while it
 * is at hand. The JDK's own exception stays the cause. Runs on whichever thread runs a handshake; stateless.
 */
final class ExplainingTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager jdk;

    ExplainingTrustManager(X509ExtendedTrustManager jdk) {
        this.jdk = jdk;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            jdk.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            SSLSession handshake = socket instanceof SSLSocket tls ? tls.getHandshakeSession() : null;
            throw refusal(chain, authType, e, handshake == null ? null : handshake.getPeerHost());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            jdk.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refusal(chain, authType, e, engine == null ? null : engine.getPeerHost());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            jdk.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refusal(chain, authType, e, null);
        }
    }

    /** The refusal, explained; {@code host} is the name the certificate was checked against, if any. */
    private CertificateException refusal(X509Certificate[] chain, String authType, CertificateException e, String host) {
        boolean trustedButForName = false;
        if (host != null) {
            try {
                jdk.checkServerTrusted(chain, authType); // every check but the host name's
                trustedButForName = true;
            } catch (CertificateException | RuntimeException otherwise) {
                // Refused on other grounds too: those are the ones to explain.
            }
        }
        return new Refused(CertificateProblem.of(chain, e, trustedButForName, host, Instant.now()), e);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        jdk.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        jdk.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        jdk.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return jdk.getAcceptedIssuers();
    }

    /** A refused certificate with its explanation, which JSSE passes on as the cause of the handshake's failure. */
    static final class Refused extends CertificateException {
        private final transient CertificateProblem problem;

        Refused(CertificateProblem problem, CertificateException jdk) {
            super(problem.explanation(), jdk);
            this.problem = problem;
        }

        CertificateProblem problem() {
            return problem;
        }
    }
}
