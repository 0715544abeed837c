package dev.wiretap.proxy.http2;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frames from a connection's input (RFC 9113 section 4.1), refusing any larger than wiretap advertised
 * (FRAME_SIZE_ERROR, section 4.2) before reading its payload. Works on any input stream, so codec tests feed it bytes.
 * Used by one thread: the connection's reader.
 */
final class FrameReader {

    private static final byte[] EMPTY = new byte[0];

    private final InputStream in;
    private final int maxFrameBytes;
    private final byte[] head = new byte[9];

    FrameReader(InputStream in, int maxFrameBytes) {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Reads {@code n} bytes exactly; used for the client preface. */
    byte[] readExactly(int n) throws IOException {
        byte[] b = new byte[n];
        readFully(b, n);
        return b;
    }

    /**
     * The next frame, or null when the peer closed the connection cleanly between frames. A read timeout before the
     * frame's first byte comes out as is (the connection was idle); one inside a frame ends the connection.
     */
    Frame read() throws IOException, Http2Exception {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        head[0] = (byte) first;
        try {
            readFully(head, 1, 8);
        } catch (java.net.SocketTimeoutException e) {
            // Only a wait before a frame is idleness; one in the middle of a frame would lose its place in the stream.
            throw new EOFException("the peer stalled in the middle of a frame header");
        }
        int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | (head[2] & 0xff);
        int type = head[3] & 0xff;
        int flags = head[4] & 0xff;
        int streamId = ((head[5] & 0x7f) << 24) | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | (head[8] & 0xff);
        if (length > maxFrameBytes) {
            throw Http2Exception.connection(ErrorCode.FRAME_SIZE_ERROR, Frame.typeName(type) + " frame of " + length
                    + " bytes, over the " + maxFrameBytes + " advertised");
        }
        byte[] payload = length == 0 ? EMPTY : new byte[length];
        try {
            readFully(payload, 0, length);
        } catch (java.net.SocketTimeoutException e) {
            throw new EOFException("the peer stalled in the middle of a " + Frame.typeName(type) + " frame");
        }
        return new Frame(type, flags, streamId, payload);
    }

    private void readFully(byte[] b, int n) throws IOException {
        readFully(b, 0, n);
    }

    private void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new EOFException("connection closed in the middle of a frame");
            }
            off += n;
            len -= n;
        }
    }
}
