package dev.wiretap.proxy.export;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowRecords;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * wiretap's own session file: finished flows saved whole (heads as they flowed, captured bodies, sizes, timings,
 * errors, rules), to be loaded later and looked at as if just recorded.
 *
 * <p>Layout: a 12-byte signature ({@code \x89WIRETAP\r\n\x1a\n}, which catches a file mangled as text, as PNG's
 * does), a format version (u16), the wiretap version that wrote it (u16 length, UTF-8); then a gzip stream of
 * records, each a length (i32) and a flow in the flow store's binary form ({@link FlowRecords}, which starts with
 * its own version byte); then -1 and the number of records, so that a file cut short is told from a whole one.
 * Numbers big-endian.
 *
 * <p>A file is written beside its name and moved into place. Reading stops at nothing it can recover from: a
 * damaged flow is skipped and a file cut short keeps the flows before the cut, each with a warning. Reading trusts no
 * length in the file: a record is never larger than the reader's limit, and its bytes are allocated as they arrive,
 * so a crafted file cannot make it allocate what is not there (issue 12: a 59-byte file once asked for 2 GB). Flows can
 * be handed to a sink one at a time, so a file larger than the heap loads into the flow store. Stateless.
 */
public final class SessionFile {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'W', 'I', 'R', 'E', 'T', 'A', 'P', '\r', '\n', 0x1A, '\n'};
    private static final int FORMAT_VERSION = 1;
    private static final int END = -1;
    /** Warnings about damaged flows listed at most; the rest are counted (a crafted file could hold millions). */
    private static final int MAX_WARNINGS = 20;
    /** The largest flow record {@link #read(Path)} takes: far more than two bodies at the default capture cap. */
    public static final long DEFAULT_MAX_FLOW_BYTES = 64 << 20;

    /** What a session file held. */
    public record Loaded(List<Flow> flows, String savedBy, List<String> warnings) {
        public Loaded {
            flows = List.copyOf(flows);
            warnings = List.copyOf(warnings);
        }
    }

    /** What reading a session file into a sink came to: how many flows it gave, who saved it, and what went wrong. */
    public record Outcome(int flows, String savedBy, List<String> warnings) {
        public Outcome {
            warnings = List.copyOf(warnings);
        }
    }

    /** How many flows were saved, and how many were left out because they were still in flight. */
    public record Saved(int flows, int inFlight) {
    }

    private SessionFile() {
    }

    /** Saves the finished ones of {@code flows} to {@code file}, replacing it. */
    public static Saved write(Path file, Iterable<Flow> flows) throws IOException {
        try {
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp");
            try {
                Saved saved;
                try (OutputStream out = Files.newOutputStream(temp)) {
                    saved = write(out, flows);
                }
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return saved;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw FileErrors.explain("write", file, e);
        }
    }

    /** Writes a session of the finished ones of {@code flows} to {@code out}, leaving it open. */
    public static Saved write(OutputStream out, Iterable<Flow> flows) throws IOException {
        DataOutputStream head = new DataOutputStream(out);
        head.write(SIGNATURE);
        head.writeShort(FORMAT_VERSION);
        byte[] version = Wiretap.version().getBytes(StandardCharsets.UTF_8);
        head.writeShort(version.length);
        head.write(version);
        head.flush();
        GZIPOutputStream gzip = new GZIPOutputStream(new NonClosing(out), 64 * 1024);
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(gzip, 64 * 1024));
        int written = 0;
        int inFlight = 0;
        byte[] buffer = new byte[4096];
        for (Flow flow : flows) {
            if (!flow.isDone()) {
                inFlight++;
                continue;
            }
            int size = FlowRecords.size(flow);
            if (buffer.length < size) {
                buffer = new byte[Math.max(size, buffer.length * 2)];
            }
            FlowRecords.write(flow, buffer, 0);
            data.writeInt(size);
            data.write(buffer, 0, size);
            written++;
        }
        data.writeInt(END);
        data.writeInt(written);
        data.flush();
        gzip.finish();
        return new Saved(written, inFlight);
    }

    /**
     * Reads a session file whole into a list, each flow at most {@link #DEFAULT_MAX_FLOW_BYTES}. Every flow is held at
     * once: to load a file of any size, give the flows to a sink ({@link #read(Path, long, Consumer)}).
     *
     * @throws SessionFileException if it is not a wiretap session file, or of a format this wiretap cannot read
     * @throws IOException          if it cannot be read at all (the message names the file)
     */
    public static Loaded read(Path file) throws IOException {
        List<Flow> flows = new ArrayList<>();
        Outcome outcome = read(file, DEFAULT_MAX_FLOW_BYTES, flows::add);
        return new Loaded(flows, outcome.savedBy(), outcome.warnings());
    }

    /** Reads a session from {@code in} whole into a list, as {@link #read(Path)}; {@code name} names it in messages. */
    public static Loaded read(InputStream in, String name) throws IOException {
        List<Flow> flows = new ArrayList<>();
        Outcome outcome = read(in, name, DEFAULT_MAX_FLOW_BYTES, flows::add);
        return new Loaded(flows, outcome.savedBy(), outcome.warnings());
    }

    /**
     * Reads a session file, handing each flow to {@code sink} as it is read, so that nothing but one flow is held.
     *
     * @param maxFlowBytes a flow's record larger than this is skipped with a warning (the flow store could not keep it)
     * @throws SessionFileException if it is not a wiretap session file, or of a format this wiretap cannot read
     * @throws IOException          if it cannot be read at all (the message names the file)
     */
    public static Outcome read(Path file, long maxFlowBytes, Consumer<Flow> sink) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), maxFlowBytes, sink);
        } catch (IOException e) {
            throw FileErrors.explain("read", file, e);
        }
    }

    /**
     * Reads a session from {@code in}, as {@link #read(Path, long, Consumer)}; {@code name} names it in messages.
     * Whatever the bytes, the outcome is flows, warnings or a {@link SessionFileException}: every length is checked
     * before anything is allocated for it ({@link FlowRecords} checks what is inside each record).
     */
    public static Outcome read(InputStream in, String name, long maxFlowBytes, Consumer<Flow> sink) throws IOException {
        DataInputStream head = new DataInputStream(new BufferedInputStream(in, 64 * 1024));
        byte[] signature = head.readNBytes(SIGNATURE.length);
        if (!Arrays.equals(signature, SIGNATURE)) {
            throw new SessionFileException(name + " is not a wiretap session file");
        }
        String savedBy;
        try {
            int format = head.readUnsignedShort();
            if (format != FORMAT_VERSION) {
                throw new SessionFileException(name + " is a session file of format " + format
                        + ", which this wiretap (" + Wiretap.version() + ") cannot read; it reads format " + FORMAT_VERSION);
            }
            int length = head.readUnsignedShort(); // at most 64 KiB
            byte[] version = head.readNBytes(length);
            if (version.length < length) {
                throw new EOFException();
            }
            savedBy = new String(version, StandardCharsets.UTF_8);
        } catch (EOFException e) {
            throw new SessionFileException(name + " ends inside its header");
        }
        Records records = new Records(name, savedBy, maxFlowBytes, sink);
        try {
            records.read(new DataInputStream(new BufferedInputStream(new GZIPInputStream(head, 64 * 1024), 64 * 1024)));
        } catch (EOFException | ZipException e) {
            // A file cut short (a copy that stopped, a disk that filled): keep what came before the cut.
            records.warnings.add(name + " ends early (" + describe(e) + "): loaded the " + records.loaded
                    + " flows before that point");
        }
        return new Outcome(records.loaded, savedBy, records.warnings());
    }

    /** The records of one session file as they are read, and what was said about them. */
    private static final class Records {
        final String name;
        final String savedBy;
        final long maxFlowBytes;
        final Consumer<Flow> sink;
        final List<String> warnings = new ArrayList<>(1);
        int loaded;
        int skipped;

        Records(String name, String savedBy, long maxFlowBytes, Consumer<Flow> sink) {
            this.name = name;
            this.savedBy = savedBy;
            this.maxFlowBytes = maxFlowBytes;
            this.sink = sink;
        }

        void read(DataInputStream data) throws IOException {
            int index = 0;
            while (true) {
                int size = data.readInt();
                if (size == END) {
                    int count = data.readInt();
                    if (count != index) {
                        warnings.add(name + " says it holds " + count + " flows but holds " + index);
                    }
                    return;
                }
                if (size < 0) {
                    warnings.add(name + " is damaged at flow " + (index + 1) + " (a record length of " + size
                            + "): loaded the " + loaded + " flows before it");
                    return;
                }
                index++;
                if (size > maxFlowBytes) {
                    // Framed by its length, so the rest can still be read; the bytes are read past, never held.
                    data.skipNBytes(size);
                    skip("flow " + index + " of " + name + " is " + size + " bytes, more than the " + maxFlowBytes
                            + " this wiretap keeps for one flow: skipped");
                    continue;
                }
                // Allocated as the bytes arrive, so a length the data does not back costs nothing.
                byte[] record = data.readNBytes(size);
                if (record.length < size) {
                    throw new EOFException("inside flow " + index);
                }
                Flow flow;
                try {
                    flow = FlowRecords.read(record, 0);
                } catch (RuntimeException e) {
                    // The record is length-framed, so one bad flow does not take the rest with it.
                    skip("flow " + index + " of " + name + " cannot be read (" + describe(e) + "; saved by wiretap "
                            + savedBy + "): skipped");
                    continue;
                }
                sink.accept(flow);
                loaded++;
            }
        }

        private void skip(String warning) {
            if (++skipped <= MAX_WARNINGS) {
                warnings.add(warning);
            }
        }

        List<String> warnings() {
            List<String> all = new ArrayList<>(warnings);
            if (skipped > MAX_WARNINGS) {
                all.add(name + ": " + (skipped - MAX_WARNINGS) + " more flows skipped");
            }
            return all;
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Lets the gzip stream be finished without closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
