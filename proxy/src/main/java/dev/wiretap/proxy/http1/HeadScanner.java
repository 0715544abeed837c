package dev.wiretap.proxy.http1;

import java.io.EOFException;
import java.io.IOException;

/**
 * Waits until an {@link HttpInput} holds a whole message head, from the start line to the empty line, checking
 * line endings on the way so that a bad head is refused as soon as its fault arrives rather than when the head
 * limit runs out. Every line must end in CRLF: a bare LF is refused (RFC 9112 section 2.2 lets a recipient
 * accept one; a proxy that did would read lines differently from a strict origin behind it).
 */
final class HeadScanner {

    /**
     * Empty lines tolerated before a start line. RFC 9112 section 2.2 asks a server to ignore at least one before a
     * request line; wiretap extends the same robustness to status lines, since some servers send a stray CRLF after
     * a body, which would otherwise make the next exchange on a pooled connection fail.
     */
    private static final int MAX_LEADING_EMPTY_LINES = 8;

    private HeadScanner() {
    }

    /**
     * Returns the buffer offset just past the head's final CRLF, or -1 if the stream ended before any byte of a head.
     * The head starts at the input's position (leading empty lines before a request line are consumed).
     *
     * @param maxFirstLine longest start line (414 for a request when exceeded, as its target is what is long)
     * @param maxHead      largest head (431 for a request)
     */
    static int bufferHead(HttpInput in, int maxFirstLine, int maxHead, Party party)
            throws IOException, ProtocolException {
        int scanned = 0;        // bytes after the position already looked at
        int lineStart = 0;      // offset from the position of the current line
        boolean inFirstLine = true;
        int leadingEmptyLines = 0;
        while (true) {
            byte[] b = in.buffer();
            int pos = in.position();
            int lim = in.limit();
            // A limit trips at the byte that goes past it, whatever follows in the buffer: so the fault is the same
            // however the bytes arrived (all at once, or a few at a time, when the checks after the loop find it).
            int trip = pos + (inFirstLine ? Math.min(maxFirstLine, maxHead - 1) : maxHead - 1);
            for (int i = pos + scanned; i < lim; i++) {
                if (b[i] != '\n') {
                    if (i >= trip) {
                        throw limitReached(i - pos, inFirstLine, maxFirstLine, maxHead, party);
                    }
                    continue;
                }
                int rel = i - pos;
                if (rel == lineStart || b[i - 1] != '\r') {
                    throw party.fault(400, "a line ending in a bare LF (lines end with CRLF)");
                }
                if (rel - 1 == lineStart) {
                    if (!inFirstLine) {
                        // The limits hold however the bytes arrived, not only when they came in small reads.
                        if (rel + 1 > maxHead) {
                            throw headTooLarge(maxHead, party);
                        }
                        return i + 1;
                    }
                    if (++leadingEmptyLines > MAX_LEADING_EMPTY_LINES) {
                        throw party.fault(400, "empty lines before the start line");
                    }
                    in.consume(rel + 1);
                    lineStart = 0;
                    scanned = 0;
                    break;
                }
                if (inFirstLine && rel > maxFirstLine) {
                    throw firstLineTooLong(maxFirstLine, party);
                }
                inFirstLine = false;
                lineStart = rel + 1;
                trip = pos + maxHead - 1;
                if (i >= trip) {
                    throw headTooLarge(maxHead, party);
                }
            }
            if (in.position() != pos) {
                continue; // consumed a leading empty line: rescan from the new position
            }
            scanned = lim - pos;
            if (inFirstLine && scanned > maxFirstLine) {
                throw firstLineTooLong(maxFirstLine, party);
            }
            if (scanned >= maxHead) {
                throw headTooLarge(maxHead, party);
            }
            int n = in.fill(maxHead + 2);
            if (n < 0) {
                if (scanned == 0) {
                    return -1;
                }
                throw new EOFException("connection closed after " + scanned + " bytes of a message head");
            }
        }
    }

    /**
     * Waits until {@code in} holds a whole trailer section (field lines and the empty line that ends them, which
     * may be the only line) and returns the buffer offset just past it.
     */
    static int bufferTrailers(HttpInput in, int maxBytes, Party party) throws IOException, ProtocolException {
        int scanned = 0;
        int lineStart = 0;
        while (true) {
            byte[] b = in.buffer();
            int pos = in.position();
            int lim = in.limit();
            int trip = pos + maxBytes - 1; // as for heads: the same fault however the bytes arrived
            for (int i = pos + scanned; i < lim; i++) {
                if (b[i] != '\n') {
                    if (i >= trip) {
                        throw trailersTooLarge(maxBytes, party);
                    }
                    continue;
                }
                int rel = i - pos;
                if (rel == lineStart || b[i - 1] != '\r') {
                    throw party.fault(400, "a trailer line ending in a bare LF");
                }
                if (rel - 1 == lineStart) {
                    if (rel + 1 > maxBytes) {
                        throw trailersTooLarge(maxBytes, party);
                    }
                    return i + 1;
                }
                lineStart = rel + 1;
                if (i >= trip) {
                    throw trailersTooLarge(maxBytes, party);
                }
            }
            scanned = lim - pos;
            if (scanned >= maxBytes) {
                throw trailersTooLarge(maxBytes, party);
            }
            if (in.fill(maxBytes + 2) < 0) {
                throw new EOFException("connection closed in the trailer section of a chunked body");
            }
        }
    }

    /** The limit that the byte at {@code rel} goes past, as the checks after each read would find it. */
    private static ProtocolException limitReached(int rel, boolean inFirstLine, int maxFirstLine, int maxHead, Party party) {
        return inFirstLine && rel + 1 > maxFirstLine ? firstLineTooLong(maxFirstLine, party) : headTooLarge(maxHead, party);
    }

    private static ProtocolException firstLineTooLong(int maxFirstLine, Party party) {
        return party == Party.CLIENT
                ? new ProtocolException(414, "request line longer than " + maxFirstLine + " bytes")
                : party.fault(502, "a status line longer than " + maxFirstLine + " bytes");
    }

    private static ProtocolException headTooLarge(int maxHead, Party party) {
        return party.fault(431, "a header section larger than " + maxHead + " bytes");
    }

    private static ProtocolException trailersTooLarge(int maxBytes, Party party) {
        return party.fault(431, "a trailer section larger than " + maxBytes + " bytes");
    }
}
