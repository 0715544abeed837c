package dev.wiretap.proxy.export;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.ContentText;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.content.DecodingStream;
import dev.wiretap.proxy.content.MediaType;
import dev.wiretap.proxy.content.TextSniffer;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One body of a HAR entry, decoded (its content codings undone) and written as text when it is text, else in base64;
 * with its decoded size and the notes on it. The decoded bytes are never held: {@link #of} reads the decoder once to
 * measure the body and decide how it reads, and {@link #writeText} reads it again straight into the JSON generator.
 * So a small body that decodes to a great deal (a decompression bomb) costs the exporter a buffer, not the heap; its
 * decoded output stops at {@link #MAX_DECODED_BYTES}, noted on the entry.
 *
 * <p>Immutable once made; for the exporting thread.
 */
final class HarContent {

    /** Decoded bytes written at most per body, as the filters read at most: 16 MiB. */
    static final long MAX_DECODED_BYTES = 16 << 20;

    private final Headers headers;
    private final Body body;
    private final boolean posted;
    private final long decodedSize;
    private final boolean decoded;
    private final boolean complete;
    private final Optional<ContentText.Reading> text;
    private final List<String> notes;

    private HarContent(Headers headers, Body body, boolean posted, long decodedSize, boolean decoded, boolean complete,
                       Optional<ContentText.Reading> text, List<String> notes) {
        this.headers = headers;
        this.body = body;
        this.posted = posted;
        this.decodedSize = decodedSize;
        this.decoded = decoded;
        this.complete = complete;
        this.text = text;
        this.notes = List.copyOf(notes);
    }

    /**
     * Measures the body of a message with {@code headers}. {@code posted}: a request's body, whose HAR object
     * ({@code postData}) has no {@code encoding} field, so {@code _encoding} and a note say when it is in base64.
     */
    static HarContent of(Headers headers, Body body, boolean posted) {
        TextSniffer sniffer = new TextSniffer();
        DecodedBody.Outcome outcome;
        String decoderNote;
        boolean isDecoded;
        try (DecodingStream in = BodyDecoder.stream(headers, body, MAX_DECODED_BYTES)) {
            in.transferTo(sniffer);
            outcome = in.outcome();
            decoderNote = in.note();
            isDecoded = !in.codings().isEmpty();
        } catch (IOException e) {
            throw new IllegalStateException("a DecodingStream reports bad data in its outcome, and the sniffer keeps nothing", e);
        }
        List<String> notes = new ArrayList<>(3);
        if (!decoderNote.isEmpty()) {
            notes.add(decoderNote);
        }
        if (body.isTruncated()) {
            notes.add(body.captureNote());
        }
        boolean partial = body.isTruncated() || outcome != DecodedBody.Outcome.COMPLETE;
        Optional<ContentText.Reading> text = outcome == DecodedBody.Outcome.COMPLETE || isDecoded
                ? ContentText.reading(MediaType.of(headers), sniffer, partial) : Optional.empty();
        if (text.isPresent() && !text.get().note().isEmpty()) {
            notes.add(text.get().note());
        } else if (text.isEmpty() && posted) {
            notes.add("text is base64: the body is binary");
        }
        return new HarContent(headers, body, posted, sniffer.count(), isDecoded, outcome == DecodedBody.Outcome.COMPLETE,
                text, notes);
    }

    /** The body's size decoded (HAR's {@code content.size}): as it flowed when it had no coding to undo. */
    long size() {
        return decoded ? decodedSize : body.size();
    }

    /** Bytes the content coding saved (HAR's {@code compression}), when decoding was whole and made it no smaller. */
    Optional<Long> compression() {
        return decoded && complete && !body.isTruncated() && decodedSize >= body.size()
                ? Optional.of(decodedSize - body.size()) : Optional.empty();
    }

    /** What the reader should know about this body; empty when nothing. */
    List<String> notes() {
        return notes;
    }

    /** Writes {@code text} and, for bytes that are not text, {@code encoding} (or {@code _encoding}) {@code base64}. */
    void writeText(JsonGenerator g) throws IOException {
        try (DecodingStream in = BodyDecoder.stream(headers, body, MAX_DECODED_BYTES)) {
            g.writeFieldName("text");
            if (text.isPresent()) {
                in.skipNBytes(text.get().skipBytes());
                Reader reader = new InputStreamReader(in, text.get().charset()); // malformed bytes become U+FFFD
                g.writeString(reader, -1);
            } else {
                g.writeBinary(in, -1);
                g.writeStringField(posted ? "_encoding" : "encoding", "base64");
            }
        }
    }
}
