package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamProxyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://proxy.corp:3128    | proxy.corp | 3128
            HTTP://Proxy.Corp:3128    | Proxy.Corp | 3128
            http://proxy.corp:3128/   | proxy.corp | 3128
            http://127.0.0.1:8888     | 127.0.0.1  | 8888
            http://[::1]:3128         | ::1        | 3128
            ' http://proxy.corp:80 '  | proxy.corp | 80
            """)
    void parsesAnHttpUrl(String text, String host, int port) {
        assertEquals(new UpstreamProxy(new HostPort(host, port)), UpstreamProxy.parse(text));
    }

    @Test
    void defaultsThePortTo8080ForHttpAnd443ForHttps() {
        assertEquals(new HostPort("proxy.corp", 8080), UpstreamProxy.parse("http://proxy.corp").address());
        assertEquals(new HostPort("::1", 8080), UpstreamProxy.parse("http://[::1]").address());
        assertEquals(new HostPort("proxy.corp", 443), UpstreamProxy.parse("https://proxy.corp").address());
    }

    @Test
    void readsAnHttpsProxyAsTlsToTheProxy() {
        UpstreamProxy proxy = UpstreamProxy.parse("https://proxy.corp:8443");

        assertTrue(proxy.isTls());
        assertFalse(UpstreamProxy.parse("http://proxy.corp:8443").isTls());
        assertEquals("https://proxy.corp:8443", proxy.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            http://alice:secret@proxy.corp:3128          | alice        | secret
            http://alice@proxy.corp:3128                 | alice        | ""
            http://alice:@proxy.corp:3128                | alice        | ""
            http://CORP%5Calice:p%40ss%3Aw%2Frd%25@proxy.corp:3128 | CORP\\alice | p@ss:w/rd%
            http://alice:p@ss@proxy.corp:3128            | alice        | p@ss
            http://j%C3%B6rg:gr%C3%BC%C3%9F@proxy.corp   | jörg         | grüß
            """)
    void percentDecodesTheUserAndPasswordAsCurlDoes(String text, String user, String password) {
        UpstreamProxy proxy = UpstreamProxy.parse(text);

        assertEquals(user, proxy.user());
        assertEquals(password, proxy.password());
        assertTrue(proxy.hasCredentials());
        assertEquals("proxy.corp", proxy.address().host());
    }

    @Test
    void makesBasicCredentialsInUtf8() {
        // RFC 7617 section 2.1 and its example for a user-id with non-ASCII characters.
        assertEquals("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", UpstreamProxy.parse("http://Aladdin:open%20sesame@p:1").basicCredentials());
        assertEquals("Basic dGVzdDoxMjPCow==", UpstreamProxy.parse("http://test:123%C2%A3@p:1").basicCredentials());
    }

    @Test
    void neverShowsThePassword() {
        UpstreamProxy proxy = UpstreamProxy.parse("http://alice:hunter2@proxy.corp:3128");

        assertEquals("http://alice:***@proxy.corp:3128", proxy.toString());
        assertFalse(proxy.toString().contains("hunter2"));
        assertEquals("http://alice@proxy.corp:3128", UpstreamProxy.parse("http://alice@proxy.corp:3128").toString());
        assertEquals("http://proxy.corp:3128", UpstreamProxy.parse("http://proxy.corp:3128").toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://alice:hunter2@proxy.corp:3128", "https://CORP%5Calice:p%40ss%3A%25@[::1]:8443",
        "http://alice:p@ss@proxy.corp", "http://j%C3%B6rg:gr%C3%BC%C3%9F@proxy.corp:3128"})
    void writesAUrlThatReadsBackAsTheSameProxy(String text) {
        UpstreamProxy proxy = UpstreamProxy.parse(text);

        assertEquals(proxy, UpstreamProxy.parse(proxy.url()));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {
        "",                                 // nothing
        "proxy.corp:3128",                  // no scheme
        "ftp://proxy.corp",                 // not http
        "socks5://proxy.corp:1080",         // not http
        "http://",                          // no host
        "http://:3128",                     // no host
        "http://alice:pw@",                 // no host
        "http://:pw@proxy.corp:3128",       // a password without a user
        "http://alice:100%@proxy.corp",     // a bad escape
        "http://proxy.corp:3128/path",      // a path
        "http://proxy.corp:3128/?q=1",      // a query
        "http://proxy.corp:3128#top",       // a fragment
        "http://proxy.corp:99999",          // port out of range
        "http://proxy.corp:0",              // port 0 reaches nothing
        "http://proxy.corp:http",           // not a port
        "http://proxy corp:3128",           // not a URL
        "http://[::1:3128",                 // unclosed bracket
    })
    void rejectsAnythingButAnHttpOrHttpsProxyUrl(String text) {
        assertThrows(IllegalArgumentException.class, () -> UpstreamProxy.parse(text));
    }

    @Test
    void saysWhatIsWrong() {
        assertTrue(messageOf("ftp://x").contains("ftp://x"));
        assertTrue(messageOf("socks5://proxy.corp").contains("http:// or https://"));
        assertTrue(messageOf("http://proxy.corp/x").contains("path"));
        assertTrue(messageOf("http://alice:100%@proxy.corp").contains("%25"));
        assertTrue(messageOf("http://:pw@proxy.corp").contains("without a user name"));
        assertTrue(messageOf("http://alice:a/b@proxy.corp").contains("%2F"), "a raw / in a password");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"socks5://alice:hunter2@proxy.corp", "http://alice:hunter2@proxy.corp:99999",
        "http://alice:hunter2@proxy.corp/path", "http://alice:hunter2@", "http://alice:hunter2%zz@proxy.corp",
        "http://alice:hunter2@proxy corp:3128", "alice:hunter2@proxy.corp:3128"})
    void neverShowsThePasswordInAnError(String text) {
        String message = messageOf(text);

        assertFalse(message.contains("hunter2"), message);
        assertTrue(message.contains("alice:***@"), message);
    }

    private static String messageOf(String text) {
        return assertThrows(IllegalArgumentException.class, () -> UpstreamProxy.parse(text)).getMessage();
    }
}
