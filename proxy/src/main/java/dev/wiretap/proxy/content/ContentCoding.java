package dev.wiretap.proxy.content;

import dev.wiretap.proxy.flow.Headers;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The content codings wiretap can undo (RFC 9110 section 8.4.1) for showing, filtering and exporting bodies, and apply
 * again to an edited body: gzip, deflate (the zlib format the RFC names; when decoding also the raw deflate some
 * servers send instead), br and zstd. Stateless.
 */
public enum ContentCoding {
    GZIP("gzip"),
    DEFLATE("deflate"),
    BR("br"),
    ZSTD("zstd");

    private final String token;

    ContentCoding(String token) {
        this.token = token;
    }

    /** The coding's name as written in Content-Encoding. */
    public String token() {
        return token;
    }

    /** The coding named {@code token} (case-insensitive; {@code x-gzip} is gzip, RFC 9110 section 8.4.1.3). */
    public static Optional<ContentCoding> named(String token) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (t.equals("x-gzip")) {
            return Optional.of(GZIP);
        }
        for (ContentCoding c : values()) {
            if (c.token.equals(t)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The codings applied to the body as captured, in the order they were applied (the order written), without
     * {@code identity}; names lower-cased. First those of every Content-Encoding field; then any transfer coding
     * but chunked (RFC 9112 section 6.1), which wiretap undoes as the body flows while a gzip transfer coding stays.
     */
    public static List<String> listed(Headers headers) {
        List<String> tokens = new ArrayList<>(2);
        add(headers.all("Content-Encoding"), tokens);
        add(headers.all("Transfer-Encoding"), tokens);
        return tokens;
    }

    /** The codings of the Content-Encoding fields alone, as {@link #listed} reads them. */
    public static List<String> contentEncoding(Headers headers) {
        List<String> tokens = new ArrayList<>(2);
        add(headers.all("Content-Encoding"), tokens);
        return tokens;
    }

    private static void add(List<String> values, List<String> tokens) {
        for (String value : values) {
            for (String part : value.split(",")) {
                String t = part.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !t.equals("identity") && !t.equals("chunked")) {
                    tokens.add(t);
                }
            }
        }
    }

    /**
     * A stream that undoes this coding over {@code in}. {@code inflaters} collects the inflaters made here, which
     * the caller ends when done: they hold native memory that a stream given its own inflater does not free.
     */
    InputStream decode(InputStream in, List<Inflater> inflaters) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPInputStream(in, 8192);
            case DEFLATE -> inflate(in, inflaters);
            // Read through a buffer: BrotliInputStream 0.1.2 loses the bytes left from single-byte reads (which
            // GZIPInputStream makes for its header, as in "gzip, br") when the stream ends on the next bulk read.
            case BR -> new BufferedInputStream(new org.brotli.dec.BrotliInputStream(in), 8192);
            case ZSTD -> new io.airlift.compress.zstd.ZstdInputStream(in);
        };
    }

    /**
     * {@code data} with this coding applied: the JDK's gzip and zlib deflate, aircompressor's zstd, and for br a stream
     * of uncompressed meta-blocks ({@link BrotliStored}), since the JVM has no brotli compressor but native ones.
     */
    byte[] encode(byte[] data) {
        return switch (this) {
            case GZIP -> deflate(data, true);
            case DEFLATE -> deflate(data, false);
            case BR -> BrotliStored.encode(data);
            case ZSTD -> zstd(data);
        };
    }

    private static byte[] deflate(byte[] data, boolean gzip) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
        if (gzip) {
            try (OutputStream stream = new GZIPOutputStream(out, 8192)) {
                stream.write(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
            }
            return out.toByteArray();
        }
        Deflater deflater = new Deflater(); // the zlib format, as RFC 9110 section 8.4.1.2 names it
        try (OutputStream stream = new DeflaterOutputStream(out, deflater, 8192)) {
            stream.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end(); // its native memory, which a stream given its own deflater does not free
        }
        return out.toByteArray();
    }

    private static byte[] zstd(byte[] data) {
        io.airlift.compress.zstd.ZstdCompressor compressor = new io.airlift.compress.zstd.ZstdCompressor();
        byte[] out = new byte[compressor.maxCompressedLength(data.length)];
        int n = compressor.compress(data, 0, data.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }

    /**
     * "deflate" means the zlib format (RFC 1950), but servers have long sent raw deflate (RFC 1951) under that
     * name, and browsers accept both; so do we, telling them apart by the zlib header's check bits.
     */
    private static InputStream inflate(InputStream in, List<Inflater> inflaters) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 8192);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        boolean zlib = b0 >= 0 && b1 >= 0 && (b0 & 0x0F) == 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 == 0;
        Inflater inflater = new Inflater(!zlib);
        inflaters.add(inflater);
        return new InflaterInputStream(buffered, inflater, 8192);
    }
}
