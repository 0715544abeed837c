package dev.wiretap.cli.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jline.terminal.Terminal;

/**
 * Opens a text in the user's editor ({@code $VISUAL}, else {@code $EDITOR}, else {@code vi}) on the console's
 * terminal and returns what the user saved. The file lives in a private temporary directory and is deleted after.
 * JLine's terminal is paused while the editor owns it, where it can be, so the two never read the same keys. Runs on
 * the console's thread (between prompts, when JLine is not reading).
 */
final class ExternalEditor {

    private final Terminal terminal;
    private final List<String> command;
    private final boolean ownsTerminal;

    /**
     * @param command      the editor and its arguments; the file's path is added at the end
     * @param ownsTerminal whether the editor works on the terminal (a person's editor: JLine pauses meanwhile), or
     *                     edits the file without it (a script)
     */
    ExternalEditor(Terminal terminal, List<String> command, boolean ownsTerminal) {
        this.terminal = terminal;
        this.command = List.copyOf(command);
        this.ownsTerminal = ownsTerminal;
    }

    /** The editor the environment names: $VISUAL, else $EDITOR, else vi. Split on spaces ("code --wait" works). */
    static List<String> fromEnvironment(Map<String, String> env) {
        for (String name : List.of("VISUAL", "EDITOR")) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return List.of(value.strip().split("\\s+"));
            }
        }
        return List.of("vi");
    }

    String describe() {
        return String.join(" ", command);
    }

    /**
     * Lets the user edit {@code text}; returns the saved text, or empty when the editor failed (non-zero exit) or could
     * not start (the reason in the exception).
     *
     * @param suffix file name ending, e.g. {@code .http}, so editors pick a syntax
     */
    Optional<String> edit(String text, String suffix) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("wiretap-edit", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path file = dir.resolve("message" + suffix);
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            List<String> argv = new ArrayList<>(command);
            argv.add(file.toString());
            if (ownsTerminal) {
                // On terminals that pump their input on a thread of their own, waits for that thread to stop so that it
                // cannot take the editor's keys. (JLine's system terminals read only while the reader asks, and make
                // this a no-op.)
                terminal.pause(true);
            }
            int exit;
            try {
                Process process = new ProcessBuilder(argv).inheritIO().start();
                exit = process.waitFor();
            } finally {
                if (ownsTerminal) {
                    terminal.resume();
                }
            }
            return exit == 0 ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
