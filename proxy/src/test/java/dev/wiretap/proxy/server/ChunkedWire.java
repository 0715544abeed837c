package dev.wiretap.proxy.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a chunked body off a socket in tests exactly as it flowed (sizes, extensions, data, trailers and the final
 * empty line), so a test can compare the bytes an origin or a client got with the bytes that were sent. Reads
 * nothing past the body, so the connection can carry on.
 */
final class ChunkedWire {

    private ChunkedWire() {
    }

    /** The raw bytes of one chunked body, from the first chunk-size line through the empty line after the trailers. */
    static byte[] readRaw(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in, raw);
            int semicolon = line.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                while (!readLine(in, raw).isEmpty()) {
                    // a trailer field, kept in raw
                }
                return raw.toByteArray();
            }
            raw.write(in.readNBytes((int) size));
            readLine(in, raw);
        }
    }

    /** Reads one CRLF-terminated line, copying it (CRLF included) to {@code raw}; returns it without the CRLF. */
    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a chunked body");
            }
            raw.write(b);
            if (prev == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            prev = b;
        }
    }
}
