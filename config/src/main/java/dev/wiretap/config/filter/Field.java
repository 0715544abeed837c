package dev.wiretap.config.filter;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The fields a filter term can test, with how a plain word (no glob characters) matches each: where a word means
 * "this one or below" for a host, "starting with" for a path, and "found in" for text.
 */
public enum Field {
    HOST("host", "the host; a word matches it and its subdomains"),
    PATH("path", "the path and query; a word matches as a prefix"),
    URL("url", "the full URL; a word is found anywhere in it"),
    METHOD("method", "the request method; a word matches exactly"),
    STATUS("status", "the response status: 404, 5xx, 400-499"),
    HEADER("header", "a request or response field: header:NAME or header:NAME=VALUE"),
    REQHEADER("reqheader", "a request field: reqheader:NAME or reqheader:NAME=VALUE"),
    RESHEADER("resheader", "a response field: resheader:NAME or resheader:NAME=VALUE"),
    TYPE("type", "the content type (the response's, else the request's); a word is found in it"),
    BODY("body", "text in the request or response body"),
    REQBODY("reqbody", "text in the request body"),
    RESBODY("resbody", "text in the response body"),
    PROTO("proto", "the protocol on either side: h2, http/1.1, http/1.0 (or 2, 1.1, 1.0)");

    private final String keyword;
    private final String help;

    Field(String keyword, String help) {
        this.keyword = keyword;
        this.help = help;
    }

    public String keyword() {
        return keyword;
    }

    public String help() {
        return help;
    }

    static Optional<Field> of(String keyword) {
        for (Field f : values()) {
            if (f.keyword.equals(keyword.toLowerCase(Locale.ROOT))) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    static List<String> keywords() {
        return java.util.Arrays.stream(values()).map(Field::keyword).toList();
    }
}
