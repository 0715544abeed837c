package dev.wiretap.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.io.BufferPool;
import java.io.ByteArrayOutputStream;
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

    private static final int CAPTURE_CAP = 1 << 20;
    private static final AllocationLimit LIMIT = new AllocationLimit(3L * CAPTURE_CAP, 512);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyOriginBytesAsResponsesOrAProtocolError(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> {
            String whole = transcript(Delivery.WHOLE, input);
            String byteByByte = transcript(Delivery.ONE_BYTE_INTO_TINY_BUFFER, input);
            assertEquals(whole, byteByByte, "the same bytes read differently when they arrive one at a time");
        });
    }

    private static String transcript(Delivery delivery, byte[] bytes) throws Exception {
        HttpInput in = delivery.input(bytes);
        ResponseParser parser = new ResponseParser(RequestStreamFuzzTest.LIMITS);
        BufferPool pool = new BufferPool(16 * 1024, 1);
        StringBuilder t = new StringBuilder();
        try {
            while (true) {
                Response response = parser.read(in);
                t.append(response.version()).append(' ').append(response.status()).append(' ').append(response.reason())
                        .append('\n').append(response.headers());
                if (response.status() == 101) {
                    return t.append("tunnel").toString();
                }
                BodyFraming framing = BodyFraming.ofResponse("GET", response);
                ByteArrayOutputStream relayed = new ByteArrayOutputStream();
                HttpOutput out = new HttpOutput(relayed, pool);
                BodyRelay.Mode mode = framing instanceof BodyFraming.Chunked ? BodyRelay.Mode.DECHUNK : BodyRelay.Mode.AS_IS;
                Body body = new BodyRelay(RequestStreamFuzzTest.LIMITS, pool, CAPTURE_CAP)
                        .relay(in, framing, false, out, mode);
                out.flush();
                t.append(framing).append(' ').append(body.size()).append(' ').append(relayed.size()).append('\n');
                if (!framing.isSelfDelimited()) {
                    return t.append("closed").toString();
                }
            }
        } catch (ResponseParser.NoResponseException e) {
            return t.append("end").toString();
        } catch (ProtocolException e) {
            return t.append(expected(e)).toString();
        } catch (BodyRelay.RelayException e) {
            if (e.getCause() instanceof ProtocolException p) {
                return t.append(expected(p)).toString();
            }
            if (e.getCause() instanceof EOFException && e.isSourceFault()) {
                return t.append("ended in a body").toString();
            }
            throw e;
        } catch (EOFException e) {
            return t.append("ended in a head").toString();
        }
    }

    private static String expected(ProtocolException e) {
        if (e.status() != 502) {
            throw new AssertionError("an origin's fault must be a 502, not " + e.status() + ": " + e.reason(), e);
        }
        return e.status() + " " + e.reason();
    }
}
