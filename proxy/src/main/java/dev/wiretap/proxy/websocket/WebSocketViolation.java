package dev.wiretap.proxy.websocket;

import dev.wiretap.proxy.flow.CloseCodes;

/**
 * A peer broke RFC 6455 (or RFC 7692): the close code wiretap closes the socket with (RFC 6455 section 7.4.1: 1002
 * protocol error, 1007 invalid data, 1009 too big) and a reason safe to show. The relay cuts the offending stream at
 * the frame it was found in, closes both sides with the code, and notes the reason on the flow.
 */
final class WebSocketViolation extends Exception {

    private final int closeCode;

    WebSocketViolation(int closeCode, String reason) {
        super(reason, null, false, false);
        this.closeCode = closeCode;
    }

    static WebSocketViolation protocol(String reason) {
        return new WebSocketViolation(CloseCodes.PROTOCOL_ERROR, reason);
    }

    public int closeCode() {
        return closeCode;
    }

    /** The reason, without the code. */
    public String reason() {
        return getMessage();
    }
}
