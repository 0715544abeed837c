package dev.wiretap.proxy.flow;

/** The HTTP versions wiretap speaks on the wire (RFC 9112 section 2.3). */
public enum HttpVersion {
    HTTP_1_0("HTTP/1.0"),
    HTTP_1_1("HTTP/1.1");

    private final String text;

    HttpVersion(String text) {
        this.text = text;
    }

    /** As written on a start line, e.g. {@code HTTP/1.1}. */
    public String text() {
        return text;
    }

    /** {@code 1.0} or {@code 1.1}, as in a Via field. */
    public String number() {
        return text.substring(5);
    }

    @Override
    public String toString() {
        return text;
    }
}
