package dev.wiretap.cli.console;

import java.util.List;

/**
 * One command of the console: its name, the short aliases typed for the common ones, a usage line, a one-line
 * summary for {@code help}, a longer text for {@code help NAME}, what completes its argument, and what it does.
 * Immutable.
 */
record ConsoleCommand(String name, List<String> aliases, String usage, String summary, String help, Argument argument,
                      Action action) {

    /** What a command's argument is, for tab completion. */
    enum Argument { NONE, FLOW, FILTER, FILE, COMMAND }

    /** Runs the command with the text after its name (stripped; empty when none). */
    @FunctionalInterface
    interface Action {
        void run(String argument) throws CommandException;
    }

    ConsoleCommand {
        aliases = List.copyOf(aliases);
    }
}
