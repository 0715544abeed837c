package dev.wiretap.proxy.edit;

import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.BodyEncoder;
import dev.wiretap.proxy.content.ContentCoding;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A message body as editor text and back, for {@link HttpMessageText}. A body is shown as text when it is text: its
 * content codings undone (gzip, deflate, br, zstd, stacked too: {@link BodyDecoder}), decoded without fault by the
 * charset its Content-Type names (UTF-8 if none, or if Java does not know the name), and free of control characters
 * but tab, CR and LF. The edited text is written back in the charset of the edited Content-Type, then encoded with the
 * codings the edited Content-Encoding names ({@link BodyEncoder}): the same ones if the user left the field alone,
 * none if the user removed it. Any other body (binary, not decodable, or not held whole) is one placeholder line
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

    /**
     * The edited body's bytes: in the charset of {@code headers}' Content-Type, then with the content codings its
     * Content-Encoding names applied (none when the user removed the field, or set it to identity). An empty body stays
     * empty: it is sent with no bytes whatever the codings (as for HEAD and 304 answers).
     *
     * @param line            the body's first line, for a character the charset cannot write
     * @param codingFieldLine the Content-Encoding field's line, for a coding wiretap cannot apply
     */
    static byte[] encode(String text, Headers headers, int line, int codingFieldLine) throws MessageTextException {
        Charset charset = charset(headers);
        byte[] bytes;
        try {
            ByteBuffer encoded = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
            bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
        } catch (CharacterCodingException e) {
            throw new MessageTextException(line, "the body holds a character that " + charset.name()
                    + " (the Content-Type's charset) cannot write");
        }
        List<String> codings = ContentCoding.contentEncoding(headers);
        if (bytes.length == 0 || codings.isEmpty()) {
            return bytes;
        }
        Optional<String> unsupported = BodyEncoder.unsupported(codings);
        if (unsupported.isPresent()) {
            throw new MessageTextException(codingFieldLine, "wiretap cannot encode a body as '" + unsupported.get()
                    + "' (it can gzip, deflate, br, zstd); remove the Content-Encoding field to send the body as written");
        }
        return BodyEncoder.encode(codings, bytes);
    }

    /**
     * Appends the body as text (decoded when content-coded), or its placeholder line; nothing for an empty body that is
     * all there.
     */
    static void append(StringBuilder sb, Body body, Headers headers, boolean editable) {
        List<String> codings = ContentCoding.listed(headers);
        String encoded = codings.isEmpty() ? "" : String.join(", ", codings) + "-encoded ";
        if (!editable || body.isTruncated()) {
            // Also for a body that looks empty: one too large to hold has not been read yet. A coded one could only be
            // decoded in part, and a part cannot be encoded back into the whole that the client or origin expects.
            sb.append(PLACEHOLDER_START).append(encoded).append("body").append(body.size() > 0 ? " of " + body.size() + " bytes" : "")
                    .append(" not held whole (larger than the capture cap)").append(encoded.isEmpty() ? "" : ", so it cannot be decoded")
                    .append("; it goes on as it is and cannot be changed").append(PLACEHOLDER_END).append('\n');
            return;
        }
        if (body.isEmpty()) {
            return;
        }
        byte[] payload = body.bytes();
        if (!codings.isEmpty()) {
            DecodedBody decoded = BodyDecoder.decode(codings, payload, false, BodyDecoder.DEFAULT_MAX_DECODED_BYTES);
            if (!decoded.isComplete()) {
                placeholder(sb, encoded + "body of " + body.size() + " bytes that wiretap cannot decode (" + why(decoded) + ")");
                return;
            }
            payload = decoded.bytes();
        }
        Optional<String> text = asText(payload, headers);
        if (text.isEmpty()) {
            placeholder(sb, encoded.isEmpty() ? "binary body of " + body.size() + " bytes"
                    : encoded + "binary body of " + body.size() + " bytes (" + payload.length + " decoded)");
            return;
        }
        sb.append(text.get()).append('\n');
    }

    private static String why(DecodedBody decoded) {
        return switch (decoded.outcome()) {
            case UNSUPPORTED -> "a coding it does not know";
            case OUTPUT_LIMIT -> "it decodes to more than " + (BodyDecoder.DEFAULT_MAX_DECODED_BYTES >> 20) + " MiB";
            default -> "the data is corrupt";
        };
    }

    private static void placeholder(StringBuilder sb, String what) {
        sb.append(PLACEHOLDER_START).append(what).append("; keep this line to keep it, delete it for an empty body")
                .append(PLACEHOLDER_END).append('\n');
    }

    /** The payload as text, if it is text that the editor can show and that encodes back to the same bytes. */
    private static Optional<String> asText(byte[] bytes, Headers headers) {
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
