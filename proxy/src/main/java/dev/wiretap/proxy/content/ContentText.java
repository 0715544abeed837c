package dev.wiretap.proxy.content;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A decoded body read as text, when it is text: in the charset its Content-Type names (UTF-8 when none is named,
 * as for JSON, RFC 8259 section 8.1, and what nearly every server means today); a body whose type does not say
 * is taken for text when its bytes are valid UTF-8 without control characters ({@link TextSniffer}). A UTF-8 byte
 * order mark is left out. For the console's views and the HAR export, which must agree on what is text. Immutable.
 *
 * @param text the characters (malformed bytes replaced by U+FFFD)
 * @param note a note for the reader (an unknown charset), or empty
 */
public record ContentText(String text, String note) {

    /**
     * How a body of some type is read as text: the charset, whether a UTF-8 byte order mark is to be skipped, and the
     * note for the reader. Decided before the text is made, so that an exporter can stream it.
     *
     * @param skipBytes bytes at the start that are not text (a UTF-8 byte order mark), 0 or 3
     */
    public record Reading(Charset charset, int skipBytes, String note) {
    }

    /**
     * The text {@code bytes} hold, or empty when they are binary (a binary type, or bytes that do not look like
     * text). {@code truncated}: the bytes may end mid-character, which then does not count against them.
     */
    public static Optional<ContentText> of(MediaType type, byte[] bytes, boolean truncated) {
        TextSniffer sniffer = new TextSniffer();
        if (type.kind() == MediaType.Kind.UNKNOWN) {
            sniffer.write(bytes, 0, bytes.length);
        } else {
            sniffer.write(bytes, 0, Math.min(3, bytes.length)); // only the byte order mark matters then
        }
        return reading(type, sniffer, truncated).map(r -> new ContentText(
                new String(bytes, r.skipBytes(), bytes.length - r.skipBytes(), r.charset()), r.note()));
    }

    /**
     * How a body of {@code type} is read as text, or empty when it is binary. {@code sniffer} has seen the decoded
     * bytes (all of them when the type is unknown, which is when they decide; else at least the first three).
     */
    public static Optional<Reading> reading(MediaType type, TextSniffer sniffer, boolean truncated) {
        MediaType.Kind kind = type.kind();
        if (kind == MediaType.Kind.BINARY) {
            return Optional.empty();
        }
        if (kind == MediaType.Kind.UNKNOWN) {
            return sniffer.looksLikeUtf8Text(truncated)
                    ? Optional.of(new Reading(StandardCharsets.UTF_8, sniffer.startsWithByteOrderMark() ? 3 : 0, ""))
                    : Optional.empty();
        }
        Optional<Charset> declared = type.javaCharset();
        String note = !type.charset().isEmpty() && declared.isEmpty()
                ? "unknown charset '" + type.charset() + "': shown as UTF-8" : "";
        Charset charset = declared.orElse(StandardCharsets.UTF_8);
        int skip = charset.equals(StandardCharsets.UTF_8) && sniffer.startsWithByteOrderMark() ? 3 : 0;
        return Optional.of(new Reading(charset, skip, note));
    }
}
