package dev.wiretap.cli.console;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What was typed after {@code curl}: {@code [-x] [-k] [-1] N [--to FILE]}. Single-letter options may be run together
 * ({@code -1k}) and come before or after the flow number; {@code --to} takes the rest of the line as the file's name,
 * spaces and all. Immutable.
 *
 * @param flow          the flow's number as typed
 * @param throughWiretap {@code -x}: send it through wiretap
 * @param insecure      {@code -k}: curl accepts any certificate
 * @param oneLine       {@code -1}: the command on one line
 * @param file          {@code --to FILE}: where to write the command instead of printing it
 */
record CurlArguments(String flow, boolean throughWiretap, boolean insecure, boolean oneLine, Optional<String> file) {

    static final String USAGE = "curl [-x] [-k] [-1] N [--to FILE]";

    private static final Pattern TO = Pattern.compile("(?:^|\\s)--to(?:\\s+|$)");

    static CurlArguments parse(String argument) throws CommandException {
        String words = argument;
        Optional<String> file = Optional.empty();
        Matcher to = TO.matcher(argument);
        if (to.find()) {
            String rest = argument.substring(to.end()).strip();
            if (rest.isEmpty()) {
                throw new CommandException("--to needs a file: " + USAGE);
            }
            file = Optional.of(rest);
            words = argument.substring(0, to.start());
        }
        boolean proxy = false;
        boolean insecure = false;
        boolean oneLine = false;
        String flow = null;
        for (String word : words.strip().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (word.length() > 1 && word.charAt(0) == '-' && word.charAt(1) != '-') {
                for (char c : word.substring(1).toCharArray()) {
                    switch (c) {
                        case 'x' -> proxy = true;
                        case 'k' -> insecure = true;
                        case '1' -> oneLine = true;
                        default -> throw new CommandException("curl has no option -" + c + ": " + USAGE);
                    }
                }
            } else if (word.startsWith("-")) {
                throw new CommandException("curl has no option " + word + ": " + USAGE);
            } else if (flow == null) {
                flow = word;
            } else {
                throw new CommandException("curl takes one flow number, not '" + flow + "' and '" + word + "': " + USAGE);
            }
        }
        if (flow == null) {
            throw new CommandException("which flow? " + USAGE + ", e.g. curl -x 12");
        }
        return new CurlArguments(flow, proxy, insecure, oneLine, file);
    }
}
