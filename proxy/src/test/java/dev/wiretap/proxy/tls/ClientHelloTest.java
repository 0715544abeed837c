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

    /** The first TLS record a JDK client sends, asking for {@code name} (none when null). */
    private static byte[] helloFrom(String name) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, null, null);
            Thread client = Thread.ofVirtual().start(() -> {
                try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                    SSLParameters params = socket.getSSLParameters();
                    params.setServerNames(name == null ? List.of() : List.of(new SNIHostName(name)));
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
