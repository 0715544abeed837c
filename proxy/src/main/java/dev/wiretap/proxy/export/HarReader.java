package dev.wiretap.proxy.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.wiretap.proxy.flow.Flow;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a HAR file (HAR 1.2, and 1.1) as flows: each entry becomes a finished flow ({@link HarFlow}) to inspect,
 * replay, mock or export again, handed to a sink as soon as it is read. Written for what Chrome, Firefox and wiretap
 * write: their custom fields where each puts them, their -1s, their missing optional fields.
 *
 * <p>Streams, so that a huge or hostile file cannot exhaust the memory: Jackson's streaming parser reads one entry at a
 * time, never the document as a tree; only the fields wiretap uses are kept (everything else is skipped unread); no
 * string is longer than the bytes a body at the capture cap takes ({@link HarInput} cuts longer ones on the way in,
 * and such a body is kept as far as the cap, noted); fields are kept within the proxy's head limits ({@link
 * ImportLimits}).
 *
 * <p>Bad input is never an exception trace: a file that is not a HAR is a {@link HarFileException} naming the file and
 * what is wrong (the JSON path, or the line and column of a syntax error); an entry that cannot be a flow is skipped
 * with a warning naming its path; a file cut short or broken after some entries keeps those, with a warning. Stateless;
 * runs on the caller's thread (the console's, the web UI's).
 */
public final class HarReader {

    /** Warnings about skipped entries listed at most; the rest are counted. */
    private static final int MAX_WARNINGS = 20;

    /**
     * What reading a HAR file came to.
     *
     * @param flows    the flows handed to the sink
     * @param creator  who wrote the file ({@code log.creator}: {@code WebInspector 537.36}, {@code Firefox 123.0}), or
     *                 empty
     * @param warnings what the user should know: entries skipped and why, a file cut short
     */
    public record Outcome(int flows, String creator, List<String> warnings) {
        public Outcome {
            warnings = List.copyOf(warnings);
        }
    }

    private HarReader() {
    }

    /**
     * Reads {@code file}, handing each entry's flow to {@code sink}.
     *
     * @throws HarFileException if it is not a HAR file (the message says why)
     * @throws IOException      if it cannot be read at all (the message names the file)
     */
    public static Outcome read(Path file, ImportLimits limits, Consumer<Flow> sink) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), limits, sink);
        } catch (IOException e) {
            throw FileErrors.explain("read", file, e);
        }
    }

    /** Reads a HAR from {@code in}, as {@link #read(Path, ImportLimits, Consumer)}; {@code name} names it in messages. */
    public static Outcome read(InputStream in, String name, ImportLimits limits, Consumer<Flow> sink) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
        buffered.mark(4);
        byte[] first = buffered.readNBytes(4);
        buffered.reset();
        if (HarInput.looksLikeUtf16or32(first, first.length)) {
            throw new HarFileException(name + " is in UTF-16 or UTF-32; wiretap reads HAR files in UTF-8, as the format asks");
        }
        HarInput input = new HarInput(buffered, limits.maxStringBytes());
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, limits.maxStringBytes() + 1024))
                        .maxNestingDepth(200)
                        .build())
                .build();
        Reading reading = new Reading(name, limits, sink);
        try (JsonParser parser = factory.createParser(input)) {
            HarJson json = new HarJson(parser, input);
            try {
                reading.document(json);
            } catch (JsonProcessingException e) {
                reading.broken(e, json.path(), parser.currentLocation());
            }
        }
        return new Outcome(reading.flows, reading.creator, reading.warnings());
    }

    /** One file being read: where it is, and what came of it so far. */
    private static final class Reading {
        final String name;
        final ImportLimits limits;
        final Consumer<Flow> sink;
        final List<String> warnings = new ArrayList<>(1);
        int skipped;
        int flows;
        String creator = "";
        boolean inEntries;

        Reading(String name, ImportLimits limits, Consumer<Flow> sink) {
            this.name = name;
            this.limits = limits;
            this.sink = sink;
        }

        void document(HarJson json) throws IOException {
            JsonParser parser = json.parser();
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new HarFileException(name + " is not a HAR file: it holds " + HarJson.describe(first)
                        + " where a HAR's JSON object belongs");
            }
            boolean[] log = {false};
            boolean[] entries = {false};
            json.object(field -> {
                if (!field.equals("log")) {
                    return false;
                }
                log[0] = true;
                if (!json.object(logField -> logField(json, logField, entries))) {
                    throw new HarFileException(name + " is not a HAR file: /log is " + HarJson.describe(parser.currentToken())
                            + ", not an object");
                }
                return true;
            });
            if (!log[0]) {
                throw new HarFileException(name + " is not a HAR file: it has no /log object");
            }
            if (!entries[0]) {
                throw new HarFileException(name + " is not a HAR file: its /log has no entries array");
            }
        }

        private boolean logField(HarJson json, String field, boolean[] entries) throws IOException {
            switch (field) {
                case "version" -> {
                    String version = json.string(HarRecord.SHORT).orElse("");
                    if (!version.isEmpty() && !version.equals("1.2") && !version.equals("1.1")) {
                        warnings.add(name + " says it is HAR version " + HarJson.abbreviated(version) + "; read as HAR 1.2");
                    }
                }
                case "creator" -> {
                    String[] nameVersion = {"", ""};
                    json.object(part -> switch (part) {
                        case "name" -> {
                            nameVersion[0] = json.string(HarRecord.SHORT).orElse("");
                            yield true;
                        }
                        case "version" -> {
                            nameVersion[1] = json.string(HarRecord.SHORT).orElse("");
                            yield true;
                        }
                        default -> false;
                    });
                    creator = (nameVersion[0] + " " + nameVersion[1]).strip();
                }
                case "entries" -> {
                    entries[0] = true;
                    inEntries = true;
                    if (json.array(Integer.MAX_VALUE, () -> entry(json)) < 0) {
                        throw new HarFileException(name + " is not a HAR file: its /log/entries is not an array");
                    }
                    inEntries = false;
                    json.takeProblems();
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void entry(HarJson json) throws IOException {
            String at = json.path();
            if (json.parser().currentToken() != JsonToken.START_OBJECT) {
                json.parser().skipChildren();
                skip(at, "it is " + HarJson.describe(json.parser().currentToken()) + ", not an object");
                return;
            }
            HarRecord record = HarRecord.read(json, limits);
            Flow flow;
            try {
                flow = HarFlow.of(record, flows + skipped + 1L, name, limits);
            } catch (IllegalArgumentException e) {
                skip(record.path, e.getMessage());
                return;
            } catch (RuntimeException e) {
                // A fault no one foresaw: this entry is lost, not the file.
                skip(record.path, "wiretap could not make it a flow (" + e + ")");
                return;
            }
            sink.accept(flow);
            flows++;
        }

        private void skip(String path, String why) {
            skipped++;
            if (skipped <= MAX_WARNINGS) {
                warnings.add(name + ": skipped " + path + ": " + why);
            }
        }

        /** The JSON broke off or went wrong: a file that gave flows keeps them; else it is not a HAR file. */
        void broken(JsonProcessingException e, String path, JsonLocation current) throws HarFileException {
            JsonLocation where = e.getLocation() != null ? e.getLocation() : current;
            String at = path.length() <= 100 ? path : path.substring(0, 100) + "…";
            String position = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            String what = e instanceof JsonEOFException ? "ends early" + position + " (in " + at + ")"
                    : "is not valid JSON" + position + " (in " + at + "): " + e.getOriginalMessage();
            if (!inEntries && flows == 0) {
                throw new HarFileException(name + (at.equals("/") ? " is not a HAR file: it " + what : " " + what));
            }
            warnings.add(name + " " + what + ": loaded the " + flows + " flows before that point");
        }

        List<String> warnings() {
            List<String> all = new ArrayList<>(warnings);
            if (skipped > MAX_WARNINGS) {
                all.add(name + ": " + (skipped - MAX_WARNINGS) + " more entries skipped");
            }
            return all;
        }
    }
}
