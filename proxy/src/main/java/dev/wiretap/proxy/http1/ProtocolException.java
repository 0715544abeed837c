package dev.wiretap.proxy.http1;

/**
 * A message that breaks HTTP/1.1: the status to answer with, a reason safe to show to the peer (no stack trace,
 * no internals), and whether the connection may carry on afterwards (almost never: once framing is in doubt the
 * connection is closed, RFC 9112 section 6.3).
 */
public final class ProtocolException extends Exception {

    private final int status;
    private final boolean connectionReusable;

    public ProtocolException(int status, String reason) {
        this(status, reason, false);
    }

    public ProtocolException(int status, String reason, boolean connectionReusable) {
        super(reason, null, false, false);
        this.status = status;
        this.connectionReusable = connectionReusable;
    }

    public static ProtocolException badRequest(String reason) {
        return new ProtocolException(400, reason);
    }

    /** The status to answer a client with (4xx/5xx); 502 when an origin broke the protocol. */
    public int status() {
        return status;
    }

    /** The reason, safe to show to a client. */
    public String reason() {
        return getMessage();
    }

    public boolean isConnectionReusable() {
        return connectionReusable;
    }
}
