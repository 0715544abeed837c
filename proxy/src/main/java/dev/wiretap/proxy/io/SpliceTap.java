package dev.wiretap.proxy.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sees the bytes a splice moves between two connections, and decides what goes on: the bytes as they are (a WebSocket
 * read while relayed), or what they become (messages an addon changed). Without a tap a splice moves bytes untouched.
 *
 * <p>Each direction's {@link #pass} runs on that direction's thread; a tap that touches both directions (closing both
 * when one breaks its protocol) guards what it shares.
 */
public interface SpliceTap {

    /** Where one direction's bytes go: the receiving connection. */
    interface Outlet {
        /** Writes the bytes between {@code bytes}' position and limit; the position moves to the limit. */
        void write(ByteBuffer bytes) throws IOException;

        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    /** Before any byte moves: the outlet towards each side. */
    void start(Outlet toA, Outlet toB);

    /**
     * Bytes read from side A ({@code fromA}) or side B, between {@code chunk}'s position and limit: passes them, or
     * what they become, to the other side's outlet. Returns false to end the splice (both connections close).
     */
    boolean pass(boolean fromA, ByteBuffer chunk) throws IOException;
}
