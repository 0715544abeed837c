package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: the first bytes a client sends into an intercepted tunnel, as {@link ClientHello} reads them before any
 * handshake (the name its SNI asks for, whether its ALPN offers h2), to dial the origin and to decide pass-through by
 * SNI. Any bytes must give an answer (a name, none, or "not a whole ClientHello here"), never an exception, and the
 * answer must not change with bytes after the first record's end. Seeds: ClientHellos of the JDK (TLS 1.3 with SNI and
 * h2, TLS 1.2 without SNI), as captured from its SSLEngine.
 */
class ClientHelloFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(1 << 20, 8);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyFirstBytesAsANameOrNone(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> {
            Optional<String> name = ClientHello.serverName(input, "connect.example");
            boolean h2 = ClientHello.offersProtocol(input, "h2");
            ClientHello.offersProtocol(input, "http/1.1");
            if (input.length >= 5) {
                int recordEnd = 5 + ((input[3] & 0xFF) << 8 | input[4] & 0xFF);
                if (recordEnd <= input.length) {
                    byte[] more = Arrays.copyOf(input, recordEnd + 7); // what came after the record is never read
                    assertEquals(name, ClientHello.serverName(more, "connect.example"));
                    assertEquals(h2, ClientHello.offersProtocol(more, "h2"));
                }
            }
        });
    }
}
