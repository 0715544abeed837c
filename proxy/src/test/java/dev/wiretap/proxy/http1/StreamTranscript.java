package dev.wiretap.proxy.http1;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.io.BufferPool;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.function.Function;

/**
 * What the HTTP/1 codec made of a stream of messages, written down by the stream fuzz targets
 * ({@link RequestStreamFuzzTest}, {@link ResponseStreamFuzzTest}): each message's head as the target sees fit, each
 * body as it was relayed, then how the stream ended. Two readings of the same bytes must write the same transcript.
 * Mutable: one per reading, on the fuzzing thread.
 */
final class StreamTranscript {

    /** Limits small enough that the fuzzer reaches each limit's branch (the chunked and trailer targets' too). */
    static final Limits LIMITS = new Limits(256, 1024, 16, 64);
    /** How much of each body a reading captures, as a session's capture cap would. */
    static final int CAPTURE_CAP = 1 << 20;

    private final StringBuilder text = new StringBuilder();
    private final BufferPool pool = new BufferPool(16 * 1024, 1);

    StreamTranscript append(Object part) {
        text.append(part);
        return this;
    }

    /**
     * Relays the body {@code framing} says comes next on {@code in}, as a session relays it, and writes down the
     * framing, the size of the body captured and the bytes relayed.
     */
    void relayBody(HttpInput in, BodyFraming framing, boolean fromClient, BodyRelay.Mode mode) throws IOException {
        ByteArrayOutputStream relayed = new ByteArrayOutputStream();
        HttpOutput out = new HttpOutput(relayed, pool);
        Body body = new BodyRelay(LIMITS, pool, CAPTURE_CAP).relay(in, framing, fromClient, out, mode);
        out.flush();
        append(framing).append(' ').append(body.size()).append(' ').append(relayed.size()).append('\n');
    }

    /** The whole transcript, ended with {@code how} the stream ended. */
    String end(String how) {
        return text.append(how).toString();
    }

    /**
     * The whole transcript, ended with the fault that ended the stream: a protocol error as {@code expected} writes it
     * (which throws an AssertionError for a status the target does not accept), or the stream ending inside a head or
     * a body. Any other fault is the codec's bug, and is thrown.
     */
    String endedBy(Exception fault, Function<ProtocolException, String> expected) throws Exception {
        if (fault instanceof ProtocolException e) {
            return end(expected.apply(e));
        }
        if (fault instanceof BodyRelay.RelayException e) {
            if (e.getCause() instanceof ProtocolException p) {
                return end(expected.apply(p));
            }
            if (e.getCause() instanceof EOFException && e.isSourceFault()) {
                return end("ended in a body");
            }
            throw e;
        }
        if (fault instanceof EOFException) {
            return end("ended in a head");
        }
        throw fault;
    }
}
