package dev.wiretap.proxy.export;

/**
 * A file that is not a HAR file wiretap can read: the message names the file and what is wrong, with the JSON path
 * where it went wrong ({@code /log/entries}) or the line and column of a JSON syntax error.
 */
public final class HarFileException extends FlowFileException {

    public HarFileException(String message) {
        super(message);
    }
}
