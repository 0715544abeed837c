package dev.wiretap.cli.console;

import dev.wiretap.cli.Plural;
import dev.wiretap.cli.Sizes;
import dev.wiretap.config.file.Values;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.addon.InterceptAddon;
import dev.wiretap.proxy.addon.PausedFlow;
import dev.wiretap.proxy.edit.EditedRequest;
import dev.wiretap.proxy.edit.EditedResponse;
import dev.wiretap.proxy.edit.HttpMessageText;
import dev.wiretap.proxy.edit.MessageTextException;
import dev.wiretap.proxy.flow.Flow;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jline.utils.AttributedStringBuilder;

/**
 * The commands that change traffic: {@code intercept} (pause matching requests, and responses with {@code -r}),
 * {@code edit}, {@code resume}, {@code drop} and {@code replay}. Run on the console's thread; the paused flows' own
 * threads wait in the engine meanwhile.
 */
final class InterceptCommands {

    /** Asks the user a question on the prompt line; the answer, or empty on Ctrl-C or Ctrl-D. */
    @FunctionalInterface
    interface Question {
        Optional<String> ask(String prompt);
    }

    private final Wiretap wiretap;
    private final ViewCommands view;
    private final Screen screen;
    private final ExternalEditor editor;
    private final Question question;

    InterceptCommands(Wiretap wiretap, ViewCommands view, Screen screen, ExternalEditor editor, Question question) {
        this.wiretap = wiretap;
        this.view = view;
        this.screen = screen;
        this.editor = editor;
        this.question = question;
    }

    void addTo(CommandTable table) {
        table.add(new ConsoleCommand("intercept", List.of("i"), "intercept [-r] [EXPR|off]", "pause matching requests (-r: responses too)",
                """
                intercept EXPR pauses every request the filter matches before it goes to the origin; with -r, matching
                responses are paused too, before they reach the client. Paused flows wait in a queue (marked ⏸ in the
                list) while other traffic goes on: edit N changes one, resume N|all sends it on, drop N cuts it off.
                A flow nobody decides on goes on by itself after timeouts.intercept (default 5m), with a note.
                intercept alone shows the filter and the queue; intercept off stops pausing (paused flows stay paused).
                The filter decides at the message's head, before its body: body terms see only what flowed by then.
                  intercept method:POST host:api.example.com
                  intercept -r path:/login
                """, ConsoleCommand.Argument.FILTER, this::intercept));
        table.add(new ConsoleCommand("edit", List.of("e"), "edit N", "change a paused message in $EDITOR",
                """
                Opens paused flow N's message (the request, or the response if it is paused there) in $VISUAL or
                $EDITOR (else vi) as HTTP text: start line, fields, a blank line, the body. On save it is checked;
                a mistake is shown with its line, and edit again? [Y/n] asks whether to reopen it (y or Enter: yes,
                n: give up; any other answer asks again). Content-Length follows the body. The flow
                stays paused: resume N sends it on. Bodies larger than the capture cap cannot be edited (the head can).
                A compressed body (gzip, deflate, br, zstd) opens decoded, and on save is compressed again with the
                codings its Content-Encoding line names; delete that line (or write identity) to send it as written.
                """, ConsoleCommand.Argument.FLOW, this::edit));
        table.add(new ConsoleCommand("resume", List.of("r"), "resume N|all", "send paused flows on",
                "Lets paused flow N (or every paused flow) go on, with any edits made.", ConsoleCommand.Argument.FLOW, this::resume));
        table.add(new ConsoleCommand("drop", List.of("d"), "drop N", "cut a paused flow off",
                "Drops paused flow N: its client connection is closed without a response, as mitmproxy's kill does.",
                ConsoleCommand.Argument.FLOW, this::drop));
        table.add(new ConsoleCommand("replay", List.of(), "replay [-e] N", "send a request again as a new flow (-e: edit first)",
                """
                Sends flow N's request again, through the same rules and upstream connections (https included), as a
                new flow that the list shows when it finishes. With -e the request opens in $EDITOR first. A request
                whose body was cut off by the capture cap cannot be sent again faithfully, unless you edit a body in.
                """, ConsoleCommand.Argument.FLOW, this::replay));
    }

    private InterceptAddon addon() {
        return wiretap.intercept();
    }

    private void intercept(String argument) throws CommandException {
        if (argument.isEmpty()) {
            showQueue();
            return;
        }
        if (argument.equals("off")) {
            addon().clearFilter();
            screen.notice("intercept off" + (addon().paused().isEmpty() ? "" : "; " + Plural.count(addon().paused().size(), "flow")
                    + " still paused (resume all)"));
            return;
        }
        boolean responses = false;
        String expression = argument;
        if (expression.startsWith("-r ") || expression.equals("-r")) {
            responses = true;
            expression = expression.substring(2).strip();
        }
        if (expression.isEmpty()) {
            throw new CommandException("intercept -r needs a filter, e.g. intercept -r host:example.com");
        }
        Filter filter;
        try {
            filter = Filter.parse(expression);
        } catch (FilterException e) {
            throw new CommandException(ViewCommands.pointAt(expression, e));
        }
        addon().setFilter(filter, responses);
        screen.notice("intercepting " + (responses ? "requests and responses" : "requests") + " matching " + filter
                + "; paused flows go on by themselves after " + Values.formatDuration(addon().timeout())
                + "; at most " + addon().maxPaused() + " wait at once, holding at most "
                + Sizes.human(addon().maxPausedBytes()) + " of bodies");
    }

    private void showQueue() {
        String what = addon().filter().map(f -> "intercepting " + (addon().interceptsResponses() ? "requests and responses" : "requests")
                + " matching " + f).orElse("intercept is off");
        screen.println(what);
        if (addon().unpausedCount() > 0) {
            screen.notice(Plural.count(addon().unpausedCount(), "matching flow") + " went on without pausing; the last as "
                    + addon().lastUnpausedReason().orElse("a limit was reached"));
        }
        List<PausedFlow> paused = addon().paused();
        if (paused.isEmpty()) {
            screen.notice("no flows paused");
            return;
        }
        for (PausedFlow p : paused) {
            long left = Math.max(0, Duration.between(Instant.now(), p.deadline()).toSeconds());
            screen.println(new AttributedStringBuilder()
                    .append(FlowRow.of(p.flow(), FlowRow.State.PAUSED).render(screen.width() - 28).getFirst())
                    .append("  at the " + side(p) + (p.edited() ? ", edited" : "") + ", " + left + " s left")
                    .toAttributedString());
        }
    }

    private void edit(String argument) throws CommandException {
        PausedFlow paused = pausedFlow(argument);
        HttpMessageText text = wiretap.messageText();
        Flow flow = paused.flow();
        boolean request = paused.side() == Flow.Side.REQUEST;
        String original = request ? text.request(flow.request(), paused.bodyEditable())
                : text.response(flow.response().orElseThrow(), paused.bodyEditable());
        Optional<String> edited = editUntilValid(original, request ? text::parseRequest : text::parseResponse);
        if (edited.isEmpty()) {
            return;
        }
        try {
            if (request) {
                addon().replaceRequest(flow.id(), text.parseRequest(edited.get()));
            } else {
                addon().replaceResponse(flow.id(), text.parseResponse(edited.get()));
            }
        } catch (MessageTextException | IllegalArgumentException | IllegalStateException e) {
            throw new CommandException("flow " + flow.id() + " not changed: " + e.getMessage());
        }
        screen.notice("flow " + flow.id() + "'s " + side(paused) + " edited; resume " + flow.id() + " sends it on");
    }

    /** Something that reads edited text back, or says what is wrong with it. */
    @FunctionalInterface
    private interface Check {
        Object parse(String text) throws MessageTextException;
    }

    /**
     * Opens the editor until the text reads back or the user gives up; empty when nothing is to change (unchanged,
     * given up, or the editor failed, each said on the screen).
     */
    private Optional<String> editUntilValid(String original, Check check) throws CommandException {
        String current = original;
        while (true) {
            Optional<String> saved;
            try {
                saved = editor.edit(current, ".http");
            } catch (IOException e) {
                throw new CommandException("could not run the editor '" + editor.describe() + "': " + e.getMessage()
                        + " (set $EDITOR)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            if (saved.isEmpty()) {
                screen.error("the editor '" + editor.describe() + "' failed; nothing changed");
                return Optional.empty();
            }
            if (saved.get().equals(original)) {
                screen.notice("no changes");
                return Optional.empty();
            }
            try {
                check.parse(saved.get());
                return saved;
            } catch (MessageTextException e) {
                screen.error(e.getMessage());
                if (!wantsToEditAgain()) {
                    screen.notice("nothing changed");
                    return Optional.empty();
                }
                current = saved.get();
            }
        }
    }

    /**
     * Asks whether to edit again: y, yes or Enter is yes; n or no (or Ctrl-C, Ctrl-D) is no; anything else, such as
     * a command typed there by mistake, asks again rather than being taken for either.
     */
    private boolean wantsToEditAgain() {
        while (true) {
            Optional<String> answer = question.ask("edit again? [Y/n] ");
            if (answer.isEmpty()) {
                return false;
            }
            switch (answer.get().strip().toLowerCase(java.util.Locale.ROOT)) {
                case "", "y", "yes" -> {
                    return true;
                }
                case "n", "no" -> {
                    return false;
                }
                default -> screen.notice("answer y or n (Enter is y)");
            }
        }
    }

    private void resume(String argument) throws CommandException {
        if (argument.equals("all")) {
            int n = addon().resumeAll();
            screen.notice(n == 0 ? "no flows paused" : "resumed " + Plural.count(n, "flow"));
            return;
        }
        PausedFlow paused = pausedFlow(argument);
        if (addon().resume(paused.flow().id())) {
            screen.notice("flow " + paused.flow().id() + " resumed");
        } else {
            throw new CommandException("flow " + paused.flow().id() + " went on already");
        }
    }

    private void drop(String argument) throws CommandException {
        PausedFlow paused = pausedFlow(argument);
        if (addon().drop(paused.flow().id())) {
            screen.notice("flow " + paused.flow().id() + " dropped");
        } else {
            throw new CommandException("flow " + paused.flow().id() + " went on already");
        }
    }

    private void replay(String argument) throws CommandException {
        boolean editFirst = false;
        String which = argument;
        if (which.startsWith("-e ")) {
            editFirst = true;
            which = which.substring(3).strip();
        }
        Flow original = view.flow(which);
        Optional<EditedRequest> edit = Optional.empty();
        if (editFirst) {
            HttpMessageText text = wiretap.messageText();
            Optional<String> edited = editUntilValid(text.request(original.request(), !original.request().body().isTruncated()),
                    text::parseRequest);
            if (edited.isEmpty()) {
                return;
            }
            try {
                edit = Optional.of(text.parseRequest(edited.get()));
            } catch (MessageTextException e) {
                throw new CommandException(e.getMessage());
            }
        }
        try {
            wiretap.replay(original, edit).whenComplete((flow, failure) -> {
                if (failure != null) {
                    screen.error("replay of flow " + original.id() + " failed: " + failure.getMessage());
                } else {
                    screen.notice("replay of flow " + original.id() + " is flow " + flow.id() + ": "
                            + flow.response().map(r -> Integer.toString(r.status())).orElse(flow.error().map(e -> e.message()).orElse("no response")));
                }
            });
        } catch (IllegalArgumentException e) {
            throw new CommandException("cannot replay flow " + original.id() + ": " + e.getMessage());
        }
        screen.notice("replaying flow " + original.id() + (edit.isPresent() ? " (edited)" : "") + " ...");
    }

    private PausedFlow pausedFlow(String argument) throws CommandException {
        long id = ViewCommands.flowNumber(argument, "expected the number of a paused flow");
        return addon().paused(id).orElseThrow(() -> new CommandException("flow " + id + " is not paused"
                + (addon().paused().isEmpty() ? " (none is: intercept EXPR pauses flows)"
                        : "; paused: " + addon().paused().stream().map(p -> Long.toString(p.flow().id())).toList())));
    }

    private static String side(PausedFlow p) {
        return p.side() == Flow.Side.REQUEST ? "request" : "response";
    }

}
