package dev.wiretap.cli.console;

import dev.wiretap.cli.Sizes;
import dev.wiretap.cli.view.TerminalText;
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
 * for flows in flight, paused, failed or changed by rules. {@link #render} fits it to the terminal's width. Immutable.
 *
 * @param status -1 while there is no response
 * @param size   the response body's size (a tunnel's: the bytes relayed to the client); -1 while there is no response
 * @param state  what the flow is doing now
 */
record FlowRow(long id, Instant started, String method, int status, String host, String path, String type, long size,
               long durationNanos, State state, String error, List<String> rules) {

    /** Where a flow stands, as the list marks it. */
    enum State { IN_FLIGHT, PAUSED, DONE, FAILED }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    static final int METHOD_WIDTH = 7;
    static final int TYPE_WIDTH = 10;
    static final int SIZE_WIDTH = 6;
    static final int DURATION_WIDTH = 7;

    static FlowRow of(Flow flow, State state) {
        Response response = flow.response().orElse(null);
        Destination d = flow.request().destination().orElse(null);
        String host = d == null ? "" : d.port() == Destination.defaultPort(d.scheme()) ? d.host() : d.host() + ":" + d.port();
        String path = flow.request().isMethod("CONNECT") ? "" : d == null ? flow.request().target() : d.pathAndQuery();
        // Made visible here as well as by the screen, so that the columns are laid out by what will show.
        String type = response == null ? "" : response.headers().first("Content-Type")
                .map(t -> TerminalText.visible(shortType(t))).orElse("");
        long size = flow.request().isMethod("CONNECT") ? flow.bytesToClient() : response == null ? -1 : response.body().size();
        return new FlowRow(flow.id(), flow.started(), flow.request().method(), response == null ? -1 : response.status(),
                host, path, type, size, flow.isDone() ? flow.durationNanos() : -1, state,
                flow.error().map(e -> TerminalText.visible(e.message())).orElse(""), List.copyOf(flow.appliedRules()));
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

    /** Columns before the URL: number, mark, time, method, status, each followed by a space. */
    static final int URL_COLUMN = 5 + 1 + 1 + 1 + 8 + 1 + METHOD_WIDTH + 1 + 3 + 1;
    /** Columns after the URL: type, size, duration and the rules mark, each after a space. */
    static final int AFTER_URL = 1 + TYPE_WIDTH + 1 + SIZE_WIDTH + 1 + DURATION_WIDTH + 1 + 1;
    /** The URL column never grows wider than this, so that type, size and duration stay near it on wide terminals. */
    static final int MAX_URL_WIDTH = 80;
    /** Nor narrower than this while errors get a place on the row's own line. */
    static final int MIN_URL_WIDTH = 60;
    /** The least room an error gets on the row's own line; with less, it goes on a line of its own below. */
    static final int MIN_ERROR_WIDTH = 40;

    /**
     * The row as it shows on a terminal {@code width} columns wide: the same columns at the same places for every
     * kind of row (done, failed, in flight, paused), the URL column as wide as the width allows up to
     * {@value #MAX_URL_WIDTH}, text that does not fit cut at its end with "…". A failed row's error follows the
     * columns when at least {@value #MIN_ERROR_WIDTH} columns are left for it, else it takes a second line, under the
     * URL. A row is one column short of the width, as a line that fills the last column makes some terminals wrap.
     */
    List<AttributedString> render(int width) {
        int usable = Math.max(width, 40) - 1;
        int available = usable - URL_COLUMN - AFTER_URL;
        boolean errorBeside = available >= MIN_URL_WIDTH + 1 + MIN_ERROR_WIDTH;
        int urlWidth = errorBeside ? Math.min(MAX_URL_WIDTH, available - 1 - MIN_ERROR_WIDTH) : Math.max(10, available);
        AttributedStringBuilder sb = new AttributedStringBuilder(usable + 32);
        String number = Long.toString(id);
        sb.append(" ".repeat(Math.max(0, 5 - number.length()))).append(number, AttributedStyle.BOLD).append(' ');
        sb.append(mark());
        sb.append(TIME.format(started), AttributedStyle.DEFAULT.faint()).append(' ');
        sb.append(cell(method, METHOD_WIDTH)).append(' ');
        sb.append(statusText(), statusStyle()).append(' ');
        sb.append(cell(host + path, urlWidth));
        StringBuilder tail = new StringBuilder(AFTER_URL);
        tail.append(' ').append(cell(type, TYPE_WIDTH));
        tail.append(' ').append(leftPad(size < 0 ? "" : Sizes.human(size), SIZE_WIDTH));
        tail.append(' ').append(leftPad(durationNanos < 0 ? "…" : Sizes.millis(durationNanos), DURATION_WIDTH)).append(' ');
        sb.append(tail.toString(), AttributedStyle.DEFAULT.faint());
        sb.append(rules.isEmpty() ? " " : "◆", AttributedStyle.DEFAULT.foreground(AttributedStyle.MAGENTA));
        AttributedStyle red = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
        if (error.isEmpty()) {
            return List.of(trimmed(sb.toAttributedString(), usable));
        }
        if (errorBeside) {
            sb.append(' ').append(fit(error, usable - sb.columnLength() - 1), red);
            return List.of(trimmed(sb.toAttributedString(), usable));
        }
        AttributedStringBuilder below = new AttributedStringBuilder(usable);
        below.append(" ".repeat(URL_COLUMN)).append(fit(error, Math.max(10, usable - URL_COLUMN)), red);
        return List.of(trimmed(sb.toAttributedString(), usable), below.toAttributedString());
    }

    /** The line without trailing blanks, cut to {@code columns} (on terminals too narrow for every column). */
    private static AttributedString trimmed(AttributedString line, int columns) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        AttributedString t = line.subSequence(0, end);
        return t.columnLength() > columns ? t.columnSubSequence(0, columns) : t;
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

    /** {@code text} cut to {@code width} columns at its end, an ellipsis in the last one. */
    static String fit(String text, int width) {
        if (text.length() <= width) {
            return text;
        }
        if (width <= 1) {
            return "…";
        }
        return text.substring(0, width - 1) + "…";
    }

    /** {@code text} in a column {@code width} wide: cut at its end, or padded. */
    private static String cell(String text, int width) {
        String fitted = fit(text, width);
        return fitted.length() >= width ? fitted : fitted + " ".repeat(width - fitted.length());
    }

    private static String leftPad(String text, int width) {
        return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
    }
}
