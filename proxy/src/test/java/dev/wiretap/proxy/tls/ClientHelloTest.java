package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The name a ClientHello asks for, read from the bytes a real JDK client sends first. */
class ClientHelloTest {

    @Test
    void readsTheNameTheClientAsksFor() throws Exception {
        assertEquals(Optional.of("api.example"), ClientHello.serverName(helloFrom("api.example"), "10.0.0.1"));
    }

    @Test
    void givesTheFallbackForAHelloThatAsksForNoName() throws Exception {
        assertEquals(Optional.of("10.0.0.1"), ClientHello.serverName(helloFrom(null), "10.0.0.1"));
    }

    @Test
    void tellsNothingFromAHelloCutShortBeforeItsName() throws Exception {
        byte[] named = helloFrom("api.example");
        byte[] unnamed = helloFrom(null);

        for (int cut = 0; cut < 60; cut++) {
            assertEquals(Optional.empty(), ClientHello.serverName(Arrays.copyOf(named, cut), "x"), "cut at " + cut);
        }
        for (int cut = 0; cut < unnamed.length; cut++) {
            assertEquals(Optional.empty(), ClientHello.serverName(Arrays.copyOf(unnamed, cut), "x"), "cut at " + cut);
        }
    }

    @Test
    void knowsAWholeHelloFromOneCutShort() throws Exception {
        byte[] hello = helloFrom("api.example");

        assertEquals(true, ClientHello.isWhole(hello));
        for (int cut = 0; cut < hello.length; cut++) {
            assertEquals(false, ClientHello.isWhole(Arrays.copyOf(hello, cut)), "cut at " + cut);
        }
        assertEquals(false, ClientHello.isWhole("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void tellsNothingFromBytesThatAreNoClientHello() {
        assertEquals(Optional.empty(), ClientHello.serverName("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "x"));
        assertEquals(Optional.empty(), ClientHello.serverName(new byte[] {22, 3, 1, 0, 4, 2, 0, 0, 0}, "x")); // a ServerHello
    }

    @Test
    void tellsHowManyBytesTheWholeHelloTakes() throws Exception {
        byte[] hello = helloFrom("api.example");
        byte[] more = Arrays.copyOf(hello, hello.length + 10); // what follows is not the hello's

        assertEquals(hello.length, ClientHello.length(hello));
        assertEquals(hello.length, ClientHello.length(more));
        for (int cut = 0; cut < hello.length; cut++) {
            assertEquals(-1, ClientHello.length(Arrays.copyOf(hello, cut)), "cut at " + cut);
        }
        assertEquals(0, ClientHello.length("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0, ClientHello.length(new byte[] {22, 3, 1, 0, 4, 2, 0, 0, 0})); // a ServerHello
        assertEquals(0, ClientHello.length(new byte[] {22, 3, 1, (byte) 0xFF, (byte) 0xFF})); // too long to be read
    }

    @Test
    void readsAHelloSplitOverRecords() throws Exception {
        byte[] hello = helloFrom("bank.example");
        byte[] body = Arrays.copyOfRange(hello, 5, hello.length);
        int half = 40; // inside the hello, before its extensions
        byte[] split = new byte[hello.length + 5];
        System.arraycopy(record(Arrays.copyOf(body, half)), 0, split, 0, 5 + half);
        System.arraycopy(record(Arrays.copyOfRange(body, half, body.length)), 0, split, 5 + half, 5 + body.length - half);

        assertEquals(split.length, ClientHello.length(split));
        assertEquals(Optional.of("bank.example"), ClientHello.serverName(split, "x"));
        assertEquals(-1, ClientHello.length(Arrays.copyOf(split, 5 + half + 7)));
        assertEquals(Optional.empty(), ClientHello.serverName(Arrays.copyOf(split, 5 + half + 7), "x"));
    }

    private static byte[] record(byte[] payload) {
        byte[] r = new byte[5 + payload.length];
        r[0] = 22;
        r[1] = 3;
        r[2] = 1;
        r[3] = (byte) (payload.length >> 8);
        r[4] = (byte) payload.length;
        System.arraycopy(payload, 0, r, 5, payload.length);
        return r;
    }

    @Test
    void seesTheProtocolsAClientOffersInEveryHelloItSends() throws Exception {
        for (int i = 0; i < 10; i++) {
            byte[] hello = helloFrom(null, "h2", "http/1.1");
            assertEquals(true, ClientHello.offersProtocol(hello, "h2"), "hello " + i + ": " + java.util.HexFormat.of().formatHex(hello));
            assertEquals(true, ClientHello.offersProtocol(hello, "http/1.1"));
            assertEquals(false, ClientHello.offersProtocol(hello, "h3"));
        }
    }

    /** The first TLS record a JDK client sends, asking for {@code name} (none when null). */
    private static byte[] helloFrom(String name, String... protocols) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, null, null);
            Thread client = Thread.ofVirtual().start(() -> {
                try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                    SSLParameters params = socket.getSSLParameters();
                    params.setServerNames(name == null ? List.of() : List.of(new SNIHostName(name)));
                    if (protocols.length > 0) {
                        params.setApplicationProtocols(protocols);
                    }
                    socket.setSSLParameters(params);
                    socket.startHandshake();
                } catch (IOException expected) {
                    // The test's server hangs up after the ClientHello.
                }
            });
            try (Socket accepted = server.accept()) {
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                byte[] header = in.readNBytes(5);
                byte[] body = in.readNBytes(((header[3] & 0xFF) << 8) | (header[4] & 0xFF));
                byte[] record = Arrays.copyOf(header, 5 + body.length);
                System.arraycopy(body, 0, record, 5, body.length);
                return record;
            } finally {
                client.join();
            }
        }
    }
}
