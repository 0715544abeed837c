package dev.wiretap.cli.console;

import dev.wiretap.cli.Sizes;
import dev.wiretap.proxy.content.EventStream;
import dev.wiretap.proxy.flow.WebSocketMessage;
import dev.wiretap.proxy.flow.CloseCodes;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * One line per WebSocket message or server-sent event, for {@code show} and {@code follow}: its number, time,
 * direction ({@code →} client to server, {@code ←} server to client), kind and size, then its content on the rest of the
 * line (text with its line breaks shown as {@code ⏎}, binary as hex, a close's code and reason). Stateless.
 */
final class MessageLines {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private MessageLines() {
    }

    static AttributedString of(WebSocketMessage m, int width) {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.append(String.format("%5d ", m.index()), AttributedStyle.DEFAULT.faint());
        sb.append(TIME.format(m.time()), AttributedStyle.DEFAULT.faint());
        sb.append(m.fromClient() ? " → " : " ← ", AttributedStyle.BOLD.foreground(m.fromClient() ? AttributedStyle.CYAN : AttributedStyle.GREEN));
        String kind = m.type().name().toLowerCase(java.util.Locale.ROOT);
        sb.append(String.format("%-6s %7s ", kind, Sizes.human(m.size())));
        sb.append(content(m));
        if (m.compressed()) {
            sb.append("  (deflated: " + Sizes.human(m.wireSize()) + ")", AttributedStyle.DEFAULT.faint());
        }
        if (m.isTruncated() && m.type().isData()) {
            sb.append("  (cut at the capture cap)", AttributedStyle.DEFAULT.faint());
        }
        AttributedString line = sb.toAttributedString();
        return line.columnLength() > width ? line.columnSubSequence(0, Math.max(10, width - 1)) : line;
    }

    private static String content(WebSocketMessage m) {
        return switch (m.type()) {
            case TEXT, PING, PONG -> oneLine(m.text());
            case BINARY -> hex(m.content());
            case CLOSE -> m.closeCode() < 0 ? "(no status code)" : m.closeCode()
                    + (CloseCodes.name(m.closeCode()).isEmpty() ? "" : " (" + CloseCodes.name(m.closeCode()) + ")")
                    + (m.closeReason().isEmpty() ? "" : " " + oneLine(m.closeReason()));
        };
    }

    /** A server-sent event: its type, id, and data on one line. */
    static AttributedString of(EventStream.Event event, int number, int width) {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.append(String.format("%5d ", number), AttributedStyle.DEFAULT.faint());
        sb.append("← ", AttributedStyle.BOLD.foreground(AttributedStyle.GREEN));
        sb.append(event.type(), AttributedStyle.BOLD);
        if (!event.id().isEmpty()) {
            sb.append(" id " + event.id(), AttributedStyle.DEFAULT.faint());
        }
        sb.append("  ").append(oneLine(event.data()));
        AttributedString line = sb.toAttributedString();
        return line.columnLength() > width ? line.columnSubSequence(0, Math.max(10, width - 1)) : line;
    }

    static String oneLine(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 400));
        for (int i = 0; i < text.length() && sb.length() < 400; i++) {
            char c = text.charAt(i);
            sb.append(c == '\n' ? '⏎' : c == '\r' || c == '\t' ? ' ' : Character.isISOControl(c) ? '·' : c);
        }
        return sb.toString();
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 32); i++) {
            sb.append(String.format("%02x", b[i] & 0xFF)).append(i % 4 == 3 ? " " : "");
        }
        return b.length > 32 ? sb.append("…").toString() : sb.toString().strip();
    }
}
