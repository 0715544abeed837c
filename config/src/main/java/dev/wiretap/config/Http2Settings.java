package dev.wiretap.config;

import java.time.Duration;

/**
 * HTTP/2, on both sides: whether intercepted TLS offers it to clients, what wiretap advertises in its SETTINGS, and the
 * limits that keep one connection's memory bounded and defend against the known HTTP/2 attacks. The limits apply to
 * what clients send; towards origins wiretap advertises the same windows and sizes.
 *
 * @param enabled               offer {@code h2} (beside {@code http/1.1}) in intercepted TLS, and towards origins
 * @param maxConcurrentStreams  streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); more are
 *                              refused (REFUSED_STREAM)
 * @param streamWindowBytes     what a peer may send on one stream before wiretap reads it (SETTINGS_INITIAL_WINDOW_SIZE)
 * @param connectionWindowBytes what a peer may send on one connection before wiretap reads it: the most a connection
 *                              buffers
 * @param maxFrameBytes         the largest frame payload wiretap accepts (SETTINGS_MAX_FRAME_SIZE)
 * @param maxHeaderListBytes    the largest header list, decoded (SETTINGS_MAX_HEADER_LIST_SIZE); also caps the header
 *                              block before decoding (HPACK bombs, CONTINUATION floods)
 * @param maxResetsPerSecond    streams a client may cancel before they are answered (or have refused) per second, on
 *                              average over ten seconds, before its connection is closed (rapid reset, CVE-2023-44487)
 * @param maxControlFramesPerSecond SETTINGS, PING, PRIORITY and empty frames a client may send per second, on average
 *                              over ten seconds, before its connection is closed (floods)
 * @param stallTimeout          how long a stream may wait for a peer to open its flow-control window before it is reset
 */
public record Http2Settings(boolean enabled, int maxConcurrentStreams, int streamWindowBytes, int connectionWindowBytes,
                            int maxFrameBytes, int maxHeaderListBytes, int maxResetsPerSecond,
                            int maxControlFramesPerSecond, Duration stallTimeout) {

    /** The largest window HTTP/2 allows (RFC 9113 section 6.9.1). */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    public static final Http2Settings DEFAULTS = new Http2Settings(true, 100, 256 * 1024, 2 * 1024 * 1024, 16 * 1024,
            64 * 1024, 100, 200, Duration.ofSeconds(30));

    public Http2Settings {
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("http2.max_concurrent_streams must be at least 1, got " + maxConcurrentStreams);
        }
        if (streamWindowBytes < 1) {
            throw new IllegalArgumentException("http2.stream_window must be positive, got " + streamWindowBytes);
        }
        if (connectionWindowBytes < 65_535) {
            throw new IllegalArgumentException("http2.connection_window must be at least 64k - 1 (65535), got "
                    + connectionWindowBytes);
        }
        if (maxFrameBytes < 16_384 || maxFrameBytes > 16_777_215) {
            throw new IllegalArgumentException("http2.max_frame must be between 16k and 16m - 1 (RFC 9113 section 6.5.2), got "
                    + maxFrameBytes);
        }
        if (maxHeaderListBytes < 1024) {
            throw new IllegalArgumentException("http2.max_header_list must be at least 1k, got " + maxHeaderListBytes);
        }
        if (maxResetsPerSecond < 1 || maxControlFramesPerSecond < 1) {
            throw new IllegalArgumentException("http2 rates must be at least 1 per second");
        }
        if (stallTimeout == null || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("http2.stall_timeout must be a positive duration");
        }
    }

    public Http2Settings withEnabled(boolean value) {
        return new Http2Settings(value, maxConcurrentStreams, streamWindowBytes, connectionWindowBytes, maxFrameBytes,
                maxHeaderListBytes, maxResetsPerSecond, maxControlFramesPerSecond, stallTimeout);
    }

    public Http2Settings withMaxConcurrentStreams(int value) {
        return new Http2Settings(enabled, value, streamWindowBytes, connectionWindowBytes, maxFrameBytes,
                maxHeaderListBytes, maxResetsPerSecond, maxControlFramesPerSecond, stallTimeout);
    }

    public Http2Settings withStreamWindowBytes(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, value, connectionWindowBytes, maxFrameBytes,
                maxHeaderListBytes, maxResetsPerSecond, maxControlFramesPerSecond, stallTimeout);
    }

    public Http2Settings withConnectionWindowBytes(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, streamWindowBytes, value, maxFrameBytes,
                maxHeaderListBytes, maxResetsPerSecond, maxControlFramesPerSecond, stallTimeout);
    }

    public Http2Settings withMaxFrameBytes(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, streamWindowBytes, connectionWindowBytes, value,
                maxHeaderListBytes, maxResetsPerSecond, maxControlFramesPerSecond, stallTimeout);
    }

    public Http2Settings withMaxHeaderListBytes(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, streamWindowBytes, connectionWindowBytes, maxFrameBytes,
                value, maxResetsPerSecond, maxControlFramesPerSecond, stallTimeout);
    }

    public Http2Settings withMaxResetsPerSecond(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, streamWindowBytes, connectionWindowBytes, maxFrameBytes,
                maxHeaderListBytes, value, maxControlFramesPerSecond, stallTimeout);
    }

    public Http2Settings withMaxControlFramesPerSecond(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, streamWindowBytes, connectionWindowBytes, maxFrameBytes,
                maxHeaderListBytes, maxResetsPerSecond, value, stallTimeout);
    }

    public Http2Settings withStallTimeout(Duration value) {
        return new Http2Settings(enabled, maxConcurrentStreams, streamWindowBytes, connectionWindowBytes, maxFrameBytes,
                maxHeaderListBytes, maxResetsPerSecond, maxControlFramesPerSecond, value);
    }
}
