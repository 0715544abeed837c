package dev.wiretap.proxy.tls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * What an intercepted client's TLS is read from: the bytes wiretap already read from the connection (the start of the
 * ClientHello, read to learn its name and protocols), then the connection's own stream. Given to the JDK's
 * {@code SSLSocketFactory.createSocket(Socket, InputStream consumed, boolean)} as the consumed bytes.
 *
 * <p>Why it reads the connection too, and ends with {@link EOFException} rather than -1: the JDK chains the consumed
 * bytes and the socket's stream in a {@code SequenceInputStream}, which closes each stream it reaches the end of, and
 * closing a socket's stream closes the socket. So the client's end of data (a half-close, or the input wiretap shuts
 * to end a read that timed out) closed the whole connection, and wiretap could no longer answer: a slow-loris head or
 * a stalled upload inside TLS got no 408 (found by bin/soak). Here the sequence never reaches the socket's stream, and
 * the end comes as the EOFException the JDK's own record reader throws at -1, which it takes for the peer's end of
 * data.
 *
 * <p>Read by the connection's thread only (through the SSLSocket).
 */
final class ReplayedInput extends InputStream {

    private final byte[] replay;
    private int pos;
    private final InputStream connection;

    ReplayedInput(byte[] replay, InputStream connection) {
        this.replay = replay;
        this.connection = connection;
    }

    @Override
    public int read() throws IOException {
        if (pos < replay.length) {
            return replay[pos++] & 0xff;
        }
        return checkEnd(connection.read());
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos < replay.length) {
            int n = Math.min(len, replay.length - pos);
            System.arraycopy(replay, pos, b, off, n);
            pos += n;
            return n;
        }
        return checkEnd(connection.read(b, off, len));
    }

    @Override
    public int available() throws IOException {
        return replay.length - pos + connection.available();
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }

    private static int checkEnd(int n) throws EOFException {
        if (n < 0) {
            throw new EOFException("the client ended its data");
        }
        return n;
    }
}
