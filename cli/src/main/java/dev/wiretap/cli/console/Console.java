package dev.wiretap.cli.console;

import dev.wiretap.cli.view.TerminalText;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.Wiretap;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp;

/**
 * The interactive console: the live flow list scrolls above a prompt where the user types commands ({@code help}
 * lists them), with line editing, history (kept in the config directory) and Tab completion of commands, flow numbers
 * and filter terms from JLine. {@link #run} owns the calling thread until the user
 * quits ({@code quit}, Ctrl-D, or Ctrl-C twice on an empty line); the proxy keeps running on its own threads
 * throughout, and the console never blocks them (see {@link FlowFeed}).
 */
public final class Console {

    private final Terminal terminal;
    private final Wiretap wiretap;
    private final LineReader reader;
    private final FlowFeed feed;
    private final Screen screen;
    private final CommandTable commands;
    /** Set once in the constructor, after the command table whose completion reads it. */
    private ViewCommands view;
    private final String address;
    private volatile String webUi = "";
    private volatile boolean quit;

    /**
     * @param feed        the live list's feed, one of the listeners {@code wiretap} was started with (so that it has
     *                    seen every flow since the proxy began to listen)
     * @param configFile  the config file wiretap started with and watches, if any ({@code mock --write} adds to it)
     * @param historyFile where typed commands are kept between runs, or empty for none
     * @param address     where wiretap listens (the console's greeting says so)
     */
    public Console(Terminal terminal, Wiretap wiretap, FlowFeed feed, Optional<Path> configFile, Optional<Path> historyFile,
                   String address) {
        this(terminal, wiretap, feed, configFile, historyFile, address, ExternalEditor.fromEnvironment(System.getenv()), true);
    }

    /**
     * @param editor       the command that edits a message (the file's path is added), e.g. {@code vi}
     * @param editorIsTerminal whether the editor works on the terminal (else a script that edits the file alone)
     */
    Console(Terminal terminal, Wiretap wiretap, FlowFeed feed, Optional<Path> configFile, Optional<Path> historyFile,
            String address, List<String> editor, boolean editorIsTerminal) {
        this.terminal = terminal;
        this.wiretap = wiretap;
        this.address = address;
        this.feed = feed;
        this.commands = new CommandTable(max -> view.recent(max).stream().map(f -> f.id()).toList().reversed());
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("wiretap").completer(commands)
                .variable(LineReader.HISTORY_SIZE, 2000).variable(LineReader.HISTORY_FILE_SIZE, 2000)
                .option(LineReader.Option.AUTO_FRESH_LINE, true).option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true); // '!' is the filter's "not"
        historyFile.ifPresent(f -> builder.variable(LineReader.HISTORY_FILE, f));
        this.reader = builder.build();
        this.screen = new Screen(terminal, reader, feed);
        this.view = new ViewCommands(wiretap, feed, screen, this::clearScreen);
        view.addTo(commands);
        new ExportCommands(wiretap, view, feed, screen).addTo(commands);
        new MockCommands(wiretap, view, screen, configFile).addTo(commands);
        new InterceptCommands(wiretap, view, screen, new ExternalEditor(terminal, editor, editorIsTerminal), this::ask).addTo(commands);
        new FollowCommand(wiretap, view, screen, terminal).addTo(commands);
        addOwnCommands();
    }

    /** The command table, for the other command groups to add to. */
    CommandTable commands() {
        return commands;
    }

    Screen screen() {
        return screen;
    }

    FlowFeed feed() {
        return feed;
    }

    private void addOwnCommands() {
        commands.add(new ConsoleCommand("help", List.of("h", "?"), "help [COMMAND]", "this list, or more on one command",
                "Lists the commands, or explains one. Tab completes commands, flow numbers and filter terms;\n"
                        + "Up and Down walk the history, Ctrl-R searches it; Ctrl-L clears the screen.",
                ConsoleCommand.Argument.COMMAND, this::help));
        commands.add(new ConsoleCommand("quit", List.of("q", "exit"), "quit", "stop wiretap and leave",
                "Stops the proxy gracefully (exchanges in flight get a moment to finish) and leaves the console.\n"
                        + "Ctrl-D does the same, as does Ctrl-C twice on an empty line.",
                ConsoleCommand.Argument.NONE, a -> quit = true));
    }

    /** A question's answer from the prompt line, kept out of the history (it is no command). */
    private Optional<String> ask(String prompt) {
        reader.variable(LineReader.DISABLE_HISTORY, true);
        try {
            return Optional.of(reader.readLine(prompt));
        } catch (UserInterruptException | EndOfFileException e) {
            return Optional.empty();
        } finally {
            reader.variable(LineReader.DISABLE_HISTORY, false);
        }
    }

    private void help(String argument) throws CommandException {
        String text = argument.isEmpty() ? commands.overview() : commands.help(argument);
        for (String line : text.split("\n", -1)) {
            screen.println(line);
        }
    }

    /** The web UI's address with its token, for the greeting to name (set before {@link #run}). */
    public void setWebUi(String url) {
        this.webUi = url;
    }

    /** Prints a line of news above the prompt; from any thread. */
    public void notice(String text) {
        screen.notice(text);
    }

    /** Prints a line of trouble above the prompt; from any thread. */
    public void error(String text) {
        screen.error(text);
    }

    /** Reads and runs commands until the user quits. Returns normally; the caller stops wiretap. */
    public void run() {
        feed.watch(wiretap.intercept());
        feed.start(this::printRows, wiretap.history()::get);
        screen.notice("wiretap console on " + address + ": flows appear here as they finish. Type help for the commands, quit to leave.");
        if (!webUi.isEmpty()) {
            screen.notice("web UI: " + webUi);
        }
        boolean interruptedOnce = false;
        try {
            while (!quit) {
                String line;
                try {
                    line = reader.readLine(prompt());
                    interruptedOnce = false;
                } catch (UserInterruptException e) {
                    if (e.getPartialLine() == null || e.getPartialLine().isEmpty()) {
                        if (interruptedOnce) {
                            break;
                        }
                        interruptedOnce = true;
                        screen.notice("(Ctrl-C again, quit or Ctrl-D to stop wiretap)");
                    }
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                runLine(line);
            }
        } finally {
            close();
        }
    }

    /** Runs one command line, showing an error in its place when it fails. */
    void runLine(String line) {
        try {
            commands.dispatch(line);
        } catch (CommandException e) {
            screen.error(e.getMessage());
        } catch (RuntimeException e) {
            screen.error("wiretap: that command failed: " + e); // our bug: say so, keep the console alive
        }
    }

    private String prompt() {
        Filter view = feed.view();
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.append("wiretap", AttributedStyle.BOLD.foreground(AttributedStyle.BLUE));
        if (view != Filter.ALL) {
            sb.append(" [" + view + "]", AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW));
        }
        sb.append("> ");
        return TerminalText.inert(sb.toAttributedString()).toAnsi(terminal);
    }

    private void printRows(List<FlowRow> rows) {
        int width = screen.width();
        List<AttributedString> lines = new java.util.ArrayList<>(rows.size());
        for (FlowRow row : rows) {
            if (row.isText()) {
                lines.add(new AttributedString(row.path(), AttributedStyle.DEFAULT.faint()));
            } else {
                lines.addAll(row.render(width));
            }
        }
        screen.printAsIs(lines);
    }

    /** Clears the screen (the prompt comes back at its top); from a command, where Ctrl-L's widget cannot run. */
    private void clearScreen() {
        terminal.puts(InfoCmp.Capability.clear_screen);
        terminal.flush();
    }

    private void close() {
        feed.stop();
        wiretap.events().remove(feed);
    }
}
