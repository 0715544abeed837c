package dev.wiretap.cli;

import dev.wiretap.cli.console.Console;
import dev.wiretap.cli.console.FlowFeed;
import dev.wiretap.proxy.Wiretap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Runs the console on the process's terminal: opens it with JLine, hands the calling thread to the {@link Console}
 * until the user quits, and gives the terminal back as it found it, also when wiretap is stopped by a signal
 * ({@link #restoreTerminal}, called from the shutdown hook).
 */
final class InteractiveMode {

    private final Terminal terminal;
    private final Console console;

    private InteractiveMode(Terminal terminal, Console console) {
        this.terminal = terminal;
        this.console = console;
    }

    /**
     * Opens the system terminal and makes the console on it, its live list fed by {@code feed} (which {@code wiretap}
     * was started with). The history is kept in {@code configDir}/console_history.
     *
     * @param configFile the config file wiretap started with, if any
     */
    static InteractiveMode open(Wiretap wiretap, FlowFeed feed, Optional<Path> configFile, Path configDir, String address)
            throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).name("wiretap").nativeSignals(true)
                .signalHandler(Terminal.SignalHandler.SIG_DFL).build();
        Optional<Path> history = Optional.empty();
        try {
            Files.createDirectories(configDir);
            history = Optional.of(configDir.resolve("console_history"));
        } catch (IOException e) {
            // No history this time; the console works without it.
        }
        return new InteractiveMode(terminal, new Console(terminal, wiretap, feed, configFile, history, address));
    }

    /** Runs the console until the user quits. */
    void run() {
        console.run();
    }

    /** The web UI's address with its token, which the console's greeting names. */
    void setWebUi(String url) {
        console.setWebUi(url);
    }

    /** A line of news (a config reload) above the prompt; from any thread. */
    void notice(String text) {
        console.notice(text);
    }

    /** A line of trouble above the prompt; from any thread. */
    void error(String text) {
        console.error(text);
    }

    /** Leaves the terminal as it was (cooked mode, cursor shown); safe to call more than once and from a hook. */
    void restoreTerminal() {
        try {
            terminal.close();
        } catch (IOException | RuntimeException e) {
            // Nothing more to restore with; the process is ending.
        }
    }
}
