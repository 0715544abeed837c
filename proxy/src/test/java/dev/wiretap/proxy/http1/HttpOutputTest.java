package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.io.BufferPool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpOutputTest {

    @Test
    void encodesNumbersAndTextAcrossBufferBoundaries() throws Exception {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        HttpOutput out = new HttpOutput(sent, new BufferPool(8, 1));

        out.writeHex(0);
        out.crlf();
        out.writeHex(0x1a2b3c);
        out.crlf();
        out.writeHex(Long.MAX_VALUE);
        out.crlf();
        out.writeDecimal(404);
        out.write(' ');
        out.writeLatin1("Not Found \u00e9, a reason longer than the buffer");
        out.crlf();
        out.flush();

        assertEquals("0\r\n1a2b3c\r\n7fffffffffffffff\r\n404 Not Found \u00e9, a reason longer than the buffer\r\n",
                sent.toString(StandardCharsets.ISO_8859_1));
        assertEquals(sent.size(), out.bytesWritten());
    }

    @Test
    void gathersSmallWritesUntilFlushed() throws Exception {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        HttpOutput out = new HttpOutput(sent, new BufferPool(64, 1));

        out.writeLatin1("HTTP/1.1 200 OK");
        out.crlf();

        assertEquals(0, sent.size());
        assertEquals(17, out.bytesWritten());
        out.flush();
        assertEquals(17, sent.size());
    }

    @Test
    void sendsWhatIsBufferedAndGivesItsBufferBackOnRelease() throws Exception {
        BufferPool pool = new BufferPool(64, 1);
        byte[] pooled = pool.acquire();
        pool.release(pooled);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        HttpOutput out = new HttpOutput(sent, pool);
        out.write('x');

        out.release();

        assertEquals("x", sent.toString(StandardCharsets.ISO_8859_1));
        assertSame(pooled, pool.acquire(), "the buffer is back in the pool");
    }

    @Test
    void remembersThatTheReceiverWentAway() throws Exception {
        HttpOutput out = new HttpOutput(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Connection reset");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Connection reset");
            }
        }, new BufferPool(8, 1));

        out.write('x');
        assertFalse(out.hasFailed(), "nothing reached the stream yet");
        assertThrows(IOException.class, out::flush);
        assertTrue(out.hasFailed());
    }
}
