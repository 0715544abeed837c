package dev.wiretap.cli.console;

import dev.wiretap.cli.Sizes;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.content.EventStream;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.WebSocketMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.NonBlockingReader;

/**
 * {@code follow N}: watches a flow in flight grow, as {@code tail -f} does a file: a WebSocket's messages as they come,
 * a text/event-stream response's events, any other streaming body's text. It reads the live flow from the flow store
 * every {@value #POLL_MILLIS} ms on the console's thread (the proxy is never held up), prints what is new above the
 * prompt, and stops when the flow ends or a key is pressed (Ctrl-C too).
 */
final class FollowCommand {

    static final long POLL_MILLIS = 100;

    private final Wiretap wiretap;
    private final ViewCommands view;
    private final Screen screen;
    private final Terminal terminal;

    FollowCommand(Wiretap wiretap, ViewCommands view, Screen screen, Terminal terminal) {
        this.wiretap = wiretap;
        this.view = view;
        this.screen = screen;
        this.terminal = terminal;
    }

    void addTo(CommandTable table) {
        table.add(new ConsoleCommand("follow", List.of("fo"), "follow [N]", "watch a flow grow: WebSocket messages, events, a body",
                """
                Follows flow N (default: the newest) while it is in flight: a WebSocket's messages one a line as they
                come (→ client to server, ← server to client; text, binary as hex, ping, pong, close with its code),
                a text/event-stream response's events, or any other streaming body's text. Stops when the flow ends, or
                at any key (Ctrl-C too); show N shows the whole flow at any time.
                  follow 12
                """, ConsoleCommand.Argument.FLOW, this::follow));
    }

    /** What has been printed of the flow so far. */
    private static final class Shown {
        long nextMessage;
        int events;
        long bodyBytes;
    }

    private void follow(String argument) throws CommandException {
        Flow flow = argument.isEmpty() ? view.recent(1).stream().findFirst().orElseThrow(() -> new CommandException("no flows yet"))
                : view.flow(argument);
        long id = flow.id();
        screen.notice("following flow " + id + " " + flow.request().url() + (flow.isDone() ? " (it has ended)" : "; any key stops"));
        Shown shown = new Shown();
        flow.webSocket().ifPresent(ws -> {
            int room = Math.max(5, screen.height() - 6);
            List<WebSocketMessage> kept = ws.all();
            if (kept.size() > room) {
                screen.println(new AttributedString("(" + (kept.size() - room) + " earlier messages: show " + id + " lists them)",
                        AttributedStyle.DEFAULT.faint()));
                shown.nextMessage = kept.get(kept.size() - room).index();
            }
        });
        Attributes saved = terminal.enterRawMode();
        boolean[] interrupted = {false};
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> interrupted[0] = true);
        try {
            NonBlockingReader keys = terminal.reader();
            while (true) {
                printNews(flow, shown);
                if (flow.isDone()) {
                    screen.notice("flow " + id + " ended" + flow.error().map(e -> ": " + e.message()).orElse(""));
                    return;
                }
                int key = keys.read(POLL_MILLIS);
                if (key != NonBlockingReader.READ_EXPIRED || interrupted[0]) {
                    screen.notice("stopped following flow " + id);
                    return;
                }
                flow = wiretap.history().get(id).orElse(null);
                if (flow == null) {
                    screen.notice("flow " + id + " is no longer held");
                    return;
                }
            }
        } catch (IOException e) {
            screen.notice("stopped following flow " + id + ": " + e.getMessage());
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            terminal.setAttributes(saved);
        }
    }

    private void printNews(Flow flow, Shown shown) {
        int width = screen.width();
        if (flow.webSocket().isPresent()) {
            for (WebSocketMessage m : flow.webSocket().get().from(shown.nextMessage)) {
                screen.println(MessageLines.of(m, width));
                shown.nextMessage = m.index() + 1;
            }
            return;
        }
        Response response = flow.response().orElse(null);
        if (response == null) {
            return;
        }
        Body body = response.body();
        if (EventStream.isEventStream(response.headers().first("Content-Type").orElse(""))) {
            List<EventStream.Event> events = EventStream.parse(body.text(StandardCharsets.UTF_8)).events();
            for (int i = shown.events; i < events.size(); i++) {
                screen.println(MessageLines.of(events.get(i), i + 1, width));
            }
            shown.events = events.size();
        } else if (body.capturedLength() > shown.bodyBytes) {
            byte[] bytes = body.bytes();
            String text = new String(bytes, (int) shown.bodyBytes, bytes.length - (int) shown.bodyBytes, StandardCharsets.UTF_8);
            for (String line : text.split("\n", -1)) {
                if (!line.isEmpty()) {
                    screen.println(line.length() > width ? line.substring(0, width) : line);
                }
            }
            shown.bodyBytes = bytes.length;
        }
        if (body.isTruncated() && shown.bodyBytes >= 0 && flow.isDone()) {
            screen.notice("(" + Sizes.human(body.size()) + " in all; cut at the capture cap)");
        }
    }
}
