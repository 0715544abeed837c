package dev.wiretap.proxy.export;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.addon.FlowExchange;
import dev.wiretap.proxy.flow.Flow;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Writes flows as a HAR 1.2 file, the archive format browsers' developer tools import (Chrome's and Firefox's
 * network panels) and many tools read. One entry per finished HTTP exchange that the filter selects, in the order
 * given; left out are flows still in flight, CONNECT tunnels (the requests wiretap read inside an intercepted
 * tunnel are entries of their own; an opaque tunnel holds no exchange to show) and requests wiretap could not
 * read as far as a URL.
 *
 * <p>Streams: flows are taken from the iterable one at a time (the flow store's {@code inOrder} decodes each only
 * then), and each entry goes straight out through Jackson's generator, its bodies decoded on the way ({@link
 * HarContent}), so the file can be far larger than the heap. A flow whose entry cannot be made (a fault no one foresaw)
 * is left out and named in the {@link Summary}, and the others are written all the same. A file is written beside its
 * final name and moved into place, so a reader never sees half a file. Stateless; runs on the caller's thread (the
 * console's, the web UI's, or the shutdown hook).
 */
public final class HarWriter {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    /**
     * How many flows went in, and how many were left out and why.
     *
     * @param failures the flows that could not be written, each as {@code flow N: why} (a fault in wiretap: the other
     *                 flows are in the file all the same)
     */
    public record Summary(int entries, int inFlight, int tunnels, int unreadable, int unmatched, List<String> failures) {

        public Summary {
            failures = List.copyOf(failures);
        }

        /** A summary with no failures. */
        public Summary(int entries, int inFlight, int tunnels, int unreadable, int unmatched) {
            this(entries, inFlight, tunnels, unreadable, unmatched, List.of());
        }

        /** Flows given that are not in the file. */
        public int leftOut() {
            return inFlight + tunnels + unreadable + unmatched + failures.size();
        }
    }

    private HarWriter() {
    }

    /**
     * Writes the flows {@code filter} selects to {@code file} (replacing it). {@code comment}, if not empty, goes
     * in the log's comment field (for example how many older flows the store had already let go).
     *
     * @throws IOException if the file cannot be written; the message names it and says why
     */
    public static Summary write(Path file, Iterable<Flow> flows, Filter filter, String comment) throws IOException {
        try {
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp");
            try {
                Summary summary;
                try (OutputStream out = Files.newOutputStream(temp)) {
                    summary = write(out, flows, filter, comment);
                }
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return summary;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw FileErrors.explain("write", file, e);
        }
    }

    /** Writes the HAR document to {@code out} (UTF-8), leaving it open. */
    public static Summary write(OutputStream out, Iterable<Flow> flows, Filter filter, String comment) throws IOException {
        return write(out, flows, filter, comment, HarEntry::of);
    }

    /** As {@link #write(OutputStream, Iterable, Filter, String)}, with the entries made by {@code entries} (for tests). */
    static Summary write(OutputStream out, Iterable<Flow> flows, Filter filter, String comment,
                         Function<Flow, HarEntry> entries) throws IOException {
        int written = 0;
        int inFlight = 0;
        int tunnels = 0;
        int unreadable = 0;
        int unmatched = 0;
        List<String> failures = new ArrayList<>(0);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeObjectFieldStart("log");
            g.writeStringField("version", "1.2");
            g.writeObjectFieldStart("creator");
            g.writeStringField("name", "wiretap");
            g.writeStringField("version", Wiretap.version());
            g.writeEndObject();
            g.writeArrayFieldStart("pages");
            g.writeEndArray();
            g.writeArrayFieldStart("entries");
            for (Flow flow : flows) {
                if (!flow.isDone()) {
                    inFlight++;
                } else if (flow.request().isMethod("CONNECT")) {
                    tunnels++;
                } else if (flow.request().destination().isEmpty()) {
                    unreadable++;
                } else {
                    // Everything that could fail on a flow no one foresaw happens here, before its entry is begun; the
                    // writing below only streams. So such a flow is left out and reported, and the file goes on.
                    HarEntry entry;
                    try {
                        if (!filter.matches(FlowExchange.decoding(flow))) {
                            unmatched++;
                            continue;
                        }
                        entry = entries.apply(flow);
                    } catch (RuntimeException e) {
                        failures.add("flow " + flow.id() + ": " + e);
                        continue;
                    }
                    entry.write(g);
                    written++;
                }
            }
            g.writeEndArray();
            if (!comment.isEmpty()) {
                g.writeStringField("comment", comment);
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        return new Summary(written, inFlight, tunnels, unreadable, unmatched, failures);
    }
}
