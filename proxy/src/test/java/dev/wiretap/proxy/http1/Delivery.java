package dev.wiretap.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.proxy.io.ReadTimer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Ways of handing the same bytes to the codec, so that every transcript also proves the parsers work incrementally:
 * all at once into a roomy buffer, one byte per {@code read()} call, and through a buffer so small it has to grow.
 */
enum Delivery {
    /** One read hands over everything, into a buffer larger than any test message. */
    WHOLE(16 * 1024, false),
    /** Every read returns a single byte, so each parser resumes after every byte. */
    ONE_BYTE_PER_READ(16 * 1024, true),
    /** A 4-byte starting buffer, which must be compacted and grown on the way. */
    TINY_BUFFER(4, false),
    /** A 1-byte starting buffer fed one byte per read: the slowest road through every branch. */
    ONE_BYTE_INTO_TINY_BUFFER(1, true);

    private final int bufferSize;
    private final boolean oneBytePerRead;

    Delivery(int bufferSize, boolean oneBytePerRead) {
        this.bufferSize = bufferSize;
        this.oneBytePerRead = oneBytePerRead;
    }

    /** A reading of some bytes through the codec, written down as text: the same text, the same reading. */
    interface Reading {
        String of(Delivery delivery, byte[] bytes) throws Exception;
    }

    /**
     * Fails unless {@code reading} makes the same of {@code bytes} all at once and one byte per read into a one-byte
     * buffer (the fuzz targets' check that every parser resumes anywhere).
     */
    static void assertReadsAlikeHoweverTheyArrive(byte[] bytes, Reading reading) throws Exception {
        assertEquals(reading.of(WHOLE, bytes), reading.of(ONE_BYTE_INTO_TINY_BUFFER, bytes),
                "the same bytes read differently when they arrive one at a time");
    }

    HttpInput input(byte[] bytes) {
        InputStream in = oneBytePerRead ? new OneBytePerRead(bytes) : new ByteArrayInputStream(bytes);
        return new HttpInput(in, bufferSize, ReadTimer.NONE);
    }

    HttpInput input(String text) {
        return input(bytes(text));
    }

    /** The text's characters as bytes, one to one (so {@code \u00e9} is the obs-text byte 0xE9). */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** An input stream that never returns more than one byte per call, as a slow peer's socket might. */
    static final class OneBytePerRead extends InputStream {
        private final byte[] bytes;
        private int pos;

        OneBytePerRead(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int b = read();
            if (b < 0) {
                return -1;
            }
            dst[off] = (byte) b;
            return 1;
        }
    }
}
