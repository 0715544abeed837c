package dev.wiretap.proxy.http1;

/**
 * Who sent the message being parsed. Decides the status a fault maps to: a client's fault is answered with the
 * matching 4xx, an origin's with 502 (RFC 9110 section 15.6.3).
 */
enum Party {
    CLIENT, ORIGIN;

    ProtocolException fault(int clientStatus, String reason) {
        return this == CLIENT ? new ProtocolException(clientStatus, reason) : new ProtocolException(502, "origin sent " + reason);
    }
}
