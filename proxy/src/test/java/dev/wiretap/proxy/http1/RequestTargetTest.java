package dev.wiretap.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.http1.RequestTarget.Form;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestTargetTest {

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("validTargets")
    void takesTargetsApart(String method, String target, RequestTarget expected) throws Exception {
        assertEquals(expected, RequestTarget.parse(method, target));
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("serverWideTargets")
    void tellsAnOptionsRequestAboutTheWholeServerFromOneAboutAResource(String method, String target, boolean serverWide) {
        assertEquals(serverWide, RequestTarget.isServerWide(method, target));
    }

    static Stream<Arguments> serverWideTargets() {
        return Stream.of(
                Arguments.of("OPTIONS", "*", true),
                Arguments.of("OPTIONS", "http://example.org:8001", true),
                Arguments.of("OPTIONS", "https://example.org", true),
                Arguments.of("OPTIONS", "http://example.org/", false),
                Arguments.of("OPTIONS", "http://example.org?q", false),
                Arguments.of("OPTIONS", "/", false),
                Arguments.of("GET", "http://example.org", false));
    }

    static Stream<Arguments> validTargets() {
        return Stream.of(
                Arguments.of("GET", "/", new RequestTarget(Form.ORIGIN, "", "", 0, "/")),
                Arguments.of("GET", "/a/b?c=d&e", new RequestTarget(Form.ORIGIN, "", "", 0, "/a/b?c=d&e")),
                Arguments.of("OPTIONS", "*", new RequestTarget(Form.ASTERISK, "", "", 0, "*")),
                Arguments.of("GET", "http://example.com/p?q", new RequestTarget(Form.ABSOLUTE, "http", "example.com", 80, "/p?q")),
                Arguments.of("GET", "https://example.com/", new RequestTarget(Form.ABSOLUTE, "https", "example.com", 443, "/")),
                Arguments.of("GET", "http://example.com:8080/x", new RequestTarget(Form.ABSOLUTE, "http", "example.com", 8080, "/x")),
                Arguments.of("GET", "https://example.com:80/", new RequestTarget(Form.ABSOLUTE, "https", "example.com", 80, "/")),
                Arguments.of("GET", "http://example.com:/x", new RequestTarget(Form.ABSOLUTE, "http", "example.com", 80, "/x")),
                Arguments.of("GET", "HTTP://Example.COM/Path", new RequestTarget(Form.ABSOLUTE, "http", "example.com", 80, "/Path")),
                Arguments.of("GET", "http://example.com", new RequestTarget(Form.ABSOLUTE, "http", "example.com", 80, "/")),
                Arguments.of("GET", "http://example.com?q", new RequestTarget(Form.ABSOLUTE, "http", "example.com", 80, "/?q")),
                Arguments.of("GET", "http://127.0.0.1:65535/", new RequestTarget(Form.ABSOLUTE, "http", "127.0.0.1", 65535, "/")),
                Arguments.of("GET", "http://[::1]/", new RequestTarget(Form.ABSOLUTE, "http", "::1", 80, "/")),
                Arguments.of("GET", "http://[2001:DB8::1]:8443/x", new RequestTarget(Form.ABSOLUTE, "http", "2001:db8::1", 8443, "/x")),
                Arguments.of("GET", "http://a.example/x@y", new RequestTarget(Form.ABSOLUTE, "http", "a.example", 80, "/x@y")),
                Arguments.of("CONNECT", "example.com:443", new RequestTarget(Form.AUTHORITY, "", "example.com", 443, "")),
                Arguments.of("CONNECT", "Example.com:8443", new RequestTarget(Form.AUTHORITY, "", "example.com", 8443, "")),
                Arguments.of("CONNECT", "[::1]:443", new RequestTarget(Form.AUTHORITY, "", "::1", 443, "")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidTargets")
    void refusesBadTargetsWith400(String method, String target) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> RequestTarget.parse(method, target));
        assertEquals(400, e.status(), e.reason());
    }

    static Stream<Arguments> invalidTargets() {
        return Stream.of(
                Arguments.of("GET", "*"),
                Arguments.of("GET", "/a#frag"),
                Arguments.of("GET", "http://example.com/a#frag"),
                Arguments.of("GET", "http://example.com#frag"),
                Arguments.of("GET", "http://user@example.com/"),
                Arguments.of("GET", "http://user:pass@example.com/"),
                Arguments.of("GET", "ftp://example.com/"),
                Arguments.of("GET", "ws://example.com/"),
                Arguments.of("GET", "mailto:someone@example.com"),
                Arguments.of("GET", "http:/example.com/"),
                Arguments.of("GET", "example.com/path"),
                Arguments.of("GET", "1http://example.com/"),
                Arguments.of("GET", "http:///path"),
                Arguments.of("GET", "http://:80/"),
                Arguments.of("GET", "http://example.com:abc/"),
                Arguments.of("GET", "http://example.com:0/"),
                Arguments.of("GET", "http://example.com:65536/"),
                Arguments.of("GET", "http://example.com:123456/"),
                Arguments.of("GET", "http://example.com:-1/"),
                Arguments.of("GET", "http://exa<mple.com/"),
                Arguments.of("GET", "http://[::1/"),
                Arguments.of("GET", "http://[not-ipv6]/"),
                Arguments.of("GET", "http://[::1]x/"),
                Arguments.of("GET", "http://::1/"),
                Arguments.of("CONNECT", "example.com"),
                Arguments.of("CONNECT", "example.com:"),
                Arguments.of("CONNECT", "example.com:0"),
                Arguments.of("CONNECT", "example.com:65536"),
                Arguments.of("CONNECT", ":443"),
                Arguments.of("CONNECT", "user@example.com:443"),
                Arguments.of("CONNECT", "http://example.com:443"),
                Arguments.of("CONNECT", "[::1]"));
    }

    @Test
    void givesAnAbsoluteTargetItsDestination() throws Exception {
        Destination d = RequestTarget.parse("GET", "http://[::1]:8080?q").destination();

        assertEquals(new Destination("http", "::1", 8080, "/?q"), d);
        assertEquals("[::1]:8080", d.authority());
        assertEquals("http://[::1]:8080/?q", d.url());
    }

    @Test
    void refusesADestinationForAnOriginFormTarget() throws Exception {
        RequestTarget origin = RequestTarget.parse("GET", "/");

        assertThrows(IllegalStateException.class, origin::destination);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostFields")
    void checksTheHostField(String why, String version, String fields, int status) throws Exception {
        Request request = new RequestParser(Limits.DEFAULTS)
                .read(Delivery.WHOLE.input("GET / " + version + "\r\n" + fields + "\r\n")).orElseThrow();
        if (status == 0) {
            assertDoesNotThrow(() -> RequestTarget.checkHost(request));
        } else {
            ProtocolException e = assertThrows(ProtocolException.class, () -> RequestTarget.checkHost(request));
            assertEquals(status, e.status(), e.reason());
        }
    }

    static Stream<Arguments> hostFields() {
        return Stream.of(
                Arguments.of("host name", "HTTP/1.1", "Host: example.com\r\n", 0),
                Arguments.of("host and port", "HTTP/1.1", "Host: example.com:8080\r\n", 0),
                Arguments.of("IPv6 literal", "HTTP/1.1", "Host: [::1]:8080\r\n", 0),
                Arguments.of("empty value", "HTTP/1.1", "Host:\r\n", 0),
                Arguments.of("name in any case", "HTTP/1.1", "hOST: example.com\r\n", 0),
                Arguments.of("missing in HTTP/1.0", "HTTP/1.0", "", 0),
                Arguments.of("missing in HTTP/1.1", "HTTP/1.1", "", 400),
                Arguments.of("two Host fields", "HTTP/1.1", "Host: a\r\nHost: a\r\n", 400),
                Arguments.of("two Host fields in HTTP/1.0", "HTTP/1.0", "Host: a\r\nhost: b\r\n", 400),
                Arguments.of("list of hosts", "HTTP/1.1", "Host: a, b\r\n", 400),
                Arguments.of("user information", "HTTP/1.1", "Host: user@example.com\r\n", 400),
                Arguments.of("path in the value", "HTTP/1.1", "Host: example.com/x\r\n", 400),
                Arguments.of("bad port", "HTTP/1.1", "Host: example.com:http\r\n", 400),
                Arguments.of("port 0", "HTTP/1.1", "Host: example.com:0\r\n", 400),
                Arguments.of("port 65536", "HTTP/1.1", "Host: example.com:65536\r\n", 400),
                Arguments.of("unbracketed IPv6", "HTTP/1.1", "Host: ::1\r\n", 400));
    }
}
