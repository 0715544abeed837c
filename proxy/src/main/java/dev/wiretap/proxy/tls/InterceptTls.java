package dev.wiretap.proxy.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS server wiretap plays towards a client inside an intercepted CONNECT tunnel: one SSLContext whose key
 * manager hands out a certificate minted for whichever host the client asks for. ALPN picks {@code h2} when the client
 * offers it and HTTP/2 is on, else {@code http/1.1} (a client that offered neither gets no ALPN answer and may go on in
 * HTTP/1.1). Thread-safe.
 */
public final class InterceptTls {

    private final SSLSocketFactory factory;
    private final LeafCertificates leaves;
    private final boolean offerH2;
    private final java.util.concurrent.atomic.LongAdder handshakes = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder resumed = new java.util.concurrent.atomic.LongAdder();

    public InterceptTls(LeafCertificates leaves) {
        this(leaves, false);
    }

    /** @param offerH2 whether to pick {@code h2} when a client offers it */
    public InterceptTls(LeafCertificates leaves, boolean offerH2) {
        this.leaves = leaves;
        this.offerH2 = offerH2;
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new HostKeyManager(leaves)}, null, null);
            this.factory = context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot serve TLS: " + e.getMessage(), e);
        }
    }

    public LeafCertificates leaves() {
        return leaves;
    }

    /** Handshakes with clients completed since start. */
    public long handshakeCount() {
        return handshakes.sum();
    }

    /** Of those, the ones that resumed an earlier session (no certificate sent, no signature made). */
    public long resumedCount() {
        return resumed.sum();
    }

    /**
     * Runs the server side of a TLS handshake on {@code plain}, whose first bytes ({@code consumed}, the start of
     * the ClientHello) were already read. {@code host} (the CONNECT target) is used when the client sends no SNI.
     *
     * @throws ClientRejectedCertificate if the client refused the certificate (it does not trust wiretap's CA, or
     *                                   pins its own)
     */
    public SSLSocket accept(Socket plain, byte[] consumed, String host) throws IOException {
        SSLSocket tls = (SSLSocket) factory.createSocket(plain, new ReplayedInput(consumed, plain.getInputStream()), true);
        SSLParameters params = tls.getSSLParameters();
        params.setApplicationProtocols(new String[0]);
        tls.setSSLParameters(params);
        tls.setHandshakeApplicationProtocolSelector(
                (socket, offered) -> offerH2 && offered.contains("h2") ? "h2" : offered.contains("http/1.1") ? "http/1.1" : "");
        HostKeyManager.FALLBACK_HOST.set(host);
        HostKeyManager.CHAIN_GIVEN.remove();
        long startMillis = System.currentTimeMillis();
        try {
            tls.startHandshake();
            handshakes.increment();
            if (tls.getSession().getCreationTime() < startMillis) {
                // A session made before this handshake began: the client resumed it (a TLS 1.3 ticket, or a TLS 1.2
                // session ID or ticket), and no certificate or signature was sent (RFC 8446 section 2.2). JSSE says
                // so nowhere else, and asks the key manager for the chain either way.
                resumed.increment();
            }
        } catch (SSLException e) {
            if (isCertificateRejection(e) || (HostKeyManager.CHAIN_GIVEN.get() != null && isHangUp(e))) {
                throw new ClientRejectedCertificate(host, e);
            }
            throw e;
        } finally {
            HostKeyManager.FALLBACK_HOST.remove();
            HostKeyManager.CHAIN_GIVEN.remove();
        }
        return tls;
    }

    /**
     * Whether the connection itself failed in the middle of the handshake (end of stream, reset, broken pipe) rather
     * than TLS. After the client was sent the certificate, that is how some clients refuse it: the JDK's HttpClient,
     * for one, closes without an alert, and a client that closes with wiretap's last handshake records unread resets
     * the connection, which may destroy its alert before wiretap reads it.
     */
    private static boolean isHangUp(SSLException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException && !(t instanceof SSLException)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The alerts a client sends when it does not accept the server's certificate (RFC 8446 section 6.2), wherever
     * JSSE put them in the failure's causes (a TLS 1.3 alert arriving before encryption is reported as the cause of
     * an "unexpected exception").
     */
    private static boolean isCertificateRejection(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            for (String alert : List.of("bad_certificate", "unsupported_certificate", "certificate_unknown", "unknown_ca",
                    "certificate_revoked", "certificate_expired", "access_denied")) {
                if (message.contains(alert)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The client refused wiretap's certificate for a host: it does not trust the CA, or pins its own. */
    public static final class ClientRejectedCertificate extends IOException {
        private final String host;

        ClientRejectedCertificate(String host, SSLException cause) {
            super("the client rejected wiretap's certificate for " + host + " (" + alertOf(cause)
                    + "): it does not trust wiretap's CA, or pins its own certificate; trust the CA (wiretap ca), "
                    + "or let " + host + " pass untouched (--passthrough " + host + ")", cause);
            this.host = host;
        }

        public String host() {
            return host;
        }

        private static String alertOf(SSLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (String.valueOf(t.getMessage()).contains("Alert")) {
                    return t.getMessage();
                }
            }
            return isHangUp(e) ? "it ended the connection on receiving the certificate, without saying why" : e.getMessage();
        }
    }
}
