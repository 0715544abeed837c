package dev.wiretap.proxy.export;

import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.BodyEncoder;
import dev.wiretap.proxy.content.ContentCoding;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.content.MediaType;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Headers;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A HAR body made a captured {@link Body}: {@code postData.text} or {@code content.text} in the charset the message's
 * Content-Type names (UTF-8 when it names none, or one that cannot hold the text), or their bytes when the HAR holds
 * them in base64; kept up to the capture cap, the rest counted, as a body that flowed through wiretap is.
 *
 * <p>HAR writers (browsers, and wiretap itself) store a body decoded while its fields still say
 * {@code Content-Encoding: gzip}. So that fields and body agree, as they did on the wire, a decoded body is coded again
 * with the codings its Content-Encoding names ({@link BodyEncoder}: gzip, deflate, zstd, and br as uncompressed
 * blocks); its size is then that of wiretap's coding, not of the one that flowed, and a note says so. A body the HAR
 * kept still coded (a writer that could not decode it) is taken as it is. When the body cannot be coded again (a coding
 * wiretap cannot apply, or the HAR holds only part of it, which coded would read as whole), the Content-Encoding field
 * is left out instead, with a note. Stateless.
 */
final class HarBody {

    /** Decoded bytes looked at, at most, to tell whether a HAR holds a body still coded. */
    private static final int STILL_CODED_PROBE = 64 * 1024;

    private HarBody() {
    }

    /**
     * The body of a message with {@code headers} (from which a Content-Encoding may be removed).
     *
     * @param bodySize HAR's {@code bodySize}: the size that flowed, coded
     * @param posted   a request's body, which HAR gives no decoded size for
     */
    static Body of(HarRecord.Content content, Headers headers, OptionalDouble bodySize, boolean posted, int cap,
                   Set<String> notes) {
        String side = posted ? "request" : "response";
        if (content == null || content.text == null) {
            if (content != null && content.paramsOnly) {
                notes.add("the HAR lists the posted form's fields but not its text: the request body is left out");
            }
            long said = posted ? size(bodySize) : content == null ? -1 : size(content.size);
            if (said > 0) {
                notes.add("the HAR holds no text of the " + side + " body (" + said + " bytes)");
                return capture(new byte[0], said, cap);
            }
            return Body.EMPTY;
        }
        boolean cut = content.cutLength >= 0;
        byte[] decoded;
        if (content.base64) {
            decoded = base64(content.text, cut);
            if (decoded == null) {
                notes.add("the " + side + " body's text in the HAR is not valid base64: the body is left out");
                return Body.EMPTY;
            }
        } else {
            decoded = encoded(content.text, headers, content.mimeType, side, notes);
        }
        long decodedSize = posted ? -1 : size(content.size);
        boolean incomplete = cut || decodedSize > decoded.length;
        List<String> codings = ContentCoding.contentEncoding(headers);
        byte[] bytes = decoded;
        long whole;
        if (codings.isEmpty() || decoded.length == 0) {
            whole = Math.max(decodedSize, size(bodySize));
        } else if (isStillCoded(codings, decoded)) {
            whole = size(bodySize);
        } else if (incomplete || BodyEncoder.unsupported(codings).isPresent()) {
            headers.removeAll("Content-Encoding");
            notes.add("the HAR holds the " + side + " body decoded" + (incomplete ? " and not whole" : "")
                    + ": its Content-Encoding field (" + String.join(", ", codings) + ") is left out, so that fields and body agree");
            whole = decodedSize;
        } else {
            bytes = BodyEncoder.encode(codings, decoded);
            notes.add("the HAR holds the " + side + " body decoded: wiretap coded it again (" + String.join(", ", codings)
                    + ") as its Content-Encoding field says, so its size is that of wiretap's coding");
            whole = -1;
        }
        if (cut && whole <= bytes.length) {
            notes.add("the " + side + " body's text in the HAR is " + content.cutLength
                    + " bytes long, more than wiretap reads: only its start is kept");
        }
        return capture(bytes, Math.max(whole, bytes.length), cap);
    }

    /** The first {@code cap} of {@code bytes} captured from a body of {@code size} bytes. */
    private static Body capture(byte[] bytes, long size, int cap) {
        BodyCapture capture = new BodyCapture(cap, size);
        capture.add(bytes, 0, bytes.length);
        capture.skip(size - bytes.length);
        return capture.finish();
    }

    /** A HAR size: a whole number of bytes, or -1 when absent or negative (HAR's "not known"). */
    private static long size(OptionalDouble size) {
        return size.isPresent() && size.getAsDouble() >= 0 && size.getAsDouble() < Long.MAX_VALUE
                ? (long) size.getAsDouble() : -1;
    }

    /** Base64 (line breaks and other stray characters ignored; a cut text to its last whole group), or null. */
    private static byte[] base64(String text, boolean cut) {
        String b64 = text;
        if (cut) {
            StringBuilder sb = new StringBuilder(text.length());
            text.chars().filter(c -> Character.isLetterOrDigit(c) || c == '+' || c == '/').forEach(c -> sb.append((char) c));
            sb.setLength(sb.length() / 4 * 4);
            b64 = sb.toString();
        }
        try {
            return Base64.getMimeDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The text in the charset of the message's Content-Type (else the HAR's mimeType), or UTF-8. */
    private static byte[] encoded(String text, Headers headers, String mimeType, String side, Set<String> notes) {
        MediaType type = headers.first("Content-Type").map(MediaType::parse).orElse(MediaType.parse(mimeType));
        Charset charset = type.javaCharset().orElse(StandardCharsets.UTF_8);
        if (!charset.equals(StandardCharsets.UTF_8) && !charset.newEncoder().canEncode(text)) {
            notes.add("the " + side + " body's text holds characters " + charset.name() + " (its charset) cannot: written in UTF-8");
            charset = StandardCharsets.UTF_8;
        }
        return text.getBytes(charset);
    }

    /** Whether {@code bytes} decode with {@code codings}: a body the HAR kept as it flowed. */
    private static boolean isStillCoded(List<String> codings, byte[] bytes) {
        DecodedBody probe = BodyDecoder.decode(codings, bytes, false, STILL_CODED_PROBE);
        return probe.isDecoded() && (probe.isComplete() || probe.outcome() == DecodedBody.Outcome.OUTPUT_LIMIT);
    }
}
