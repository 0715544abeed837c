package dev.wiretap.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionOptionsTest {

    private static Headers fields(String lines) throws Exception {
        return new RequestParser(Limits.DEFAULTS).read(Delivery.WHOLE.input("GET / HTTP/1.1\r\n" + lines + "\r\n"))
                .orElseThrow().headers();
    }

    @Test
    void saysNothingWithoutAConnectionField() throws Exception {
        assertEquals(new ConnectionOptions(false, false, false, List.of()), ConnectionOptions.of(fields("Host: a\r\n")));
    }

    @Test
    void readsCloseKeepAliveAndUpgradeInAnyCase() throws Exception {
        assertEquals(new ConnectionOptions(true, false, false, List.of()), ConnectionOptions.of(fields("Connection: CLOSE\r\n")));
        assertEquals(new ConnectionOptions(false, true, false, List.of()),
                ConnectionOptions.of(fields("connection: Keep-Alive\r\n")));
        assertEquals(new ConnectionOptions(false, false, true, List.of()), ConnectionOptions.of(fields("Connection: Upgrade\r\n")));
    }

    @Test
    void mergesEveryConnectionAndProxyConnectionField() throws Exception {
        ConnectionOptions options = ConnectionOptions.of(fields(
                "Connection: keep-alive, X-Foo\r\nHost: a\r\nConnection: ,upgrade ,, x-BAR\r\nProxy-Connection: close\r\n"));

        assertEquals(new ConnectionOptions(true, true, true, List.of("x-foo", "x-bar")), options);
    }

    @Test
    void namesTheFieldsItListsCaseInsensitively() throws Exception {
        Headers h = fields("Connection: X-Foo, keep-alive\r\nx-foo: 1\r\nX-FOO: 2\r\nX-Foo-Bar: 3\r\nKeep-Alive: 5\r\n");
        ConnectionOptions options = ConnectionOptions.of(h);

        assertTrue(options.names(h, 1));
        assertTrue(options.names(h, 2));
        assertFalse(options.names(h, 3));
        assertFalse(options.names(h, 4), "keep-alive is an option, not a named field");
    }

    @Test
    void neverNamesFramingFieldsOrHost() throws Exception {
        Headers h = fields("Connection: Content-Length, Transfer-Encoding, Host\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\nHost: a\r\n");
        ConnectionOptions options = ConnectionOptions.of(h);

        assertFalse(options.names(h, 1));
        assertFalse(options.names(h, 2));
        assertFalse(options.names(h, 3));
    }
}
