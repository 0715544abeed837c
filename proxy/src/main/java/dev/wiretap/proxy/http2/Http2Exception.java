package dev.wiretap.proxy.http2;

/**
 * A breach of HTTP/2 by the peer: a connection error (the connection ends with GOAWAY carrying {@link #code()}) or, when
 * {@link #streamId()} is not 0, a stream error (that stream alone is reset). RFC 9113 section 5.4. The message is safe to
 * show and to send as GOAWAY's debug data.
 */
final class Http2Exception extends Exception {

    private final ErrorCode code;
    private final int streamId;

    private Http2Exception(ErrorCode code, int streamId, String message) {
        super(message, null, false, false);
        this.code = code;
        this.streamId = streamId;
    }

    /** An error that ends the whole connection. */
    public static Http2Exception connection(ErrorCode code, String message) {
        return new Http2Exception(code, 0, message);
    }

    /** An error that resets stream {@code streamId} alone. */
    public static Http2Exception stream(int streamId, ErrorCode code, String message) {
        return new Http2Exception(code, streamId, message);
    }

    public ErrorCode code() {
        return code;
    }

    /** The stream reset, or 0 for a connection error. */
    public int streamId() {
        return streamId;
    }

    public boolean isConnectionError() {
        return streamId == 0;
    }
}
