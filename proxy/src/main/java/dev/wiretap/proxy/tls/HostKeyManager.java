package dev.wiretap.proxy.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Gives JSSE, during each TLS handshake with a client, the certificate for the host the client asked for: the
 * name it sent in SNI, or, when it sent none (an IP address, an old client), the host of its CONNECT request, which
 * the handshaking thread passes in {@link #FALLBACK_HOST}. The alias JSSE sees is the host name itself.
 * Thread-safe.
 */
final class HostKeyManager extends X509ExtendedKeyManager {

    /** The CONNECT target's host, set by the thread that runs a handshake for as long as it runs. */
    static final ThreadLocal<String> FALLBACK_HOST = new ThreadLocal<>();
    /**
     * Set (to the host) on the handshaking thread once JSSE took a host certificate to send: a client that hangs up
     * after this has seen it. Cleared, like {@link #FALLBACK_HOST}, by the thread that runs the handshake.
     */
    static final ThreadLocal<String> CHAIN_GIVEN = new ThreadLocal<>();

    private final LeafCertificates leaves;

    HostKeyManager(LeafCertificates leaves) {
        this.leaves = leaves;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        if (!leaves.keyType().equals(keyType)) {
            return null; // JSSE asks once per key type it could use; only the host certificates' type has one
        }
        String host = socket instanceof SSLSocket ssl ? requestedHost(ssl.getHandshakeSession()) : null;
        return host != null ? host : FALLBACK_HOST.get();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        if (!leaves.keyType().equals(keyType)) {
            return null;
        }
        String host = requestedHost(engine.getHandshakeSession());
        return host != null ? host : FALLBACK_HOST.get();
    }

    private static String requestedHost(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            List<SNIServerName> names = extended.getRequestedServerNames();
            for (SNIServerName name : names) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        if (alias == null) {
            return null;
        }
        if (FALLBACK_HOST.get() != null) {
            CHAIN_GIVEN.set(alias); // only on a thread running an intercepting handshake, which clears it
        }
        return leaves.chainFor(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return alias == null ? null : leaves.privateKey();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null; // aliases are made per handshake, from the host asked for
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
