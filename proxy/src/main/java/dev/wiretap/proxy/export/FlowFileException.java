package dev.wiretap.proxy.export;

import java.io.IOException;

/**
 * A file wiretap cannot load flows from, for what is in it (not for a failure to read it): the message names the file
 * and says what is wrong. {@link SessionFileException} and {@link HarFileException} say so of each kind.
 */
public class FlowFileException extends IOException {

    public FlowFileException(String message) {
        super(message);
    }
}
