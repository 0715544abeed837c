package dev.wiretap.proxy.websocket;

import dev.wiretap.proxy.flow.CloseCodes;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates the compressed messages of one direction of a WebSocket (permessage-deflate, RFC 7692 section 7.2.2): each
 * message is raw DEFLATE data whose final empty stored block's tail ({@code 00 00 FF FF}) the sender left out, and
 * which may refer back into earlier messages of the same direction (context takeover), so every compressed message is
 * inflated whole and in order, even when only its first bytes are kept. What comes out goes to an {@link Output}.
 *
 * <p>Uses the JDK's {@link Inflater} (zlib). Not thread-safe: one per direction, on that direction's relay thread.
 */
final class MessageInflater implements AutoCloseable {

    /** The tail RFC 7692 section 7.2.2 has the receiver append to each message before inflating its end. */
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};

    /** Where inflated bytes go. */
    interface Output {
        void inflated(byte[] b, int off, int len) throws WebSocketViolation;
    }

    private final Inflater inflater = new Inflater(true);
    private final byte[] out = new byte[16 * 1024];
    private final boolean resetEachMessage;

    /**
     * @param resetEachMessage whether the sender starts each message afresh (it agreed to no context takeover), so
     *                         that a message may be inflated without the ones before it
     */
    MessageInflater(boolean resetEachMessage) {
        this.resetEachMessage = resetEachMessage;
    }

    /** Inflates {@code len} bytes of a compressed message's payload (unmasked). */
    void inflate(byte[] b, int off, int len, Output output) throws WebSocketViolation {
        inflater.setInput(b, off, len);
        drain(output);
    }

    /** The message's payload is all in: inflates its end, and gets ready for the direction's next message. */
    void endMessage(Output output) throws WebSocketViolation {
        if (!inflater.finished()) {
            inflater.setInput(TAIL);
            drain(output);
        }
        if (resetEachMessage || inflater.finished()) {
            // A message that ended its DEFLATE stream (a final block) takes the window with it (RFC 7692 section 7.2.3.3).
            inflater.reset();
        }
    }

    private void drain(Output output) throws WebSocketViolation {
        try {
            while (true) {
                int n = inflater.inflate(out);
                if (n > 0) {
                    output.inflated(out, 0, n);
                } else if (inflater.needsDictionary()) {
                    throw new WebSocketViolation(CloseCodes.INVALID_DATA, "a compressed message asked for a preset dictionary");
                } else {
                    return; // needs input, or finished (what follows a final block is not DEFLATE data)
                }
            }
        } catch (DataFormatException e) {
            throw new WebSocketViolation(CloseCodes.INVALID_DATA, "a compressed message could not be inflated ("
                    + e.getMessage() + ", RFC 7692 section 7.2.2)");
        }
    }

    @Override
    public void close() {
        inflater.end();
    }
}
