package dev.wiretap.proxy.edit;

/**
 * Edited message text that is not a valid HTTP/1.1 message: the line at fault (1-based; 0 when the fault is not in
 * one line, like a head over the size limit) and the reason, both fit to show the user before the editor opens again.
 */
public final class MessageTextException extends Exception {

    private final int line;
    private final String reason;

    public MessageTextException(int line, String reason) {
        super(line > 0 ? "line " + line + ": " + reason : reason, null, false, false);
        this.line = line;
        this.reason = reason;
    }

    /** The line at fault, counting from 1; 0 if the fault is not in one line. */
    public int line() {
        return line;
    }

    /** What is wrong, without the line number. */
    public String reason() {
        return reason;
    }
}
