package dev.wiretap.proxy.testing;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Compresses test bodies with the real encoders: the JDK's for gzip and deflate, brotli4j for br, aircompressor for zstd. */
public final class Encodings {

    private Encodings() {
    }

    /** {@code data} encoded with the named coding ("deflate-raw" for deflate without the zlib wrapper). */
    public static byte[] encode(String coding, byte[] data) {
        try {
            return switch (coding) {
                case "gzip", "x-gzip" -> gzip(data);
                case "deflate" -> deflate(data, false);
                case "deflate-raw" -> deflate(data, true);
                case "br" -> brotli(data);
                case "zstd" -> zstd(data);
                default -> throw new IllegalArgumentException(coding);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    public static byte[] deflate(byte[] data, boolean raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, raw);
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, deflater)) {
            d.write(data);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    public static byte[] brotli(byte[] data) throws IOException {
        Brotli4jLoader.ensureAvailability();
        return Encoder.compress(data);
    }

    public static byte[] zstd(byte[] data) {
        ZstdCompressor compressor = new ZstdCompressor();
        byte[] out = new byte[compressor.maxCompressedLength(data.length)];
        int n = compressor.compress(data, 0, data.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }
}
