package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.WebSocketMessage;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed WebSocket messages (permessage-deflate, RFC 7692, with context takeover) between two peers of another
 * implementation, Python's websockets (Debian's python3-websockets, which .ci/run installs): they reach each other
 * unchanged through wiretap, and the flow shows each message inflated.
 */
class WebSocketDeflateTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    @Test
    void showsCompressedMessagesInflatedWhileTheyPassUnchanged() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c", "import websockets")
                .start().waitFor() == 0, "Python's websockets is not installed (Debian: apt-get install python3-websockets)");
        Path script = Path.of(getClass().getResource("/websocket/deflate_peers.py").toURI());
        TestCa ca = TestCa.ec("deflate test CA");
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        try (ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(caFile))) {
            Process peers = new ProcessBuilder(PYTHON.toString(), script.toString(), Integer.toString(proxy.port()))
                    .redirectErrorStream(true).start();
            assertTrue(peers.waitFor(60, TimeUnit.SECONDS), "the Python peers did not finish");
            String said = new String(peers.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(said.startsWith("ok"), said);

            Flow flow = WebSocketMessagesTest.upgradedFlow(proxy, null);
            assertTrue(flow.response().orElseThrow().headers().first("Sec-WebSocket-Extensions").orElse("")
                    .startsWith("permessage-deflate"), "no compression agreed");
            List<WebSocketMessage> data = flow.webSocket().orElseThrow().all().stream().filter(m -> m.type().isData()).toList();
            assertEquals(8, data.size(), data.toString());
            String text = "compress me, ".repeat(200);
            byte[] binary = new byte[256 * 64];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) i;
            }
            for (int i = 0; i < 8; i++) {
                WebSocketMessage m = data.get(i);
                assertTrue(m.compressed(), m.toString());
                assertTrue(m.wireSize() < m.size(), "not smaller on the wire: " + m);
                switch (i / 2) {
                    case 0, 2 -> assertEquals(text, m.text());
                    case 1 -> assertArrayEquals(binary, m.content());
                    default -> assertEquals("fragmented " + "and compressed ".repeat(20), m.text());
                }
            }
            assertEquals(List.of(), flow.notes());
        }
    }
}
