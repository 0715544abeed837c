package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void defaultsThePortTo8080() {
        assertEquals(new HostPort("proxy.corp", 8080), UpstreamProxy.parse("http://proxy.corp").address());
        assertEquals(new HostPort("::1", 8080), UpstreamProxy.parse("http://[::1]").address());
    }

    @Test
    void printsAsAUrl() {
        assertEquals("http://proxy.corp:3128", UpstreamProxy.parse("http://proxy.corp:3128").toString());
        assertEquals("http://[::1]:3128", UpstreamProxy.parse("http://[::1]:3128").toString());
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {
        "",                                 // nothing
        "proxy.corp:3128",                  // no scheme
        "https://proxy.corp:3128",          // TLS to the proxy is not supported
        "ftp://proxy.corp",                 // not http
        "socks5://proxy.corp:1080",         // not http
        "http://",                          // no host
        "http://:3128",                     // no host
        "http://proxy.corp:3128/path",      // a path
        "http://proxy.corp:3128/?q=1",      // a query
        "http://proxy.corp:3128#top",       // a fragment
        "http://user:secret@proxy.corp:3128", // credentials
        "http://proxy.corp:99999",          // port out of range
        "http://proxy.corp:0",              // port 0 reaches nothing
        "http://proxy corp:3128",           // not a URL
    })
    void rejectsAnythingButAPlainHttpUrl(String text) {
        assertThrows(IllegalArgumentException.class, () -> UpstreamProxy.parse(text));
    }

    @Test
    void saysWhatIsWrong() {
        assertTrue(messageOf("https://proxy.corp").contains("http://"));
        assertTrue(messageOf("http://u:p@proxy.corp").contains("credentials"));
        assertTrue(messageOf("http://proxy.corp/x").contains("path"));
        assertTrue(messageOf("ftp://x").contains("ftp://x"));
    }

    private static String messageOf(String text) {
        return assertThrows(IllegalArgumentException.class, () -> UpstreamProxy.parse(text)).getMessage();
    }
}
