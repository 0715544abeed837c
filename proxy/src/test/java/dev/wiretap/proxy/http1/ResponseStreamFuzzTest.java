package dev.wiretap.proxy.http1;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import dev.wiretap.proxy.flow.Response;
import java.io.EOFException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: what an origin's connection feeds the HTTP/1 codec, read as a pooled connection is: response heads one
 * after another ({@link ResponseParser}, interim 1xx ones included), each one's framing for a GET
 * ({@link BodyFraming#ofResponse}) and its body relayed ({@link BodyRelay}: fixed, chunked with trailers, or until the
 * origin closes), until a 101, a body that runs to the end, the end of the bytes, or a fault. The only acceptable
 * faults are a 502 {@link ProtocolException} and the stream ending early. As for requests, the bytes are read all at
 * once and one at a time, and must read the same. Seeds: responses as nginx, gRPC and the tests send them.
 */
class ResponseStreamFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(3L * StreamTranscript.CAPTURE_CAP, 512);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyOriginBytesAsResponsesOrAProtocolError(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> Delivery.assertReadsAlikeHoweverTheyArrive(input, ResponseStreamFuzzTest::transcript));
    }

    private static String transcript(Delivery delivery, byte[] bytes) throws Exception {
        HttpInput in = delivery.input(bytes);
        ResponseParser parser = new ResponseParser(StreamTranscript.LIMITS);
        StreamTranscript t = new StreamTranscript();
        try {
            while (true) {
                Response response = parser.read(in);
                t.append(response.version()).append(' ').append(response.status()).append(' ').append(response.reason())
                        .append('\n').append(response.headers());
                if (response.status() == 101) {
                    return t.end("tunnel");
                }
                BodyFraming framing = BodyFraming.ofResponse("GET", response);
                BodyRelay.Mode mode = framing instanceof BodyFraming.Chunked ? BodyRelay.Mode.DECHUNK : BodyRelay.Mode.AS_IS;
                t.relayBody(in, framing, false, mode);
                if (!framing.isSelfDelimited()) {
                    return t.end("closed");
                }
            }
        } catch (ResponseParser.NoResponseException e) {
            return t.end("end");
        } catch (ProtocolException | BodyRelay.RelayException | EOFException e) {
            return t.endedBy(e, ResponseStreamFuzzTest::expected);
        }
    }

    private static String expected(ProtocolException e) {
        if (e.status() != 502) {
            throw new AssertionError("an origin's fault must be a 502, not " + e.status() + ": " + e.reason(), e);
        }
        return e.status() + " " + e.reason();
    }
}
