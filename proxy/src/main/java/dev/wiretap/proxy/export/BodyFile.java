package dev.wiretap.proxy.export;

import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.DecodingStream;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one message body to a file as its payload, content codings undone ({@link BodyDecoder}): what the console's
 * {@code save body} does, and the web UI's body download, so that an image opens as an image and a gzip JSON reads as
 * JSON, as a browser would save it. Stateless; runs on the caller's thread (the console's, or a web UI connection's).
 */
public final class BodyFile {

    /** What was written: how many bytes, and what the user should know (cut at the capture cap, not decodable). */
    public record Saved(long bytes, List<String> notes) {
        public Saved {
            notes = List.copyOf(notes);
        }
    }

    private BodyFile() {
    }

    /**
     * Writes the body of a message with {@code headers} to {@code file} (replacing it).
     *
     * @throws IOException if the file cannot be written; the message names it and says why
     */
    public static Saved write(Path file, Headers headers, Body body) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("cannot write " + file + ": it is a directory; give a file name");
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            return write(out, headers, body);
        } catch (IOException e) {
            throw FileErrors.explain("write", file, e);
        }
    }

    /**
     * Writes the body of a message with {@code headers} to {@code out}, leaving it open: as a file, for the web UI's
     * download.
     */
    public static Saved write(OutputStream out, Headers headers, Body body) throws IOException {
        List<String> notes = new ArrayList<>(2);
        if (body.isTruncated()) {
            notes.add("only the captured part: the body was " + body.captureNote());
        }
        long written;
        // Streamed from the decoder: a small body that decodes to a great deal (a bomb) is not held.
        try (DecodingStream decoded = BodyDecoder.stream(headers, body, BodyDecoder.DEFAULT_MAX_DECODED_BYTES)) {
            written = decoded.transferTo(out);
            if (!decoded.note().isEmpty()) {
                notes.add(decoded.note());
            }
        }
        return new Saved(written, notes);
    }
}
