package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.WebSocketEcho;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frames that break RFC 6455: wiretap passes on nothing of the bad frame, sends each side a Close with the right code
 * (1002 protocol error, 1007 invalid data, 1009 too big; the server's masked, as a client's must be), closes both
 * connections, and notes on the flow who broke what. A raw client and a raw origin, so that the bytes are exactly
 * the broken ones.
 */
class WebSocketViolationTest {

    private static final byte[] KEY = {0x11, 0x22, 0x33, 0x44};

    /** A client's frame: first byte {@code b0}, {@code payload} masked with {@link #KEY}. */
    static byte[] clientFrame(int b0, byte... payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        }
        out.writeBytes(KEY);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ KEY[i & 3]);
        }
        return out.toByteArray();
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("client", "an unmasked frame", HexFormat.of().parseHex("81026869"), 1002, "unmasked"),
                Arguments.of("client", "a reserved opcode", clientFrame(0x83), 1002, "reserved opcode 0x3"),
                Arguments.of("client", "RSV1 with no extension agreed", clientFrame(0xC1, (byte) 'a'), 1002, "RSV1"),
                Arguments.of("client", "RSV2", clientFrame(0xA1, (byte) 'a'), 1002, "RSV2"),
                Arguments.of("client", "a ping over 125 bytes", clientFrame(0x89, new byte[126]), 1002, "over 125"),
                Arguments.of("client", "a fragmented ping", clientFrame(0x09), 1002, "fragmented"),
                Arguments.of("client", "text that is not UTF-8", clientFrame(0x81, (byte) 0xC0, (byte) 0x80), 1007, "UTF-8"),
                Arguments.of("client", "text that ends inside a character", clientFrame(0x81, (byte) 0xE2, (byte) 0x9C), 1007, "UTF-8"),
                Arguments.of("client", "a one-byte close", clientFrame(0x88, (byte) 3), 1002, "one byte"),
                Arguments.of("client", "close code 1005", clientFrame(0x88, (byte) 0x03, (byte) 0xED), 1002, "1005"),
                Arguments.of("client", "a close reason that is not UTF-8", clientFrame(0x88, (byte) 0x03, (byte) 0xE8, (byte) 0xFF), 1007, "reason"),
                Arguments.of("client", "a continuation of nothing", clientFrame(0x80, (byte) 'x'), 1002, "continuation"),
                Arguments.of("client", "a new message inside a fragmented one",
                        concat(clientFrame(0x01, (byte) 'a'), clientFrame(0x81, (byte) 'b')), 1002, "before the fragmented one ended"),
                Arguments.of("client", "a message over the limit", clientFrame(0x82, new byte[2000]), 1009, "over the limit"),
                Arguments.of("server", "a masked frame", clientFrame(0x81, (byte) 'h', (byte) 'i'), 1002, "masked"),
                Arguments.of("server", "text that is not UTF-8", HexFormat.of().parseHex("8101ff"), 1007, "UTF-8"));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @ParameterizedTest(name = "the {0} sends {1}: {3}")
    @MethodSource("violations")
    void closesBothSidesWithTheRightCode(String who, String what, byte[] bad, int code, String noted) throws Exception {
        boolean fromServer = who.equals("server");
        CompletableFuture<byte[]> originGot = new CompletableFuture<>();
        TestOrigin.Handler origin101 = conn -> {
            String head = conn.readHead();
            conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + WebSocketEcho.accept(Heads.value(head, "Sec-WebSocket-Key")) + "\r\n\r\n");
            if (fromServer) {
                conn.out().write(bad);
                conn.out().flush();
            }
            conn.socket().setSoTimeout(10_000);
            originGot.complete(readToEnd(conn.in()));
        };
        try (TestOrigin origin = TestOrigin.start(origin101);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withLimits(s.limits().withMaxWebSocketMessageBytes(1024)));
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/ws") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            assertEquals("HTTP/1.1 101 Switching Protocols", Heads.startLine(client.readHead()));
            if (!fromServer) {
                client.send(bad);
            }
            client.socket().setSoTimeout(10_000);
            byte[] toClient = readToEnd(client.in());
            byte[] toOrigin = originGot.get(10, TimeUnit.SECONDS);

            assertEquals(code, closeCode(toClient, false), "the Close the client got");
            assertEquals(code, closeCode(toOrigin, true), "the Close the origin got");
            Flow flow = proxy.nextFinishedFlow();
            String note = String.join("\n", flow.notes());
            assertTrue(note.contains("wiretap closed the WebSocket with " + code) && note.contains("the " + who + "'s frames")
                    && note.contains(noted), note);
        }
    }

    /**
     * The code of the last frame in {@code bytes}, which must be a Close, masked or not as said (the good frames before
     * the bad one went on before it; a Close may follow a message's first fragment, as control frames may).
     */
    private static int closeCode(byte[] bytes, boolean masked) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
        int b0;
        while ((b0 = in.readUnsignedByte()) != 0x88) {
            int len = in.readUnsignedByte() & 0x7F; // a short frame that went on before the bad one
            in.skipNBytes(len + (masked ? 4 : 0));
        }
        int b1 = in.readUnsignedByte();
        assertEquals(masked, (b1 & 0x80) != 0, "masking");
        byte[] key = new byte[4];
        if (masked) {
            in.readFully(key);
        }
        byte[] payload = new byte[b1 & 0x7F];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= key[i & 3];
        }
        assertEquals(0, in.available(), "more than the Close: " + HexFormat.of().formatHex(bytes));
        return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    private static byte[] readToEnd(InputStream in) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (IOException e) {
            // a reset after the Close: what came before it counts
        }
        return got.toByteArray();
    }
}
