package dev.wiretap.proxy.upstream;

import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.http2.ErrorCode;
import dev.wiretap.proxy.http2.Http2Stream;
import java.io.IOException;

/**
 * One stream of a shared HTTP/2 connection to an origin, lent to one exchange: a place reserved within the origin's
 * concurrency when lent, the stream itself opened with the request's head ({@link #open}). Given back through the pool,
 * which finishes the stream (reset unless both sides ended it) and frees the place.
 *
 * <p>Used by the exchange's thread; {@link #cutOff()} may come from another.
 */
public final class OriginStream implements UpstreamLease {

    private final OriginHttp2 origin;
    private final boolean reused;
    private volatile Http2Stream stream;

    OriginStream(OriginHttp2 origin, boolean reused) {
        this.origin = origin;
        this.reused = reused;
    }

    /** Opens the stream with {@code head} (pseudo-header fields first); {@code endStream} when no body follows. */
    public Http2Stream open(Headers head, boolean endStream) throws IOException {
        Http2Stream s = origin.connection().openStream(head, endStream);
        stream = s;
        return s;
    }

    /** The stream, once opened; null before. */
    public Http2Stream stream() {
        return stream;
    }

    @Override
    public Route route() {
        return origin.route();
    }

    @Override
    public String remoteAddress() {
        return origin.remoteAddress();
    }

    @Override
    public boolean isReused() {
        return reused;
    }

    @Override
    public void cutOff() {
        Http2Stream s = stream;
        if (s != null) {
            s.reset(ErrorCode.CANCEL);
        }
    }

    /** The exchange is done with the stream: reset unless both sides ended it, and its place freed. */
    void finish(long nowNanos, boolean failed) {
        Http2Stream s = stream;
        if (s != null) {
            if (failed) {
                s.reset(ErrorCode.CANCEL);
            }
            s.finish();
        }
        origin.unreserve(nowNanos);
    }

    @Override
    public String toString() {
        Http2Stream s = stream;
        return (s == null ? "a stream" : "stream " + s.id()) + " to " + origin.route();
    }
}
