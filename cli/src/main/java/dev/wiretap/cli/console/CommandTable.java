package dev.wiretap.cli.console;

import dev.wiretap.config.filter.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * The console's commands by name and alias: finds the one a line names, writes {@code help} and {@code help NAME},
 * and completes command names, flow numbers and filter terms on Tab. Filled once at start, then only read (from
 * the console's thread and JLine's completion, which runs on it too).
 */
final class CommandTable implements Completer {

    private final Map<String, ConsoleCommand> byName = new LinkedHashMap<>();
    private final Map<String, ConsoleCommand> byAlias = new LinkedHashMap<>();
    private final FlowNumbers flowNumbers;
    private final Completer files = new org.jline.builtins.Completers.FileNameCompleter();

    /** The flow numbers worth offering on Tab: the most recent ones in the view. */
    @FunctionalInterface
    interface FlowNumbers {
        List<Long> recent(int max);
    }

    CommandTable(FlowNumbers flowNumbers) {
        this.flowNumbers = flowNumbers;
    }

    void add(ConsoleCommand command) {
        byName.put(command.name(), command);
        for (String alias : command.aliases()) {
            byAlias.put(alias, command);
        }
    }

    List<ConsoleCommand> all() {
        return List.copyOf(byName.values());
    }

    Optional<ConsoleCommand> find(String word) {
        String key = word.toLowerCase(Locale.ROOT);
        ConsoleCommand c = byName.get(key);
        return Optional.ofNullable(c != null ? c : byAlias.get(key));
    }

    /** Runs the command a line names; an unknown one is an error that names the nearest. */
    void dispatch(String line) throws CommandException {
        String text = line.strip();
        if (text.isEmpty()) {
            return;
        }
        int space = indexOfSpace(text);
        String word = space < 0 ? text : text.substring(0, space);
        String argument = space < 0 ? "" : text.substring(space + 1).strip();
        ConsoleCommand command = find(word).orElseThrow(() -> new CommandException("unknown command '" + word
                + "'" + dev.wiretap.config.filter.Suggestion.nearest(word, List.copyOf(byName.keySet()))
                        .map(s -> " (did you mean " + s + "?)").orElse("") + "; type help for the list"));
        command.action().run(argument);
    }

    private static int indexOfSpace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code help}: every command with its aliases and summary. */
    String overview() {
        StringBuilder sb = new StringBuilder("Commands (help NAME for more; Tab completes):\n");
        for (ConsoleCommand c : byName.values()) {
            String left = c.usage() + (c.aliases().isEmpty() ? "" : "  (" + String.join(", ", c.aliases()) + ")");
            sb.append("  ").append(left);
            sb.append(" ".repeat(Math.max(2, 42 - left.length()))).append(c.summary()).append('\n');
        }
        return sb.toString();
    }

    /** {@code help NAME}. */
    String help(String word) throws CommandException {
        ConsoleCommand c = find(word).orElseThrow(() -> new CommandException("no command '" + word + "'; type help for the list"));
        StringBuilder sb = new StringBuilder(c.usage()).append('\n');
        if (!c.aliases().isEmpty()) {
            sb.append("  also: ").append(String.join(", ", c.aliases())).append('\n');
        }
        sb.append('\n').append(c.help().strip()).append('\n');
        return sb.toString();
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        if (line.wordIndex() == 0) {
            for (ConsoleCommand c : byName.values()) {
                candidates.add(new Candidate(c.name(), c.name(), null, c.summary(), null, null, true));
            }
            return;
        }
        Optional<ConsoleCommand> command = find(line.words().get(0));
        if (command.isEmpty()) {
            return;
        }
        switch (command.get().argument()) {
            case FLOW -> flowNumbers.recent(20).forEach(id -> candidates.add(new Candidate(Long.toString(id))));
            case FILTER -> filterTerms(line.word(), candidates);
            case COMMAND -> byName.keySet().forEach(name -> candidates.add(new Candidate(name)));
            case FILE -> {
                if (command.get().name().equals("export") && line.wordIndex() == 1) {
                    candidates.add(new Candidate("har"));
                } else {
                    files.complete(reader, line, candidates);
                }
            }
            default -> {
            }
        }
    }

    /** Filter keywords ({@code host:}, {@code status:} ...), also after a {@code !} or {@code (}. */
    static void filterTerms(String word, List<Candidate> candidates) {
        String prefix = leadingOperators(word);
        for (Field f : Field.values()) {
            String value = prefix + f.keyword() + ":";
            candidates.add(new Candidate(value, f.keyword() + ":", null, f.help(), null, null, false));
        }
        if (word.startsWith(prefix + "status:")) {
            for (String s : List.of("2xx", "3xx", "4xx", "5xx")) {
                candidates.add(new Candidate(prefix + "status:" + s, s, null, null, null, null, true));
            }
        }
    }

    private static String leadingOperators(String word) {
        int i = 0;
        while (i < word.length() && (word.charAt(i) == '!' || word.charAt(i) == '(')) {
            i++;
        }
        return word.substring(0, i);
    }

    /** Every name and alias, for tests and the help screen. */
    List<String> names() {
        List<String> names = new ArrayList<>(byName.keySet());
        names.addAll(byAlias.keySet());
        return names;
    }
}
