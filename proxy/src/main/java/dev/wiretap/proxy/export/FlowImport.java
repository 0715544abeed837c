package dev.wiretap.proxy.export;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Flow;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Loads a file of flows into a running wiretap, whichever kind it is: a wiretap session file ({@link SessionFile}) or a
 * HAR file ({@link HarReader}), told apart by their first bytes, not their names. The flows go into the flow store in
 * batches as they are read, numbered after the flows already there, each with a note saying where it came from; so a
 * file larger than the heap loads as far as the store's budget keeps it (the oldest go first, as ever). What the console's
 * {@code load} does, and the web UI's import. Stateless; runs on the caller's thread.
 */
public final class FlowImport {

    /** Flows read before they go into the store together. */
    private static final int BATCH_FLOWS = 256;
    private static final long BATCH_BYTES = 8L << 20;
    /** How much of a file is looked at to tell its kind. */
    private static final int SNIFF_BYTES = 4096;
    private static final byte[] SESSION_SIGNATURE = {(byte) 0x89, 'W', 'I', 'R', 'E', 'T', 'A', 'P'};

    /** The kinds of file wiretap loads flows from. */
    public enum Format {
        SESSION("wiretap session file"),
        HAR("HAR file");

        private final String description;

        Format(String description) {
            this.description = description;
        }

        /** {@code wiretap session file}, {@code HAR file}. */
        public String description() {
            return description;
        }
    }

    /**
     * What loading a file came to.
     *
     * @param format   what kind of file it was
     * @param flows    how many flows went into the store
     * @param source   who wrote it: {@code wiretap 0.1.0}, {@code WebInspector 537.36}, {@code Firefox 123.0}; or empty
     * @param warnings what the user should know: flows or entries skipped and why, a file cut short
     */
    public record Loaded(Format format, int flows, String source, List<String> warnings) {
        public Loaded {
            warnings = List.copyOf(warnings);
        }
    }

    private FlowImport() {
    }

    /**
     * Loads {@code file} into {@code wiretap}'s flow store, within {@code wiretap}'s limits ({@link ImportLimits#of});
     * each flow as stored (renumbered) is handed to {@code imported}, in order, as it goes in.
     *
     * @throws FlowFileException if the file is neither kind, or not one of them after all ({@link SessionFileException},
     *                           {@link HarFileException}); the message names the file and says why
     * @throws IOException       if it cannot be read at all (the message names the file)
     */
    public static Loaded load(Path file, Wiretap wiretap, Consumer<Flow> imported) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString(), wiretap, imported);
        } catch (IOException e) {
            throw FileErrors.explain("read", file, e);
        }
    }

    /** Loads flows from {@code in}, as {@link #load(Path, Wiretap, Consumer)}; {@code name} names it in messages. */
    public static Loaded load(InputStream in, String name, Wiretap wiretap, Consumer<Flow> imported) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
        buffered.mark(SNIFF_BYTES);
        byte[] first = buffered.readNBytes(SNIFF_BYTES);
        buffered.reset();
        Format format = detect(first).orElseThrow(() -> new FlowFileException(first.length == 0 ? name + " is empty"
                : name + " is neither a wiretap session file nor a HAR file"));
        ImportLimits limits = ImportLimits.of(wiretap);
        Batch batch = new Batch(wiretap, imported);
        if (format == Format.SESSION) {
            batch.note = flow -> "loaded from the session file " + name + ", where it was flow " + flow.id();
            SessionFile.Outcome outcome = SessionFile.read(buffered, name, limits.maxFlowBytes(), batch::add);
            batch.flush();
            return new Loaded(format, batch.stored, "wiretap " + outcome.savedBy(), outcome.warnings());
        }
        batch.note = flow -> ""; // each entry's flow says which file and entry it came from
        HarReader.Outcome outcome = HarReader.read(buffered, name, limits, batch::add);
        batch.flush();
        return new Loaded(format, batch.stored, outcome.creator(), outcome.warnings());
    }

    /**
     * Reads the flows in {@code file}, whichever kind it is, handing each to {@code sink} as it is read (numbered as in
     * the file, stored nowhere): for a server replay, which indexes them. Within {@code limits}, as a load is.
     *
     * @return what was read; {@code flows} counts those handed to the sink
     * @throws FlowFileException if the file is neither kind, or not one of them after all
     * @throws IOException       if it cannot be read at all (the message names the file)
     */
    public static Loaded read(Path file, ImportLimits limits, Consumer<Flow> sink) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
            buffered.mark(SNIFF_BYTES);
            byte[] first = buffered.readNBytes(SNIFF_BYTES);
            buffered.reset();
            String name = file.toString();
            Format format = detect(first).orElseThrow(() -> new FlowFileException(first.length == 0 ? name + " is empty"
                    : name + " is neither a wiretap session file nor a HAR file"));
            if (format == Format.SESSION) {
                SessionFile.Outcome outcome = SessionFile.read(buffered, name, limits.maxFlowBytes(), sink);
                return new Loaded(format, outcome.flows(), "wiretap " + outcome.savedBy(), outcome.warnings());
            }
            HarReader.Outcome outcome = HarReader.read(buffered, name, limits, sink);
            return new Loaded(format, outcome.flows(), outcome.creator(), outcome.warnings());
        } catch (IOException e) {
            throw FileErrors.explain("read", file, e);
        }
    }

    /**
     * The kind of file that starts with {@code first}: wiretap's signature, or (after a byte order mark and white space)
     * the brace a HAR's JSON starts with, or zero bytes (a HAR in UTF-16, which the HAR reader refuses in words).
     */
    public static Optional<Format> detect(byte[] first) {
        if (first.length >= SESSION_SIGNATURE.length && java.util.Arrays.equals(first, 0, SESSION_SIGNATURE.length,
                SESSION_SIGNATURE, 0, SESSION_SIGNATURE.length)) {
            return Optional.of(Format.SESSION);
        }
        if (HarInput.looksLikeUtf16or32(first, first.length)) {
            return Optional.of(Format.HAR);
        }
        int i = first.length >= 3 && first[0] == (byte) 0xEF && first[1] == (byte) 0xBB && first[2] == (byte) 0xBF ? 3 : 0;
        while (i < first.length && (first[i] == ' ' || first[i] == '\t' || first[i] == '\r' || first[i] == '\n')) {
            i++;
        }
        return i < first.length && first[i] == '{' ? Optional.of(Format.HAR) : Optional.empty();
    }

    /** Flows read and not yet stored. */
    private static final class Batch {
        final Wiretap wiretap;
        final Consumer<Flow> imported;
        final List<Flow> flows = new ArrayList<>(BATCH_FLOWS);
        java.util.function.Function<Flow, String> note;
        long bytes;
        int stored;

        Batch(Wiretap wiretap, Consumer<Flow> imported) {
            this.wiretap = wiretap;
            this.imported = imported;
        }

        void add(Flow flow) {
            flows.add(flow);
            bytes += flow.estimatedBytes();
            if (flows.size() >= BATCH_FLOWS || bytes >= BATCH_BYTES) {
                flush();
            }
        }

        void flush() {
            for (Flow flow : wiretap.importFlows(flows, note)) {
                stored++;
                imported.accept(flow);
            }
            flows.clear();
            bytes = 0;
        }
    }
}
