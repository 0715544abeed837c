package dev.wiretap.proxy.edit;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A message body as editor text and back, for {@link HttpMessageText}. A body is shown as text when it is text: not
 * content-coded, decoded without fault by the charset its Content-Type names (UTF-8 if none, or if Java does not know
 * the name), and free of control characters but tab, CR and LF; the edited text is written back in the charset of
 * the edited Content-Type. Any other body (binary, compressed, or not held whole) is one placeholder line
 * {@code [[wiretap: ...]]} saying what it is. Stateless.
 */
final class BodyText {

    private static final String PLACEHOLDER_START = "[[wiretap: ";
    private static final String PLACEHOLDER_END = "]]";

    private BodyText() {
    }

    /** Whether an edited body is the placeholder line left as it was (the body is kept). */
    static boolean isPlaceholder(String text) {
        return text.startsWith(PLACEHOLDER_START) && text.endsWith(PLACEHOLDER_END) && text.indexOf('\n') < 0;
    }

    /** The edited body's bytes in the charset of {@code headers}' Content-Type. */
    static byte[] encode(String text, Headers headers, int line) throws MessageTextException {
        Charset charset = charset(headers);
        try {
            ByteBuffer encoded = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new MessageTextException(line, "the body holds a character that " + charset.name()
                    + " (the Content-Type's charset) cannot write");
        }
    }

    /** Appends the body as text, or its placeholder line; nothing for an empty body that is all there. */
    static void append(StringBuilder sb, Body body, Headers headers, boolean editable) {
        if (!editable || body.isTruncated()) {
            // Also for a body that looks empty: one too large to hold has not been read yet.
            sb.append(PLACEHOLDER_START).append("body").append(body.size() > 0 ? " of " + body.size() + " bytes" : "")
                    .append(" not held whole (larger than the capture cap); it goes on as it is and cannot be changed")
                    .append(PLACEHOLDER_END).append('\n');
            return;
        }
        if (body.isEmpty()) {
            return;
        }
        Optional<String> text = asText(body.bytes(), headers);
        if (text.isEmpty()) {
            sb.append(PLACEHOLDER_START).append(describeBinary(body.size(), headers))
                    .append("; keep this line to keep it, delete it for an empty body").append(PLACEHOLDER_END).append('\n');
            return;
        }
        sb.append(text.get()).append('\n');
    }

    private static String describeBinary(long size, Headers headers) {
        Optional<String> coding = headers.first("Content-Encoding").filter(c -> !c.equalsIgnoreCase("identity"));
        return coding.map(c -> c + "-encoded body of " + size + " bytes").orElse("binary body of " + size + " bytes");
    }

    /** The body as text, if it is text that the editor can show and that encodes back to the same bytes. */
    private static Optional<String> asText(byte[] bytes, Headers headers) {
        if (headers.first("Content-Encoding").filter(c -> !c.equalsIgnoreCase("identity")).isPresent()) {
            return Optional.empty();
        }
        String text;
        try {
            text = charset(headers).newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
                return Optional.empty();
            }
        }
        return Optional.of(text);
    }

    /** The charset a Content-Type names, or UTF-8 (also for a charset Java does not know). */
    private static Charset charset(Headers headers) {
        Optional<String> type = headers.first("Content-Type");
        if (type.isPresent()) {
            for (String param : type.get().split(";")) {
                String p = param.strip();
                if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                    String name = p.substring(8).strip().replace("\"", "");
                    try {
                        return Charset.forName(name);
                    } catch (RuntimeException unknown) {
                        return StandardCharsets.UTF_8; // an unknown name: UTF-8 is the web's default
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
