package dev.wiretap.cli;

import dev.wiretap.proxy.export.HarWriter;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.Wiretap;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags for running wiretap without a person watching (as mitmdump does for mitmproxy): which exchanges to log,
 * in which format, and a HAR file written at exit. A picocli mixin of {@link Main}; its values are read on the main
 * thread at start and by the shutdown hook at the end.
 */
final class HeadlessOptions {

    @Option(names = "--headless",
            description = "No console: log one line per exchange, as when not on a terminal.")
    boolean headless;

    @Option(names = "--filter", paramLabel = "EXPR", converter = FilterConverter.class,
            description = "Log (in the console: show) and write to --har only the exchanges this filter selects, e.g. 'host:example.com & !status:2xx'.")
    Filter filter = Filter.ALL;

    @Option(names = "--har", paramLabel = "FILE",
            description = "At exit (Ctrl-C or SIGTERM), write the recorded exchanges to FILE as HAR 1.2.")
    Path har;

    @Option(names = "--log-format", paramLabel = "FORMAT", converter = LogFormatConverter.class,
            description = "text (default), or json: one JSON object per exchange on standard output, everything else on standard error.")
    LogFormat logFormat = LogFormat.TEXT;

    /** Whether the interactive console may run: not --headless, and the log is not JSON for a pipeline. */
    boolean wantsConsole() {
        return !headless && logFormat == LogFormat.TEXT;
    }

    Filter filter() {
        return filter;
    }

    LogFormat logFormat() {
        return logFormat;
    }

    /** Where the banner and other notices go: standard error when standard output carries JSON. */
    PrintStream notices(PrintStream out, PrintStream err) {
        return logFormat == LogFormat.JSON ? err : out;
    }

    /** What is wrong with --har's file, found before wiretap starts rather than when it stops; empty when fine. */
    Optional<String> harProblem() {
        if (har == null) {
            return Optional.empty();
        }
        Path dir = har.toAbsolutePath().getParent();
        if (Files.isDirectory(har)) {
            return Optional.of("--har " + har + ": is a directory; give a file name");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            return Optional.of("--har " + har + ": no such directory " + dir);
        }
        if (!Files.isWritable(dir)) {
            return Optional.of("--har " + har + ": cannot write in " + dir);
        }
        return Optional.empty();
    }

    /**
     * Writes the HAR asked for with --har, from the flows the store holds now (after wiretap stopped: all of
     * them finished) that the filter selects, and says so through {@code log}. Returns false if it could not be
     * written (said on {@code err}).
     */
    boolean writeHarAtExit(Wiretap wiretap, java.util.function.Consumer<String> notices, PrintStream err) {
        if (har == null) {
            return true;
        }
        long evicted = wiretap.history().evictedCount();
        String comment = evicted == 0 ? "" : evicted + " earlier exchanges are not here: wiretap let them go to stay"
                + " within its flow store's memory budget";
        try {
            HarWriter.Summary summary = HarWriter.write(har, wiretap.history().inOrder(), filter, comment);
            notices.accept("wrote " + summary.entries() + (summary.entries() == 1 ? " exchange" : " exchanges") + " to " + har
                    + (evicted == 0 ? "" : " (" + evicted + " earlier ones had been let go to stay within the memory budget)"));
            // A flow that could not be written costs its own entry; the file holds the others.
            summary.failures().forEach(failure -> err.println("wiretap: left out of the HAR: " + failure));
            return true;
        } catch (IOException | RuntimeException e) {
            err.println("wiretap: " + e.getMessage());
            return false;
        }
    }

    /** Reads --filter, pointing at the column of a mistake. */
    static final class FilterConverter implements CommandLine.ITypeConverter<Filter> {
        @Override
        public Filter convert(String value) {
            try {
                return Filter.parse(value);
            } catch (FilterException e) {
                throw new CommandLine.TypeConversionException(e.getMessage() + System.lineSeparator() + "  " + value
                        + System.lineSeparator() + "  " + e.caretUnder(value));
            }
        }
    }

    static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "text" -> LogFormat.TEXT;
                case "json" -> LogFormat.JSON;
                default -> throw new CommandLine.TypeConversionException("expected text or json, got '" + value + "'");
            };
        }
    }
}
