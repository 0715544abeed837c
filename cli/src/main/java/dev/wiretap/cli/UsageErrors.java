package dev.wiretap.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What wiretap says about a command line it cannot read, as picocli's parameter exception handler: the fault on one
 * line ({@code wiretap: unknown flag '--lissten' (did you mean --listen?)}, with picocli's own suggestions; a stray
 * word is named, with the commands there are), then where the flags are explained. Exit code 2. Runs on the thread
 * that parses the command line.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    private final PrintStream err;

    UsageErrors(PrintStream err) {
        this.err = err;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        String message = e instanceof UnmatchedArgumentException u ? unmatched(u, command) : e.getMessage();
        err.println("wiretap: " + message);
        err.println("Try '" + command + " --help' for the flags.");
        return CommandLine.ExitCode.USAGE;
    }

    private static String unmatched(UnmatchedArgumentException e, String command) {
        List<String> unmatched = e.getUnmatched();
        List<String> suggestions = e.getSuggestions();
        if (e.isUnknownOption()) {
            // picocli lists the words after an unknown flag too (its value, most likely): name the flag alone.
            String flag = unmatched.stream().filter(a -> a.startsWith("-")).findFirst().orElse(unmatched.get(0));
            return "unknown flag '" + flag + "'" + (command.equals("wiretap") ? "" : " for " + command)
                    + didYouMean(suggestions);
        }
        List<String> commands = new ArrayList<>(e.getCommandLine().getSubcommands().keySet());
        String words = String.join(", ", unmatched.stream().map(w -> "'" + w + "'").toList());
        String what = unmatched.size() == 1 ? words + " is not a command or flag of " + command
                : words + " are not commands or flags of " + command;
        if (commands.isEmpty()) {
            return what + "; it takes no other arguments";
        }
        return what + didYouMean(suggestions) + "; the commands are " + and(commands);
    }

    private static String didYouMean(List<String> suggestions) {
        return suggestions.isEmpty() ? "" : " (did you mean " + or(suggestions) + "?)";
    }

    private static String or(List<String> items) {
        return joined(items, " or ");
    }

    private static String and(List<String> items) {
        return joined(items, " and ");
    }

    private static String joined(List<String> items, String last) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + last + items.get(items.size() - 1);
    }
}
