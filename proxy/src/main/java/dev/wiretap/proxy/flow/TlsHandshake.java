package dev.wiretap.proxy.flow;

import java.util.List;
import java.util.Objects;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * What a TLS handshake settled on one side of a flow: with the client inside an intercepted tunnel, or with the origin.
 * Read once per connection (when the tunnel's TLS starts, when a connection to an origin is made) and shared by the
 * flows on it. Immutable.
 *
 * @param protocol    the protocol version, as the JDK names it: {@code TLSv1.3}, {@code TLSv1.2}
 * @param cipherSuite the cipher suite: {@code TLS_AES_128_GCM_SHA256}
 * @param serverName  the host name of the SNI extension: the one the client asked for (the client's side), or the one
 *                    wiretap sent (the origin's side); empty when there was none (an address)
 */
public record TlsHandshake(String protocol, String cipherSuite, String serverName) {

    public TlsHandshake {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        Objects.requireNonNull(serverName, "serverName");
    }

    /** The handshake of {@code socket}, which has completed it (server side: wiretap's towards a client, or client side). */
    public static TlsHandshake of(SSLSocket socket) {
        SSLSession session = socket.getSession();
        List<SNIServerName> names = socket.getUseClientMode() ? socket.getSSLParameters().getServerNames()
                : session instanceof ExtendedSSLSession extended ? extended.getRequestedServerNames() : null;
        String serverName = "";
        if (names != null) {
            for (SNIServerName name : names) {
                if (name instanceof SNIHostName host) {
                    serverName = host.getAsciiName();
                    break;
                }
            }
        }
        return new TlsHandshake(session.getProtocol(), session.getCipherSuite(), serverName);
    }

    /** {@code TLSv1.3 TLS_AES_128_GCM_SHA256, SNI example.com}, for a line of text. */
    public String describe() {
        return protocol + " " + cipherSuite + (serverName.isEmpty() ? ", no SNI" : ", SNI " + serverName);
    }
}
