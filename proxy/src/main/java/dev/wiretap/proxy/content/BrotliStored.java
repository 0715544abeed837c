package dev.wiretap.proxy.content;

import java.io.ByteArrayOutputStream;

/**
 * Writes a brotli stream (RFC 7932) made only of uncompressed meta-blocks: a valid {@code br} body that any brotli
 * decoder reads, made without a compressor. wiretap re-encodes an edited {@code br} body this way: the JVM has no
 * brotli encoder but native ones, and an edited body is a few kilobytes sent once, so size matters less than that
 * the client gets what the header says. Stateless.
 *
 * <p>The stream: WBITS as the single bit 0 (a 64 KiB window, section 9.1); then per at most 65,536 bytes a meta-block
 * header with ISLAST 0, MNIBBLES 4, MLEN - 1 in 16 bits and ISUNCOMPRESSED 1, zero bits to the byte boundary, and the
 * bytes as they are (section 9.2); then an empty last meta-block (ISLAST 1, ISLASTEMPTY 1) and zero bits to the byte
 * boundary. An empty body is the one byte {@code 0x06}.
 */
final class BrotliStored {

    /** The most a meta-block with four MLEN nibbles can hold. */
    private static final int MAX_BLOCK = 1 << 16;

    private BrotliStored() {
    }

    static byte[] encode(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 8 + 4 * (data.length / MAX_BLOCK + 1));
        Bits bits = new Bits(out);
        bits.write(0, 1); // WBITS: 16
        for (int from = 0; from < data.length; from += MAX_BLOCK) {
            int length = Math.min(MAX_BLOCK, data.length - from);
            bits.write(0, 1); // ISLAST
            bits.write(0, 2); // MNIBBLES: 4
            bits.write(length - 1, 16); // MLEN - 1
            bits.write(1, 1); // ISUNCOMPRESSED
            bits.flushToByte();
            out.write(data, from, length);
        }
        bits.write(1, 1); // ISLAST
        bits.write(1, 1); // ISLASTEMPTY
        bits.flushToByte();
        return out.toByteArray();
    }

    /** Bits packed from the least significant end of each byte, as brotli reads them. */
    private static final class Bits {
        private final ByteArrayOutputStream out;
        private int pending;
        private int count;

        Bits(ByteArrayOutputStream out) {
            this.out = out;
        }

        void write(int value, int n) {
            for (int i = 0; i < n; i++) {
                pending |= ((value >>> i) & 1) << count;
                if (++count == 8) {
                    out.write(pending);
                    pending = 0;
                    count = 0;
                }
            }
        }

        void flushToByte() {
            if (count > 0) {
                out.write(pending);
                pending = 0;
                count = 0;
            }
        }
    }
}
