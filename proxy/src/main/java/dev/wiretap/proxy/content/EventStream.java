package dev.wiretap.proxy.content;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code text/event-stream} body (server-sent events, as the WHATWG HTML standard's "Parsing an event stream"
 * section reads it) as its events: each one's type ({@code event:}, "message" when absent), {@code id:}, and data (its
 * {@code data:} lines joined by newlines). Comments (lines starting with a colon) and unknown fields are skipped; an
 * event with no data is not dispatched, as a browser would not. The text after the last blank line, an event still
 * arriving (or cut at the capture cap), is kept apart ({@link #pending()}). Immutable.
 */
public record EventStream(List<Event> events, String pending) {

    /** One event: its type, its last event id (empty when none was given), and its data. */
    public record Event(String type, String id, String data) {
    }

    public EventStream {
        events = List.copyOf(events);
    }

    /** Reads {@code text}, a body as far as captured. */
    public static EventStream parse(String text) {
        List<Event> events = new ArrayList<>();
        StringBuilder data = null;
        String type = "";
        String id = "";
        int lastEnd = 0;
        int pos = 0;
        int n = text.length();
        if (text.startsWith("\uFEFF")) {
            pos = 1; // a byte order mark at the start is not part of the first field
        }
        while (pos < n) {
            int eol = pos;
            while (eol < n && text.charAt(eol) != '\n' && text.charAt(eol) != '\r') {
                eol++;
            }
            if (eol == n) {
                break; // a line still arriving
            }
            String line = text.substring(pos, eol);
            int next = eol + (text.charAt(eol) == '\r' && eol + 1 < n && text.charAt(eol + 1) == '\n' ? 2 : 1);
            if (text.charAt(eol) == '\r' && eol + 1 == n) {
                break; // a CR that may be the first half of a CRLF
            }
            pos = next;
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new Event(type.isEmpty() ? "message" : type, id, data.toString()));
                }
                data = null;
                type = "";
                lastEnd = pos;
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                case "event" -> type = value;
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        id = value;
                    }
                }
                default -> { } // retry, and fields the standard does not know
            }
        }
        return new EventStream(events, text.substring(lastEnd));
    }

    /** Whether {@code contentType} names an event stream. */
    public static boolean isEventStream(String contentType) {
        return MediaType.parse(contentType).essence().equals("text/event-stream");
    }
}
