package dev.wiretap.proxy.http2;

import java.io.IOException;

/**
 * A stream ended before its time: reset by the peer (RST_STREAM with {@link #code()}), by wiretap, or with its
 * connection. What a stream's reader or writer gets instead of more of the message.
 */
public final class StreamResetException extends IOException {

    private final ErrorCode code;
    private final boolean byPeer;

    StreamResetException(String message, ErrorCode code, boolean byPeer) {
        super(message);
        this.code = code;
        this.byPeer = byPeer;
    }

    public ErrorCode code() {
        return code;
    }

    /** True when the peer reset the stream (a client's cancel, an origin's refusal), not wiretap or the connection. */
    public boolean isByPeer() {
        return byPeer;
    }

    /** True when the peer refused the stream unprocessed (REFUSED_STREAM, or beyond a GOAWAY's last stream): it may go again. */
    public boolean isRetryable() {
        return code == ErrorCode.REFUSED_STREAM;
    }
}
