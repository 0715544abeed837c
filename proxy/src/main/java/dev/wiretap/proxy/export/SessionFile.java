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
 * damaged flow is skipped and a file cut short keeps the flows before the cut, each with a warning. Stateless.
 */
public final class SessionFile {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'W', 'I', 'R', 'E', 'T', 'A', 'P', '\r', '\n', 0x1A, '\n'};
    private static final int FORMAT_VERSION = 1;
    private static final int END = -1;

    /** What a session file held. */
    public record Loaded(List<Flow> flows, String savedBy, List<String> warnings) {
        public Loaded {
            flows = List.copyOf(flows);
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
     * Reads a session file.
     *
     * @throws SessionFileException if it is not a wiretap session file, or of a format this wiretap cannot read
     * @throws IOException          if it cannot be read at all (the message names the file)
     */
    public static Loaded read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw FileErrors.explain("read", file, e);
        }
    }

    /** Reads a session from {@code in}; {@code name} names it in messages. */
    public static Loaded read(InputStream in, String name) throws IOException {
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
            savedBy = new String(head.readNBytes(head.readUnsignedShort()), StandardCharsets.UTF_8);
        } catch (EOFException e) {
            throw new SessionFileException(name + " ends inside its header");
        }
        List<Flow> flows = new ArrayList<>();
        List<String> warnings = new ArrayList<>(1);
        try {
            readRecords(new DataInputStream(new BufferedInputStream(new GZIPInputStream(head, 64 * 1024), 64 * 1024)),
                    name, savedBy, flows, warnings);
        } catch (EOFException | ZipException e) {
            // A file cut short (a copy that stopped, a disk that filled): keep what came before the cut.
            warnings.add(name + " ends early (" + describe(e) + "): loaded the " + flows.size()
                    + " flows before that point");
        }
        return new Loaded(flows, savedBy, warnings);
    }

    private static void readRecords(DataInputStream data, String name, String savedBy, List<Flow> flows,
                                    List<String> warnings) throws IOException {
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
                        + "): loaded the " + flows.size() + " flows before it");
                return;
            }
            byte[] record = data.readNBytes(size);
            if (record.length < size) {
                throw new EOFException("inside flow " + (index + 1));
            }
            index++;
            try {
                flows.add(FlowRecords.read(record, 0));
            } catch (RuntimeException e) {
                // The record is length-framed, so one bad flow does not take the rest with it.
                warnings.add("flow " + index + " of " + name + " cannot be read (" + describe(e) + "; saved by wiretap "
                        + savedBy + "): skipped");
            }
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
