package dev.wiretap.cli.console;

import dev.wiretap.cli.Plural;
import dev.wiretap.cli.Sizes;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.event.FlowHistory;
import dev.wiretap.proxy.flow.Flow;
import java.util.ArrayList;
import java.util.List;
import org.jline.utils.AttributedString;

/**
 * The commands that look at flows: {@code list}, {@code show}, {@code filter}, {@code clear} and {@code stats}.
 * Run on the console's thread.
 */
final class ViewCommands {

    private final Wiretap wiretap;
    private final FlowFeed feed;
    private final Screen screen;
    private final Runnable clearScreen;

    ViewCommands(Wiretap wiretap, FlowFeed feed, Screen screen, Runnable clearScreen) {
        this.wiretap = wiretap;
        this.feed = feed;
        this.screen = screen;
        this.clearScreen = clearScreen;
    }

    void addTo(CommandTable table) {
        table.add(new ConsoleCommand("list", List.of("l", "ls"), "list [N]", "the last N flows in the view (default: a screenful)",
                """
                Lists the newest flows that pass the view's filter, with the ones still in flight (…) and paused (⏸).
                The live list above the prompt shows flows as they finish; list is the way back to older ones.
                """, ConsoleCommand.Argument.NONE, this::list));
        table.add(new ConsoleCommand("show", List.of("s"), "show [N] [--hex]", "a flow's request and response (default: the newest)",
                """
                Shows flow N: its URL, timing (or, paused, where it waits: paused (request), 287 s left), the TLS
                with the client and with the origin (version, cipher suite, SNI), the rules that changed it and any
                error; then the request and the response
                as they went over the wire (start line, fields in wire order), with bodies decoded (gzip, deflate, br,
                zstd) and JSON pretty-printed. A binary body shows as one line saying what it is: its type, its size and,
                for an image (PNG, JPEG, GIF, WebP, BMP), its width and height in pixels. --hex shows every body as a hex
                dump of its bytes instead (decoded); save body N FILE writes one to a file. A text/event-stream body
                shows as its events, one a line; a WebSocket's messages follow the response, one a line (→ client to
                server, ← server to client). A flow in flight shows what has come so far (follow N watches it grow).
                Long output opens in a pager: Space and b page, /text searches, q returns.
                  show 12 --hex
                """, ConsoleCommand.Argument.FLOW, this::show));
        table.add(new ConsoleCommand("filter", List.of("f"), "filter [EXPR]", "show only matching flows; no EXPR: all",
                """
                Narrows the live list, list, export and Tab completion to the flows the expression matches. Without an
                expression, shows everything again. The language is the one the config's rules use:
                  host:api.example.com method:POST status:5xx
                  !type:image & (path:/v2/* | header:X-Debug)
                Terms: host path url method status header reqheader resheader type body reqbody resbody;
                ! not, & or a space: and, | or, parentheses; patterns are globs or /regex/.
                Body terms see bodies decoded as show shows them (gzip, deflate, br, zstd; the first 16 MiB of each), so
                resbody:needle finds a gzip JSON holding needle. The filter is echoed as you typed it.
                """, ConsoleCommand.Argument.FILTER, this::filter));
        table.add(new ConsoleCommand("clear", List.of("cls"), "clear [flows]", "clear the screen (also Ctrl-L); flows: forget them",
                """
                clear (or cls, or Ctrl-L) clears the screen; the recorded flows stay (list shows them again).
                clear flows forgets every finished flow (flows in flight stay) and says how many went.
                """, ConsoleCommand.Argument.NONE, this::clear));
        table.add(new ConsoleCommand("stats", List.of(), "stats", "flows, bytes, memory and connections on each side",
                "Counts since start: flows, bytes each way, client connections accepted and open, upstream connections\n"
                        + "opened, reused and idle, and the memory the recorded flows take against their budget.",
                ConsoleCommand.Argument.NONE, a -> stats()));
    }

    /** The newest flows that the view shows. */
    List<Flow> recent(int max) {
        return wiretap.history().recent(max, feed::isShown);
    }

    private void list(String argument) throws CommandException {
        int n = argument.isEmpty() ? Math.max(5, screen.height() - 3) : positive(argument, "list takes a number of flows");
        List<Flow> flows = recent(n);
        if (flows.isEmpty()) {
            screen.notice(feed.view() == Filter.ALL ? "no flows yet" : "no flows match the filter " + feed.view());
            return;
        }
        List<AttributedString> lines = new ArrayList<>(flows.size());
        for (Flow flow : flows) {
            lines.addAll(FlowRow.of(flow).render(screen.width()));
        }
        screen.print(lines);
    }

    private void show(String argument) throws CommandException {
        boolean hex = false;
        String which = "";
        for (String word : argument.split("\\s+")) {
            if (word.equals("--hex")) {
                hex = true;
            } else if (!word.isEmpty() && which.isEmpty()) {
                which = word;
            } else if (!word.isEmpty()) {
                throw new CommandException("usage: show [N] [--hex], not 'show " + argument + "'");
            }
        }
        Flow flow = which.isEmpty() ? recent(1).stream().findFirst().orElseThrow(() -> new CommandException("no flows yet"))
                : flow(which);
        screen.page(FlowDetail.render(flow, wiretap.intercept().paused(flow.id()), screen.width(), hex));
    }

    /** The flow numbered {@code argument}, or an error saying why there is none. */
    Flow flow(String argument) throws CommandException {
        long id = flowNumber(argument, "expected a flow number, e.g. show 12");
        return wiretap.history().get(id).orElseThrow(() -> new CommandException(
                "no flow " + id + (id <= wiretap.stats().flows() ? " (dropped: older flows make room for new ones)" : " yet")));
    }

    private void filter(String argument) throws CommandException {
        if (argument.isEmpty()) {
            feed.setView(Filter.ALL);
            screen.notice("filter cleared: showing every flow");
            return;
        }
        Filter filter;
        try {
            filter = Filter.parse(argument);
        } catch (FilterException e) {
            throw new CommandException(pointAt(argument, e));
        }
        feed.setView(filter);
        List<Flow> flows = recent(Math.max(5, screen.height() - 4));
        screen.notice("filter " + filter + ": " + (flows.isEmpty() ? "no recorded flow matches yet" : "the newest matching flows:"));
        List<AttributedString> lines = new ArrayList<>(flows.size());
        for (Flow flow : flows) {
            lines.addAll(FlowRow.of(flow).render(screen.width()));
        }
        if (!lines.isEmpty()) {
            screen.print(lines);
        }
    }

    /** The expression with a caret under the fault's column, then the reason. */
    static String pointAt(String expression, FilterException e) {
        return "filter: " + expression + "\n        " + e.caretUnder(expression) + " " + e.getMessage();
    }

    private void clear(String argument) throws CommandException {
        switch (argument) {
            case "" -> clearScreen.run();
            case "flows" -> {
                int forgotten = wiretap.clearFlows();
                int inFlight = feed.inFlight();
                screen.notice("forgot " + Plural.count(forgotten, "recorded flow")
                        + (inFlight == 0 ? "" : inFlight == 1 ? "; the 1 in flight stays" : "; the " + inFlight + " in flight stay"));
            }
            default -> throw new CommandException("clear takes nothing (clears the screen) or flows (forgets the recorded"
                    + " flows), not '" + argument + "'");
        }
    }

    private void stats() {
        ConnectionStats s = wiretap.stats();
        FlowHistory store = wiretap.history();
        List<String> lines = List.of(
                "flows         " + s.flows() + " seen, " + store.size() + " kept, " + store.evictedCount() + " dropped for room, "
                        + feed.inFlight() + " in flight",
                "bytes         " + Sizes.human(feed.bytesFromClients()) + " from clients, " + Sizes.human(feed.bytesToClients()) + " to clients",
                "clients       " + Plural.count(s.clientAccepted(), "connection") + " accepted, " + s.clientOpen() + " open (at most "
                        + s.clientMax() + ")" + (s.clientRefused() > 0 ? ", " + s.clientRefused() + " refused (not in clients.allow)" : ""),
                "upstream      " + Plural.count(s.upstreamOpened(), "connection") + " opened, " + Plural.count(s.upstreamReused(), "reuse")
                        + ", " + s.upstreamIdle() + " idle",
                "memory        " + Sizes.human(store.usedBytes()) + " of a " + Sizes.human(store.budgetBytes()) + " budget for recorded flows, "
                        + Sizes.human(s.captureInFlight()) + " of " + Sizes.human(s.captureBudget()) + " for bodies in flight; heap "
                        + Sizes.human(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) + " used");
        lines.forEach(screen::println);
    }

    /** A flow's number as typed: {@code 12} or {@code #12}. */
    static long flowNumber(String argument, String what) throws CommandException {
        return positive(argument.startsWith("#") ? argument.substring(1) : argument, what);
    }

    static int positive(String text, String what) throws CommandException {
        try {
            int n = Integer.parseInt(text.strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new CommandException(what + ", not '" + text + "'");
    }
}
