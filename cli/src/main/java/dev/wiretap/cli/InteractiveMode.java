package dev.wiretap.cli;

import dev.wiretap.cli.console.Console;
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

    private InteractiveMode(Terminal terminal) {
        this.terminal = terminal;
    }

    /** Opens the system terminal. */
    static InteractiveMode open() throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).name("wiretap").nativeSignals(true)
                .signalHandler(Terminal.SignalHandler.SIG_DFL).build();
        return new InteractiveMode(terminal);
    }

    /** Runs the console until the user quits. The history is kept in {@code configDir}/console_history. */
    void run(Wiretap wiretap, Path configDir, String address) {
        Optional<Path> history = Optional.empty();
        try {
            Files.createDirectories(configDir);
            history = Optional.of(configDir.resolve("console_history"));
        } catch (IOException e) {
            // No history this time; the console works without it.
        }
        new Console(terminal, wiretap, history, address).run();
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
