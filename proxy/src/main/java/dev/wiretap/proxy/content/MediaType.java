package dev.wiretap.proxy.content;

import dev.wiretap.proxy.flow.Headers;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A Content-Type value read for showing a body (RFC 9110 section 8.3.1): type and subtype lower-cased, and the charset
 * parameter if there is one; and what kind of content that names. Immutable.
 *
 * @param type    e.g. {@code text}; empty when there was no Content-Type
 * @param subtype e.g. {@code html}
 * @param charset the charset parameter as written (unquoted), or empty
 * @param value   the whole field value as it flowed
 */
public record MediaType(String type, String subtype, String charset, String value) {

    /** How a body of this type is best shown. */
    public enum Kind {
        /** JSON: pretty-printed. */
        JSON,
        /** Text in some charset. */
        TEXT,
        /** Images, audio, archives and the like: a hex dump. */
        BINARY,
        /** No or an unrecognised type: look at the bytes. */
        UNKNOWN
    }

    public static final MediaType NONE = new MediaType("", "", "", "");

    private static final Set<String> TEXT_APPLICATIONS = Set.of("javascript", "ecmascript", "x-javascript",
            "xml", "x-www-form-urlencoded", "graphql", "sql", "yaml", "x-yaml", "toml", "x-sh", "x-ndjson",
            "jsonl", "x-jsonlines", "csv", "rtf", "xhtml", "x-httpd-php", "manifest+json");
    private static final Set<String> BINARY_APPLICATIONS = Set.of("octet-stream", "pdf", "zip", "gzip", "x-gzip",
            "x-tar", "x-bzip2", "x-xz", "zstd", "x-7z-compressed", "wasm", "protobuf", "x-protobuf", "grpc",
            "grpc+proto", "x-shockwave-flash", "vnd.ms-fontobject", "font-woff", "x-font-ttf", "msword", "cbor",
            "msgpack", "x-msgpack", "java-archive", "x-java-serialized-object", "ogg");

    /** The Content-Type of {@code headers} (the first field), or {@link #NONE}. */
    public static MediaType of(Headers headers) {
        return headers.first("Content-Type").map(MediaType::parse).orElse(NONE);
    }

    /** Reads a Content-Type value leniently: anything unreadable gives an empty type (shown by sniffing). */
    public static MediaType parse(String value) {
        String[] parts = value.split(";");
        String essence = parts[0].trim().toLowerCase(Locale.ROOT);
        int slash = essence.indexOf('/');
        String type = slash < 0 ? "" : essence.substring(0, slash).trim();
        String subtype = slash < 0 ? "" : essence.substring(slash + 1).trim();
        String charset = "";
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                charset = p.substring(eq + 1).trim();
                if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
                    charset = charset.substring(1, charset.length() - 1);
                }
            }
        }
        return new MediaType(type, subtype, charset, value.trim());
    }

    public boolean isPresent() {
        return !type.isEmpty();
    }

    /** {@code type/subtype}, or empty. */
    public String essence() {
        return type.isEmpty() ? "" : type + "/" + subtype;
    }

    public Kind kind() {
        if (type.isEmpty()) {
            return Kind.UNKNOWN;
        }
        if (subtype.equals("json") || subtype.endsWith("+json")) {
            return Kind.JSON;
        }
        if (type.equals("text") || subtype.endsWith("+xml") || (type.equals("application") && TEXT_APPLICATIONS.contains(subtype))) {
            return Kind.TEXT;
        }
        if (type.equals("image") || type.equals("audio") || type.equals("video") || type.equals("font")
                || (type.equals("application") && BINARY_APPLICATIONS.contains(subtype))) {
            return Kind.BINARY;
        }
        return Kind.UNKNOWN;
    }

    /** The charset parameter as a Java charset, if it names one this JVM has. */
    public Optional<Charset> javaCharset() {
        if (charset.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Charset.forName(charset));
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return Optional.empty();
        }
    }
}
