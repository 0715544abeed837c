package dev.wiretap.proxy.flow;

/**
 * The HTTP versions wiretap speaks on the wire (RFC 9112 section 2.3; RFC 9113 for HTTP/2). HTTP/2 has no start line:
 * its text here is what HAR and the displays show, as browsers and mitmproxy write it.
 */
public enum HttpVersion {
    HTTP_1_0("HTTP/1.0", "1.0"),
    HTTP_1_1("HTTP/1.1", "1.1"),
    HTTP_2("HTTP/2.0", "2");

    private final String text;
    private final String number;

    HttpVersion(String text, String number) {
        this.text = text;
        this.number = number;
    }

    /** As written on a start line, e.g. {@code HTTP/1.1}; {@code HTTP/2.0} for HTTP/2. */
    public String text() {
        return text;
    }

    /** {@code 1.0}, {@code 1.1} or {@code 2}, as in a Via field (RFC 9110 section 7.6.3). */
    public String number() {
        return number;
    }

    /** The protocol's short name, as ALPN and the filter's {@code proto:} term name it: {@code http/1.0}, {@code http/1.1}, {@code h2}. */
    public String alpn() {
        return this == HTTP_2 ? "h2" : text.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return text;
    }
}
