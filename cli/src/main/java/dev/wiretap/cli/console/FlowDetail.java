package dev.wiretap.cli.console;

import dev.wiretap.proxy.content.GrpcMessages;
import dev.wiretap.cli.Sizes;
import dev.wiretap.cli.view.BodyView;
import dev.wiretap.proxy.addon.PausedFlow;
import dev.wiretap.proxy.content.EventStream;
import dev.wiretap.proxy.flow.WebSocketMessage;
import dev.wiretap.proxy.flow.WebSocketMessages;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.TlsHandshake;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * What {@code show N} prints: a summary line (URL, status, duration, rules that applied, error), then the request
 * and the response as they went over the wire: start line, fields in wire order, and the body rendered for reading
 * (a binary one as a line saying what it is; server-sent events one per line), or with {@code --hex} every body as a
 * hex dump; then, for a WebSocket, its messages one per line. A flow in flight shows what has come so far. Stateless.
 */
final class FlowDetail {

    private static final java.time.format.DateTimeFormatter STARTED =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(java.time.ZoneId.systemDefault());

    private FlowDetail() {
    }

    /**
     * @param paused the flow's place in the intercept's queue, when it waits there
     * @param hex    bodies as hex dumps of their bytes (codings undone) rather than for reading
     */
    static List<AttributedString> render(Flow flow, Optional<PausedFlow> paused, int width, boolean hex) {
        List<AttributedString> lines = new ArrayList<>();
        AttributedStringBuilder title = new AttributedStringBuilder();
        title.append("#" + flow.id() + " ", AttributedStyle.BOLD).append(flow.request().method()).append(' ')
                .append(flow.request().url());
        lines.add(title.toAttributedString());
        StringBuilder facts = new StringBuilder();
        facts.append(STARTED.format(flow.started())).append("  client ").append(flow.client().getAddress().getHostAddress()).append(':')
                .append(flow.client().getPort());
        if (flow.isDone()) {
            facts.append("  ").append(Sizes.millis(flow.durationNanos()));
        } else {
            facts.append("  ").append(paused.map(FlowDetail::waiting).orElse("in flight"));
        }
        if (!flow.serverAddress().isEmpty()) {
            facts.append("  server ").append(flow.serverAddress()).append(flow.isReusedUpstream() ? " (reused)" : "");
        }
        lines.add(new AttributedString(facts.toString(), AttributedStyle.DEFAULT.faint()));
        if (flow.clientTls().isPresent() || flow.upstreamTls().isPresent()) {
            lines.add(new AttributedString("tls  " + flow.clientTls().map(t -> "client " + t.describe()).orElse("client plain")
                    + "  upstream " + flow.upstreamTls().map(TlsHandshake::describe).orElse("plain"), AttributedStyle.DEFAULT.faint()));
        }
        if (!flow.appliedRules().isEmpty()) {
            lines.add(new AttributedString("rules applied: " + String.join(", ", flow.appliedRules()),
                    AttributedStyle.DEFAULT.foreground(AttributedStyle.MAGENTA)));
        }
        flow.replayOf().ifPresent(id -> lines.add(new AttributedString("a replay of flow " + id, AttributedStyle.DEFAULT.faint())));
        for (String note : flow.notes()) {
            lines.add(new AttributedString("note: " + note, AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW)));
        }
        flow.error().ifPresent(e -> lines.add(new AttributedString("error: " + e.message(),
                AttributedStyle.DEFAULT.foreground(AttributedStyle.RED))));
        lines.add(rule("request", width));
        Request request = flow.request();
        lines.add(bold(request.method() + " " + request.target() + " " + request.version()));
        headers(request.headers(), lines);
        body(flow.id() + " request", request.headers(), request.body(), width, hex, lines);
        lines.add(rule("response", width));
        Response response = flow.response().orElse(null);
        if (response == null) {
            lines.add(new AttributedString(flow.isDone() ? "(no response)" : "(waiting for the response)", AttributedStyle.DEFAULT.faint()));
            return lines;
        }
        lines.add(bold(response.version() + " " + response.status() + " " + response.reason()));
        headers(response.headers(), lines);
        Body body = response.body();
        String type = response.headers().first("Content-Type").orElse("");
        if (!hex && EventStream.isEventStream(type) && !body.isEmpty()) {
            events(body, width, lines);
        } else {
            body(Long.toString(flow.id()), response.headers(), body, width, hex, lines);
        }
        if (!flow.isDone() && response.isBodyGrowing()) {
            lines.add(new AttributedString("(still streaming: " + Sizes.human(body.size()) + " so far; follow " + flow.id()
                    + " shows the rest as it comes)", AttributedStyle.DEFAULT.faint()));
        }
        response.trailers().ifPresent(trailers -> {
            lines.add(rule("trailers", width));
            headers(trailers, lines);
        });
        GrpcMessages.status(response.trailers().orElse(response.headers())).ifPresent(status ->
                lines.add(new AttributedString(status, AttributedStyle.BOLD)));
        flow.webSocket().ifPresent(ws -> messages(flow, ws, width, lines));
        return lines;
    }

    /** A WebSocket's messages, one a line, with how many were let go before them. */
    private static void messages(Flow flow, WebSocketMessages ws, int width, List<AttributedString> lines) {
        List<WebSocketMessage> kept = ws.all();
        lines.add(rule("messages (" + ws.total() + (ws.dropped() > 0 ? ", the oldest " + ws.dropped() + " let go" : "") + ")", width));
        if (kept.isEmpty()) {
            lines.add(new AttributedString("(none yet)", AttributedStyle.DEFAULT.faint()));
        }
        for (WebSocketMessage m : kept) {
            lines.add(MessageLines.of(m, width));
        }
        if (!flow.isDone()) {
            lines.add(new AttributedString("(the socket is open: follow " + flow.id() + " shows messages as they come)",
                    AttributedStyle.DEFAULT.faint()));
        }
    }

    /** A text/event-stream body as its events, one a line. */
    private static void events(Body body, int width, List<AttributedString> lines) {
        EventStream stream = EventStream.parse(body.text(java.nio.charset.StandardCharsets.UTF_8));
        lines.add(new AttributedString(""));
        int n = 0;
        for (EventStream.Event event : stream.events()) {
            lines.add(MessageLines.of(event, ++n, width));
        }
        if (!stream.pending().isBlank()) {
            lines.add(new AttributedString("(" + (body.isTruncated() ? "cut at the capture cap" : "an event still arriving")
                    + ": " + MessageLines.oneLine(stream.pending()) + ")", AttributedStyle.DEFAULT.faint()));
        }
    }

    /** "paused (request), 287 s left": where the flow waits, and for how long before it goes on by itself. */
    static String waiting(PausedFlow paused) {
        long left = Math.max(0, Duration.between(Instant.now(), paused.deadline()).toSeconds());
        return "paused (" + (paused.side() == Flow.Side.REQUEST ? "request" : "response") + "), " + left + " s left";
    }

    private static AttributedString rule(String label, int width) {
        int n = Math.max(4, Math.min(width, 100) - label.length() - 4);
        // ASCII rather than box drawing: terminals and multiplexers that map line characters to their alternate
        // character set show them as letters when copied.
        return new AttributedString("--- " + label + " " + "-".repeat(n), AttributedStyle.BOLD.foreground(AttributedStyle.BLUE));
    }

    private static AttributedString bold(String text) {
        return new AttributedString(text, AttributedStyle.BOLD);
    }

    private static void headers(Headers headers, List<AttributedString> lines) {
        for (int i = 0; i < headers.size(); i++) {
            AttributedStringBuilder sb = new AttributedStringBuilder();
            sb.append(headers.name(i), AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN)).append(": ").append(headers.value(i));
            lines.add(sb.toAttributedString());
        }
    }

    /** {@code which}: the flow's number, and "request" for its request, as {@code save body} takes them. */
    private static void body(String which, Headers headers, Body body, int width, boolean hex, List<AttributedString> lines) {
        if (body.size() == 0) {
            return;
        }
        lines.add(new AttributedString(""));
        BodyView view = BodyView.of(headers, body);
        for (String line : hex ? view.hexLines(width) : view.lines(width)) {
            lines.add(new AttributedString(line));
        }
        if (!hex && view.kind() == BodyView.Kind.BINARY) {
            String id = which.split(" ")[0];
            lines.add(new AttributedString("(show " + id + " --hex shows its bytes; save body " + which + " FILE writes it to a file)",
                    AttributedStyle.DEFAULT.faint()));
        }
        for (String note : view.notes()) {
            lines.add(new AttributedString("(" + note + ")", AttributedStyle.DEFAULT.faint()));
        }
    }
}
