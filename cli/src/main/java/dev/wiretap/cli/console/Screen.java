package dev.wiretap.cli.console;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import dev.wiretap.cli.view.TerminalText;
import java.util.List;
import org.jline.builtins.Less;
import org.jline.builtins.Source;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

/**
 * Where the console writes: above the prompt (through JLine, so the line being typed is redrawn below), and long
 * texts through a pager. Output of commands and of the live flow list goes through here, so the two never interleave
 * within a line; and every line is made inert here ({@link TerminalText#inert}): whatever a client, an origin or a
 * loaded file put in a flow, it reaches the terminal as visible text, never as a control sequence. Only wiretap's own
 * styles become escape sequences ({@link #ansi}). Used from the console's thread and the feed's; JLine's reader lock
 * orders them.
 */
final class Screen {

    private final Terminal terminal;
    private final LineReader reader;
    private final FlowFeed feed;
    /** Orders our writes above the prompt (the feed's thread, the console's, a replay's completion). */
    private final java.util.concurrent.locks.ReentrantLock output = new java.util.concurrent.locks.ReentrantLock();

    Screen(Terminal terminal, LineReader reader, FlowFeed feed) {
        this.terminal = terminal;
        this.reader = reader;
        this.feed = feed;
    }

    /** Columns to fit rows to: the terminal's, or 120 where it does not say (a pipe, a dumb terminal). */
    int width() {
        int w = terminal.getWidth();
        return w <= 0 ? 120 : w;
    }

    int height() {
        int h = terminal.getHeight();
        return h <= 0 ? 40 : h;
    }

    boolean isDumb() {
        return Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
    }

    /** Prints plain text (line feeds kept), with every character a terminal would act on made visible. */
    void println(String text) {
        above(TerminalText.visibleLines(text));
    }

    void println(AttributedString text) {
        above(ansi(text));
    }

    /** {@code line} as this terminal's escape sequences for its styles, its text made inert first. */
    String ansi(AttributedString line) {
        return TerminalText.inert(line).toAnsi(terminal);
    }

    void error(String text) {
        println(new AttributedString(text, AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)));
    }

    void notice(String text) {
        println(new AttributedString(text, AttributedStyle.DEFAULT.faint()));
    }

    /** Prints above the prompt (JLine redraws the line being typed below it); {@code text} is made inert already. */
    private void above(String text) {
        output.lock();
        try {
            reader.printAbove(text);
        } finally {
            output.unlock();
        }
    }

    /** Prints {@code lines} in one piece, each cut to the terminal's width. */
    void print(List<AttributedString> lines) {
        int width = width();
        StringBuilder sb = new StringBuilder(lines.size() * 64);
        for (AttributedString given : lines) {
            AttributedString line = TerminalText.inert(given);
            AttributedString cut = line.columnLength() > width ? line.columnSubSequence(0, width - 1) : line;
            sb.append(cut.toAnsi(terminal)).append(cut == line ? "" : dim("›")).append('\n');
        }
        above(sb.toString());
    }

    /** Prints {@code lines} in one piece as they are (rows already fitted to the width). */
    void printAsIs(List<AttributedString> lines) {
        StringBuilder sb = new StringBuilder(lines.size() * 96);
        for (AttributedString line : lines) {
            sb.append(ansi(line)).append('\n');
        }
        above(sb.toString());
    }

    private String dim(String text) {
        return new AttributedString(text, AttributedStyle.DEFAULT.faint()).toAnsi(terminal);
    }

    /**
     * Shows {@code lines}: printed when they fit on the screen (or the terminal cannot page), else in a pager
     * ({@code less} keys: Space, b, /search, q to return) with long lines cut at the edge. The live list is held
     * while the pager runs and catches up after.
     */
    void page(List<AttributedString> lines) {
        if (isDumb() || lines.size() < height() - 2) {
            print(lines);
            return;
        }
        StringBuilder sb = new StringBuilder(lines.size() * 64);
        for (AttributedString line : lines) {
            sb.append(ansi(line)).append('\n');
        }
        feed.hold();
        try {
            Less less = new Less(terminal, Path.of("."));
            less.chopLongLines = true;
            less.quitIfOneScreen = true;
            less.run(new Source.InputStreamSource(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)), true, "flow"));
        } catch (IOException e) {
            print(lines);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            feed.release();
        }
    }
}
