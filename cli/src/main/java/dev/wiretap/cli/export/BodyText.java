package dev.wiretap.cli.export;

import dev.wiretap.proxy.content.MediaType;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A decoded body read as text, when it is text: in the charset its Content-Type names (UTF-8 when none is named,
 * as for JSON, RFC 8259 section 8.1, and what nearly every server means today); a body whose type does not say
 * is taken for text when its bytes are valid UTF-8 without control characters. Immutable.
 *
 * @param text the characters (malformed bytes replaced by U+FFFD)
 * @param note a note for the reader (an unknown charset), or empty
 */
public record BodyText(String text, String note) {

    /**
     * The text {@code bytes} hold, or empty when they are binary (a binary type, or bytes that do not look like
     * text). {@code truncated}: the bytes may end mid-character, which then does not count against them.
     */
    public static Optional<BodyText> of(MediaType type, byte[] bytes, boolean truncated) {
        MediaType.Kind kind = type.kind();
        if (kind == MediaType.Kind.BINARY) {
            return Optional.empty();
        }
        if (kind == MediaType.Kind.UNKNOWN) {
            return looksLikeUtf8Text(bytes, truncated)
                    ? Optional.of(new BodyText(new String(stripBom(bytes), StandardCharsets.UTF_8), "")) : Optional.empty();
        }
        Optional<Charset> declared = type.javaCharset();
        String note = !type.charset().isEmpty() && declared.isEmpty()
                ? "unknown charset '" + type.charset() + "': shown as UTF-8" : "";
        Charset charset = declared.orElse(StandardCharsets.UTF_8);
        byte[] content = charset.equals(StandardCharsets.UTF_8) ? stripBom(bytes) : bytes;
        return Optional.of(new BodyText(new String(content, charset), note));
    }

    /** Valid UTF-8 (bar a character cut off at the end of a truncated capture) with no controls but whitespace and ESC. */
    static boolean looksLikeUtf8Text(byte[] bytes, boolean truncated) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(Math.min(bytes.length, 8192));
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            out.flip();
            while (out.hasRemaining()) {
                char c = out.get();
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B) || c == 0x7F) {
                    return false;
                }
            }
            out.clear();
            if (result.isOverflow()) {
                continue;
            }
            if (result.isError()) {
                // A multi-byte character cut off by the capture cap is still text.
                return truncated && bytes.length - in.position() < 4 && isCutCharacter(bytes, in.position());
            }
            return true;
        }
    }

    private static boolean isCutCharacter(byte[] bytes, int from) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, bytes.length - from));
            return false;
        } catch (CharacterCodingException e) {
            return (bytes[from] & 0xC0) == 0xC0; // a lead byte whose continuation bytes were not captured
        }
    }

    private static byte[] stripBom(byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            return java.util.Arrays.copyOfRange(bytes, 3, bytes.length);
        }
        return bytes;
    }
}
