package dev.wiretap.proxy.export;

/** A file that is not a session file wiretap can read: the message names the file and what is wrong. */
public final class SessionFileException extends FlowFileException {

    public SessionFileException(String message) {
        super(message);
    }
}
