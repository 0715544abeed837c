package dev.wiretap.proxy.http1;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import dev.wiretap.proxy.flow.Request;
import java.io.EOFException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: what a client's connection feeds the HTTP/1 codec, read as the session reads it: request heads one
 * after another ({@link RequestParser}), each head's target, Host and Connection read ({@link RequestTarget},
 * {@link ConnectionOptions}), its body framing decided ({@link BodyFraming#ofRequest}) and its body relayed as it
 * came ({@link BodyRelay}, so the chunked reader and trailers too), until the bytes end or a fault. The only
 * acceptable faults are a {@link ProtocolException} with one of the statuses the codec documents and the stream
 * ending early; the limits are small so that each limit's branch is reachable ({@link StreamTranscript#LIMITS}). The
 * same bytes are read twice, all at once and one byte per read into a one-byte buffer, and must read the same (every
 * parser resumes anywhere). Seeds: requests as curl, browsers and the tests send them (docs/reliability.md).
 */
class RequestStreamFuzzTest {

    private static final Set<Integer> STATUSES = Set.of(400, 413, 414, 431, 501, 505);
    // A body's capture is sized from its declared length up front (up to the cap): issue 12's first finding.
    private static final AllocationLimit LIMIT = new AllocationLimit(3L * StreamTranscript.CAPTURE_CAP, 512);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyClientBytesAsRequestsOrAProtocolError(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> Delivery.assertReadsAlikeHoweverTheyArrive(input, RequestStreamFuzzTest::transcript));
    }

    /** What the codec made of the bytes: each request and its body, then how the stream ended. */
    private static String transcript(Delivery delivery, byte[] bytes) throws Exception {
        HttpInput in = delivery.input(bytes);
        RequestParser parser = new RequestParser(StreamTranscript.LIMITS);
        StreamTranscript t = new StreamTranscript();
        try {
            while (true) {
                Optional<Request> read = parser.read(in);
                if (read.isEmpty()) {
                    return t.end("end");
                }
                Request request = read.get();
                t.append(request.method()).append(' ').append(request.target()).append(' ')
                        .append(request.version()).append('\n').append(request.headers());
                RequestTarget target = RequestTarget.parse(request.method(), request.target());
                t.append(target).append('\n');
                RequestTarget.checkHost(request);
                RequestTarget.isServerWide(request.method(), request.target());
                if (target.form() == RequestTarget.Form.ABSOLUTE) {
                    t.append(target.destination()).append(' ').append(target.destination().url()).append('\n');
                }
                t.append(ConnectionOptions.of(request.headers())).append('\n');
                t.relayBody(in, BodyFraming.ofRequest(request), true, BodyRelay.Mode.AS_IS);
            }
        } catch (ProtocolException | BodyRelay.RelayException | EOFException e) {
            return t.endedBy(e, RequestStreamFuzzTest::expected);
        }
    }

    private static String expected(ProtocolException e) {
        if (!STATUSES.contains(e.status())) {
            throw new AssertionError("status " + e.status() + " is not one the codec documents: " + e.reason(), e);
        }
        return e.status() + " " + e.reason();
    }
}
