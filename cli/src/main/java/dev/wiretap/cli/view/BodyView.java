package dev.wiretap.cli.view;

import dev.wiretap.proxy.content.GrpcMessages;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.ContentText;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.content.MediaType;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A message body made ready for a terminal: content codings undone ({@link BodyDecoder}), JSON pretty-printed,
 * text in its charset with controls made visible ({@link TerminalText}), anything else as one line saying what it is
 * ({@link BinarySummary}: type, size, an image's pixels), with its bytes as a hex dump on request ({@link #hexLines});
 * with notes for what the reader should know (capture truncated, data corrupt, unknown charset, invalid JSON).
 *
 * <p>Made once per body shown (decoding and formatting happen in {@link #of}), then rendered for a width and a
 * number of lines. Immutable; for the console's thread, never a connection's.
 */
public final class BodyView {

    /** What the body is shown as. */
    public enum Kind {
        EMPTY,
        TEXT,
        JSON,
        BINARY,
        /** gRPC: its length-prefixed messages, each as protobuf fields read without a schema. */
        GRPC
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int HEX_ROW_MIN_WIDTH_16 = 78;

    private final Kind kind;
    private final DecodedBody decoded;
    private final List<String> textLines;
    private final List<String> notes;

    /** For {@link Kind#BINARY}, {@code textLines} is its one summary line. */
    private BodyView(Kind kind, DecodedBody decoded, List<String> textLines, List<String> notes) {
        this.kind = kind;
        this.decoded = decoded;
        this.textLines = textLines;
        this.notes = List.copyOf(notes);
    }

    /** The view of {@code body}, read per the Content-Type and Content-Encoding fields of {@code headers}. */
    public static BodyView of(Headers headers, Body body) {
        List<String> notes = new ArrayList<>(2);
        if (body.isEmpty()) {
            return new BodyView(Kind.EMPTY, new DecodedBody(new byte[0], List.of(), DecodedBody.Outcome.COMPLETE, ""), List.of(), notes);
        }
        DecodedBody decoded = BodyDecoder.decode(headers, body);
        if (!decoded.note().isEmpty()) {
            notes.add(decoded.note());
        }
        if (body.isTruncated()) {
            notes.add(body.captureNote());
        }
        boolean partial = body.isTruncated() || !decoded.isComplete();
        if (GrpcMessages.isGrpc(headers)) {
            return new BodyView(Kind.GRPC, decoded, GrpcMessages.lines(decoded.bytes()), notes);
        }
        MediaType type = MediaType.of(headers);
        Optional<ContentText> text = ContentText.of(type, decoded.bytes(), partial);
        if (text.isEmpty()) {
            long size = decoded.isDecoded() ? decoded.bytes().length : body.size();
            return new BodyView(Kind.BINARY, decoded, List.of("[" + BinarySummary.of(type, decoded.bytes(), size) + "]"), notes);
        }
        if (!text.get().note().isEmpty()) {
            notes.add(text.get().note());
        }
        String content = text.get().text();
        if (type.kind() == MediaType.Kind.JSON || (type.kind() == MediaType.Kind.UNKNOWN && startsLikeJson(content))) {
            Optional<String> pretty = prettyJson(content, partial, notes, type.kind() == MediaType.Kind.JSON);
            if (pretty.isPresent()) {
                return new BodyView(Kind.JSON, decoded, splitLines(pretty.get()), notes);
            }
        }
        return new BodyView(Kind.TEXT, decoded, splitLines(content), notes);
    }

    public Kind kind() {
        return kind;
    }

    /** The body with its codings undone (the bytes shown). */
    public DecodedBody decoded() {
        return decoded;
    }

    /** What the reader should know about this body, each a sentence without parentheses; empty when nothing. */
    public List<String> notes() {
        return notes;
    }

    /**
     * Every line of the body for a terminal {@code width} columns wide, long lines wrapped (a binary body is its one
     * summary line), without notes: for a pager.
     */
    public List<String> lines(int width) {
        List<String> lines = new ArrayList<>(textLines.size());
        for (String line : textLines) {
            lines.addAll(TerminalText.wrap(TerminalText.visible(line), Math.max(1, width)));
        }
        return lines;
    }

    /**
     * The body's bytes (its codings undone) as a hex dump for a terminal {@code width} columns wide, as many bytes a
     * row as fit: for {@code show N --hex}, whatever the body's kind.
     */
    public List<String> hexLines(int width) {
        return hexRows(decoded.bytes(), bytesPerRow(width), 0, Integer.MAX_VALUE);
    }

    /**
     * The body in at most {@code maxLines} lines of at most {@code width} columns: long lines cut (ending in …) or,
     * with {@code wrap}, wrapped; a last {@code ... N more lines} when it does not fit; then the notes, each in
     * parentheses (they always show, even past {@code maxLines}).
     */
    public List<String> render(int width, int maxLines, boolean wrap) {
        int columns = Math.max(8, width);
        List<String> out = new ArrayList<>(Math.min(maxLines, 256));
        int budget = Math.max(1, maxLines - notes.size());
        List<String> lines = wrap ? lines(columns) : cutLines(columns);
        int shown = lines.size() <= budget ? lines.size() : budget - 1;
        out.addAll(lines.subList(0, Math.max(0, shown)));
        if (shown < lines.size()) {
            out.add(moreLines(lines.size() - shown));
        }
        for (String note : notes) {
            out.add(TerminalText.cut("(" + TerminalText.visible(note) + ")", columns));
        }
        return out;
    }

    private List<String> cutLines(int columns) {
        List<String> lines = new ArrayList<>(textLines.size());
        for (String line : textLines) {
            lines.add(TerminalText.cut(TerminalText.visible(line), columns));
        }
        return lines;
    }

    private static String moreLines(int n) {
        return "... " + n + " more line" + (n == 1 ? "" : "s");
    }

    /** Lines as written: LF or CRLF ends a line; a last line break does not start an empty line. */
    private static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                int end = i > start && text.charAt(i - 1) == '\r' ? i - 1 : i;
                lines.add(text.substring(start, end));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    private static boolean startsLikeJson(String text) {
        String t = text.stripLeading();
        return t.startsWith("{") || t.startsWith("[");
    }

    /**
     * The JSON pretty-printed, keeping what a tree would lose: key order, duplicate keys and numbers exactly as
     * written. A body cut by the capture cap shows what parsed before the cut; invalid JSON is shown as text with a
     * note (only when the type said JSON: a body that merely starts with a brace is just text).
     */
    private static Optional<String> prettyJson(String text, boolean partial, List<String> notes, boolean declared) {
        StringWriter out = new StringWriter(text.length() * 2);
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance().withRootSeparator("\n"))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try (JsonParser parser = JSON.createParser(text);
             JsonGenerator generator = JSON.createGenerator(out).setPrettyPrinter(printer)) {
            try {
                while (parser.nextToken() != null) {
                    generator.copyCurrentEventExact(parser);
                }
            } catch (JsonProcessingException e) {
                // A body cut by the capture cap fails at its very end ("unexpected end-of-input").
                if (partial && e.getLocation() != null && e.getLocation().getCharOffset() >= text.length() - 1) {
                    generator.flush();
                    notes.add("the JSON ends where the capture does");
                    return Optional.of(out.toString());
                }
                if (declared) {
                    notes.add("not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage() + "); shown as text");
                }
                return Optional.empty();
            }
        } catch (IOException e) {
            // Only writing could fail here, to a StringWriter, which does not: treat as not JSON.
            return Optional.empty();
        }
        return Optional.of(out.toString());
    }

    private static int bytesPerRow(int width) {
        return width >= HEX_ROW_MIN_WIDTH_16 ? 16 : 8;
    }

    /**
     * Rows of a hex dump, from row {@code fromRow}, at most {@code maxRows}: offset, the bytes in hex (a gap after
     * each eight), then the printable ASCII ones between bars, as {@code hexdump -C} shows them.
     */
    static List<String> hexRows(byte[] bytes, int perRow, int fromRow, int maxRows) {
        int rows = (bytes.length + perRow - 1) / perRow;
        int end = (int) Math.min(rows, (long) fromRow + maxRows);
        List<String> out = new ArrayList<>(Math.max(0, end - fromRow));
        StringBuilder sb = new StringBuilder(80);
        for (int row = fromRow; row < end; row++) {
            sb.setLength(0);
            int offset = row * perRow;
            sb.append(String.format("%08x ", offset));
            for (int i = 0; i < perRow; i++) {
                if (i % 8 == 0) {
                    sb.append(' ');
                }
                if (offset + i < bytes.length) {
                    sb.append(Character.forDigit((bytes[offset + i] >> 4) & 0xF, 16))
                            .append(Character.forDigit(bytes[offset + i] & 0xF, 16)).append(' ');
                } else {
                    sb.append("   ");
                }
            }
            sb.append(" |");
            for (int i = offset; i < Math.min(bytes.length, offset + perRow); i++) {
                int b = bytes[i] & 0xFF;
                sb.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            }
            sb.append('|');
            out.add(sb.toString());
        }
        return out;
    }
}
