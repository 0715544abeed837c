package dev.wiretap.cli;

/**
 * Whether standard output is an interactive terminal that takes colour: yes on a terminal, no when piped or
 * redirected, and never when {@code NO_COLOR} is set or {@code TERM} is {@code dumb} (https://no-color.org).
 */
record Terminal(boolean colours) {

    static Terminal detect() {
        if (System.getenv("NO_COLOR") != null || "dumb".equals(System.getenv("TERM"))) {
            return new Terminal(false);
        }
        return new Terminal(isTerminal());
    }

    /** Whether wiretap runs on an interactive terminal (input and output both), where the console can start. */
    static boolean isInteractive() {
        return !"dumb".equals(System.getenv("TERM")) && isTerminal();
    }

    private static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        // From JDK 22 a console exists even when redirected; isTerminal() tells the truth there.
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console only exists on a terminal
        }
    }
}
