package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** The factory towards origins made while wiretap starts: it does not hold up its maker's caller, and its sockets work. */
class DeferredSocketFactoryTest {

    private final TestCa ca = TestCa.ec("deferred factory test CA");

    @Test
    void returnsBeforeTheFactoryIsMadeAndItsFirstSocketWaitsForIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // The maker waits for the latch, which only this thread opens after the constructor returned: a constructor that
        // ran the maker itself would come back only when the wait gave up, with the factory made.
        DeferredSocketFactory factory = new DeferredSocketFactory(() -> {
            release.await(30, TimeUnit.SECONDS);
            return trusting(ca);
        }, "test-deferred-trust");
        assertFalse(factory.isMade());
        release.countDown();

        try (TestOrigin origin = TestOrigin.fixedTls(ca.issue("127.0.0.1").serverContext(), "ok");
             SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", origin.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertEquals("HTTP/1.1 200 OK", new String(socket.getInputStream().readNBytes(15), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aFactoryThatCouldNotBeMadeFailsEachSocketSayingWhy() {
        DeferredSocketFactory factory = new DeferredSocketFactory(() -> {
            throw new GeneralSecurityException("no X.509 trust manager in this JDK");
        }, "test-deferred-trust");

        for (int i = 0; i < 2; i++) {
            IOException e = assertThrows(IOException.class, () -> factory.createSocket("127.0.0.1", 9));
            assertTrue(e.getMessage().contains("cannot set up TLS towards origins: no X.509 trust manager in this JDK"),
                    e.getMessage());
        }
    }

    private static SSLSocketFactory trusting(TestCa ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context.getSocketFactory();
    }
}
