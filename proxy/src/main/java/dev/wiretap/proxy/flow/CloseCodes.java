package dev.wiretap.proxy.flow;

/**
 * The status codes of a Close frame (RFC 6455 section 7.4, and IANA's WebSocket Close Code Number Registry): which
 * may appear on the wire, and their names. Stateless. Beside {@link WebSocketMessage}, whose close code it names for the
 * faces; the WebSocket codec checks the codes it reads with it.
 */
public final class CloseCodes {

    public static final int NORMAL = 1000;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int INVALID_DATA = 1007;
    public static final int TOO_BIG = 1009;

    private CloseCodes() {
    }

    /**
     * Whether {@code code} may be sent in a Close frame: the registered codes 1000 to 1003 and 1007 to 1014, and the
     * ranges for libraries and applications, 3000 to 4999. 1004 is reserved, and 1005, 1006 and 1015 must never be
     * sent (section 7.4.1); the rest of 1000 to 2999 is reserved for the protocol (section 7.4.2).
     */
    public static boolean isValid(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** The code's name, e.g. "normal closure"; empty for an application's own code. */
    public static String name(int code) {
        return switch (code) {
            case 1000 -> "normal closure";
            case 1001 -> "going away";
            case 1002 -> "protocol error";
            case 1003 -> "unsupported data";
            case 1005 -> "no status";
            case 1006 -> "abnormal closure";
            case 1007 -> "invalid payload data";
            case 1008 -> "policy violation";
            case 1009 -> "message too big";
            case 1010 -> "mandatory extension";
            case 1011 -> "internal error";
            case 1012 -> "service restart";
            case 1013 -> "try again later";
            case 1014 -> "bad gateway";
            case 1015 -> "TLS handshake failure";
            default -> "";
        };
    }
}
