package dev.wiretap.cli.console;

import dev.wiretap.cli.Sizes;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Response;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * One line of the flow list, copied out of a flow when it is seen (so that a queue of rows never keeps a flow's
 * bodies reachable): number, time, method, status, host, path, content type, response size, duration, and a mark
 * for flows in flight, paused, failed or changed by rules. {@link #render} fits it to the terminal's width, cutting
 * the path first. Immutable.
 *
 * @param status -1 while there is no response
 * @param state  what the flow is doing now
 */
record FlowRow(long id, Instant started, String method, int status, String host, String path, String type, long size,
               long durationNanos, State state, String error, List<String> rules) {

    /** Where a flow stands, as the list marks it. */
    enum State { IN_FLIGHT, PAUSED, DONE, FAILED }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    static FlowRow of(Flow flow, State state) {
        Response response = flow.response().orElse(null);
        Destination d = flow.request().destination().orElse(null);
        String host = d == null ? "" : d.port() == Destination.defaultPort(d.scheme()) ? d.host() : d.host() + ":" + d.port();
        String path = flow.request().isMethod("CONNECT") ? "" : d == null ? flow.request().target() : d.pathAndQuery();
        String type = response == null ? "" : response.headers().first("Content-Type").map(FlowRow::shortType).orElse("");
        long size = flow.request().isMethod("CONNECT") ? flow.bytesToClient() : response == null ? 0 : response.body().size();
        return new FlowRow(flow.id(), flow.started(), flow.request().method(), response == null ? -1 : response.status(),
                host, path, type, size, flow.isDone() ? flow.durationNanos() : -1, state,
                flow.error().map(e -> e.message()).orElse(""), List.copyOf(flow.appliedRules()));
    }

    static FlowRow of(Flow flow) {
        State state = flow.paused().isPresent() ? State.PAUSED : !flow.isDone() ? State.IN_FLIGHT : flow.error().isPresent() ? State.FAILED : State.DONE;
        return of(flow, state);
    }

    /** A line of text in the list's place (news from the feed: skipped rows, a paused flow's timeout). */
    static FlowRow text(String text) {
        return new FlowRow(-1, Instant.EPOCH, "", -1, "", text, "", -1, -1, State.DONE, "", List.of());
    }

    boolean isText() {
        return id < 0;
    }

    /** {@code application/json; charset=utf-8} shows as {@code json}; {@code text/html} as {@code html}. */
    static String shortType(String contentType) {
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        int slash = type.indexOf('/');
        String sub = slash < 0 ? type : type.substring(slash + 1);
        int plus = sub.lastIndexOf('+');
        if (plus >= 0) {
            sub = sub.substring(plus + 1); // application/problem+json: json
        }
        if (type.startsWith("image/") || type.startsWith("font/") || type.startsWith("video/") || type.startsWith("audio/")) {
            return type.substring(0, slash) + "/" + sub;
        }
        return sub.startsWith("x-") ? sub.substring(2) : sub;
    }

    /** The row as it shows on a terminal {@code width} columns wide (at least 40 are assumed). */
    AttributedString render(int width) {
        int columns = Math.max(width, 40);
        AttributedStringBuilder sb = new AttributedStringBuilder(columns + 32);
        String number = Long.toString(id);
        sb.append(" ".repeat(Math.max(0, 5 - number.length()))).append(number, AttributedStyle.BOLD).append(' ');
        sb.append(mark());
        sb.append(TIME.format(started), AttributedStyle.DEFAULT.faint()).append(' ');
        sb.append(pad(method, 7)).append(' ');
        sb.append(statusText(), statusStyle()).append(' ');
        StringBuilder tail = new StringBuilder();
        if (!type.isEmpty()) {
            tail.append(' ').append(pad(type, 6));
        }
        tail.append(' ').append(leftPad(size < 0 ? "" : Sizes.human(size), 6));
        tail.append(' ').append(leftPad(durationNanos < 0 ? "…" : Sizes.millis(durationNanos), 7));
        String where = host + path;
        int room = columns - sb.length() - tail.length() - (rules.isEmpty() ? 0 : 3);
        if (!error.isEmpty()) {
            room -= Math.min(error.length() + 1, room / 2);
        }
        sb.append(pad(fit(where, Math.max(10, room)), Math.max(10, room)));
        sb.append(tail.toString(), AttributedStyle.DEFAULT.faint());
        if (!rules.isEmpty()) {
            sb.append(" ◆", AttributedStyle.DEFAULT.foreground(AttributedStyle.MAGENTA));
        }
        if (!error.isEmpty()) {
            sb.append(' ').append(fit(error, Math.max(10, columns - sb.length() - 1)), AttributedStyle.DEFAULT.foreground(AttributedStyle.RED));
        }
        return sb.toAttributedString();
    }

    private AttributedString mark() {
        return switch (state) {
            case IN_FLIGHT -> new AttributedString("… ", AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN));
            case PAUSED -> new AttributedString("⏸ ", AttributedStyle.BOLD.foreground(AttributedStyle.YELLOW));
            case FAILED -> new AttributedString("✗ ", AttributedStyle.DEFAULT.foreground(AttributedStyle.RED));
            case DONE -> new AttributedString("  ");
        };
    }

    private String statusText() {
        return status < 0 ? (state == State.FAILED ? "ERR" : "---") : Integer.toString(status);
    }

    private AttributedStyle statusStyle() {
        if (status < 0) {
            return state == State.FAILED ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED) : AttributedStyle.DEFAULT.faint();
        }
        int colour = status >= 500 ? AttributedStyle.RED : status >= 400 ? AttributedStyle.YELLOW
                : status >= 300 ? AttributedStyle.CYAN : status >= 200 ? AttributedStyle.GREEN : AttributedStyle.BLUE;
        return AttributedStyle.DEFAULT.foreground(colour);
    }

    /** {@code text} cut to {@code width} columns with an ellipsis in the middle, keeping both ends readable. */
    static String fit(String text, int width) {
        if (text.length() <= width) {
            return text;
        }
        if (width <= 1) {
            return "…";
        }
        int head = (width - 1) * 2 / 3;
        int tail = width - 1 - head;
        return text.substring(0, head) + "…" + text.substring(text.length() - tail);
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    private static String leftPad(String text, int width) {
        return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
    }
}
