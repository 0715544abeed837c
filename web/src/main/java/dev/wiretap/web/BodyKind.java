package dev.wiretap.web;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How the UI shows a body: by its content type, and for an untyped or vaguely typed one by what its bytes look like.
 * JSON is pretty-printed (and foldable), images are shown as images, markup, scripts, styles and other text as text,
 * and anything else as hex.
 */
enum BodyKind {
    EMPTY, JSON, IMAGE, HTML, XML, JAVASCRIPT, CSS, TEXT, BINARY,
    /** gRPC's length-prefixed messages, shown as protobuf fields read without a schema. */
    GRPC;

    /** The kind for {@code bytes} typed {@code contentType} (may be empty); {@code encoded} bytes are binary. */
    static BodyKind of(String contentType, byte[] bytes, boolean encoded) {
        if (bytes.length == 0) {
            return EMPTY;
        }
        if (encoded) {
            return BINARY;
        }
        String type = mediaType(contentType);
        if (type.startsWith("image/")) {
            return IMAGE;
        }
        if (type.equals("application/json") || type.endsWith("+json") || type.equals("text/json")) {
            return JSON;
        }
        if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
            return HTML;
        }
        if (type.endsWith("/xml") || type.endsWith("+xml")) {
            return XML;
        }
        if (type.endsWith("/javascript") || type.endsWith("/ecmascript") || type.equals("application/x-javascript")) {
            return JAVASCRIPT;
        }
        if (type.equals("text/css")) {
            return CSS;
        }
        boolean text = isText(bytes, charset(contentType));
        if (type.startsWith("text/") || type.equals("application/x-www-form-urlencoded")) {
            return text ? TEXT : BINARY;
        }
        if (!text) {
            return BINARY;
        }
        int first = firstNonSpace(bytes);
        return first == '{' || first == '[' ? JSON : TEXT; // JSON sent as text/plain or untyped, as APIs often do
    }

    /** {@code text/html} from {@code Text/HTML; charset=utf-8}. */
    static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** The charset the content type names, else UTF-8 (also for one the JDK does not know). */
    static Charset charset(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String name = p.substring(8).replace("\"", "").strip();
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /**
     * Decodes cleanly in {@code charset} (but for a character cut at the end, as by the capture cap) and holds no
     * control characters but tab, CR, LF and form feed.
     */
    static boolean isText(byte[] bytes, Charset charset) {
        String text = null;
        for (int cut = 0; cut <= 3 && cut < bytes.length && text == null; cut++) {
            try {
                text = charset.newDecoder().decode(ByteBuffer.wrap(bytes, 0, bytes.length - cut)).toString();
            } catch (CharacterCodingException e) {
                // try again without the last byte: a multi-byte character may have been cut in two
            }
        }
        if (text == null) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
                return false;
            }
        }
        return true;
    }

    private static int firstNonSpace(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b;
            }
        }
        return -1;
    }
}
