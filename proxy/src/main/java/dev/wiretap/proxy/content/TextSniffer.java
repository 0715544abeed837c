package dev.wiretap.proxy.content;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Tells whether the bytes written to it, piece by piece, are text in UTF-8: valid UTF-8 (bar a character cut off at
 * the end of a truncated capture) with no control characters but whitespace and ESC. It keeps nothing but a few bytes
 * of a character split between writes, so a body can be judged as it streams out of the decoder without being held.
 * Used by {@link ContentText}. Mutable, for one body on one thread.
 */
public final class TextSniffer extends OutputStream {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer chars = CharBuffer.allocate(8192);
    /** Bytes of a character that the last write ended in the middle of. */
    private final ByteBuffer pending = ByteBuffer.allocate(8);
    private final byte[] first = new byte[3];
    private long count;
    private boolean binary;

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        for (int i = 0; i < length && count + i < 3; i++) {
            first[(int) count + i] = bytes[offset + i];
        }
        count += length;
        if (binary || length == 0) {
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        if (pending.position() > 0) {
            // Complete the split character a byte at a time; the rest of this write follows as usual.
            while (pending.position() > 0 && in.hasRemaining()) {
                pending.put(in.get());
                pending.flip();
                if (!decode(pending) || !pending.hasRemaining()) {
                    pending.clear();
                    break;
                }
                pending.compact();
                if (pending.position() >= 4) {
                    binary = true; // no UTF-8 character is longer than four bytes
                    return;
                }
            }
        }
        if (!binary && in.hasRemaining() && decode(in) && in.hasRemaining()) {
            pending.put(in); // at most three bytes: the start of a character the next write completes
        }
    }

    /** Decodes what {@code in} holds; false when it found it is not text (and marked it so). */
    private boolean decode(ByteBuffer in) {
        while (true) {
            CoderResult result = decoder.decode(in, chars, false);
            chars.flip();
            while (chars.hasRemaining()) {
                char c = chars.get();
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B) || c == 0x7F) {
                    binary = true;
                    return false;
                }
            }
            chars.clear();
            if (result.isOverflow()) {
                continue;
            }
            if (result.isError()) {
                binary = true;
                return false;
            }
            return true; // underflow: all decoded but perhaps the first bytes of a character
        }
    }

    /**
     * Whether everything written is text. {@code truncated}: the bytes may stop mid-character (the capture cap), which
     * then does not count against them.
     */
    public boolean looksLikeUtf8Text(boolean truncated) {
        if (binary) {
            return false;
        }
        return pending.position() == 0 || (truncated && isLeadOfCutCharacter());
    }

    private boolean isLeadOfCutCharacter() {
        return (pending.get(0) & 0xC0) == 0xC0; // a lead byte whose continuation bytes were not captured
    }

    /** Whether the bytes start with the UTF-8 byte order mark. */
    public boolean startsWithByteOrderMark() {
        return count >= 3 && (first[0] & 0xFF) == 0xEF && (first[1] & 0xFF) == 0xBB && (first[2] & 0xFF) == 0xBF;
    }

    /** Bytes written so far. */
    public long count() {
        return count;
    }
}
