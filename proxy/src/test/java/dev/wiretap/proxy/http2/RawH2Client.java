package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client that writes frames by hand, for tests that must break the rules (attacks, resets, stalls): it opens a
 * CONNECT tunnel through wiretap, starts TLS with ALPN h2 trusting wiretap's CA, and then sends and reads raw frames.
 */
final class RawH2Client implements AutoCloseable {

    final Socket socket;
    final FrameWriter writer;
    final FrameReader reader;
    private final FieldBlockEncoder encoder = new FieldBlockEncoder();
    final FieldBlockDecoder decoder = new FieldBlockDecoder(1 << 20);
    final String authority;

    private RawH2Client(Socket socket, String authority) throws IOException {
        this.socket = socket;
        this.authority = authority;
        this.writer = new FrameWriter(socket.getOutputStream());
        this.reader = new FrameReader(new BufferedInputStream(socket.getInputStream()), 1 << 24);
    }

    /** Through {@code proxy} to {@code authority} (host:port), the preface and the given SETTINGS sent. */
    static RawH2Client open(ProxyUnderTest proxy, String authority, int... settings) throws IOException {
        return open(proxy, authority, new Socket(proxy.address().getAddress(), proxy.port()), settings);
    }

    /**
     * As {@link #open(ProxyUnderTest, String, int...)}, but the ClientHello leaves in two TCP segments, 200 ms apart (as
     * a large hello, or a slow network, may): wiretap then cannot read the whole hello before its handshake.
     */
    static RawH2Client openWithSplitHello(ProxyUnderTest proxy, String authority, int... settings) throws IOException {
        java.util.concurrent.atomic.AtomicBoolean tunnelOpen = new java.util.concurrent.atomic.AtomicBoolean();
        Socket tcp = new Socket() {
            @Override
            public java.io.OutputStream getOutputStream() throws IOException {
                java.io.OutputStream out = super.getOutputStream();
                return new java.io.FilterOutputStream(out) {
                    private boolean split;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (tunnelOpen.get() && !split && len > 40) {
                            split = true;
                            out.write(b, off, 40);
                            out.flush();
                            try {
                                Thread.sleep(200);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            out.write(b, off + 40, len - 40);
                        } else {
                            out.write(b, off, len);
                        }
                    }
                };
            }
        };
        tcp.setTcpNoDelay(true);
        tcp.connect(proxy.address());
        return open(proxy, authority, tcp, tunnelOpen, settings);
    }

    private static RawH2Client open(ProxyUnderTest proxy, String authority, Socket tcp, int... settings) throws IOException {
        return open(proxy, authority, tcp, new java.util.concurrent.atomic.AtomicBoolean(), settings);
    }

    private static RawH2Client open(ProxyUnderTest proxy, String authority, Socket tcp,
                                    java.util.concurrent.atomic.AtomicBoolean tunnelOpen, int... settings) throws IOException {
        tcp.setSoTimeout(20_000);
        tcp.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] head = new byte[39];
        int n = 0;
        while (n < head.length) {
            int r = tcp.getInputStream().read(head, n, head.length - n);
            if (r < 0) {
                throw new IOException("the proxy closed the tunnel");
            }
            n += r;
        }
        if (!new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
            throw new IOException("no tunnel: " + new String(head, StandardCharsets.US_ASCII));
        }
        tunnelOpen.set(true);
        SSLSocket tls = (SSLSocket) Interception.trustingWiretap(proxy).getSocketFactory()
                .createSocket(tcp, "127.0.0.1", proxy.port(), true);
        SSLParameters p = tls.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2"});
        tls.setSSLParameters(p);
        tls.startHandshake();
        if (!"h2".equals(tls.getApplicationProtocol())) {
            throw new IOException("wiretap did not pick h2: " + tls.getApplicationProtocol());
        }
        RawH2Client c = new RawH2Client(tls, authority);
        c.writer.preface();
        c.writer.settings(settings);
        return c;
    }

    /** A request head for {@code path} with the given more fields. */
    Headers request(String method, String path, String... more) {
        FieldLines lines = new FieldLines();
        lines.add(":method", method);
        lines.add(":scheme", "https");
        lines.add(":authority", authority);
        lines.add(":path", path);
        for (int i = 0; i < more.length; i += 2) {
            lines.add(more[i], more[i + 1]);
        }
        return lines.toHeaders();
    }

    byte[] encode(Headers fields) {
        return encoder.encode(fields);
    }

    /** Sends a request head on {@code streamId}. */
    void headers(int streamId, Headers fields, boolean endStream) throws IOException {
        writer.headers(streamId, fields, endStream, true);
    }

    /** Sends a raw frame. */
    void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        Frame f = new Frame(type, flags, streamId, payload);
        FrameWriterAccess.write(writer, f);
    }

    /** The next frame from wiretap, or null at the end of the connection (a reset counts as an end). */
    Frame next() throws IOException {
        try {
            return reader.read();
        } catch (Http2Exception e) {
            throw new IOException(e);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return null; // reset by wiretap after its GOAWAY
        }
    }

    /** Reads frames until one of {@code type} comes (answering nothing); null if the connection ends first. */
    Frame until(int type) throws IOException {
        Frame f;
        while ((f = next()) != null) {
            if (f.type() == type) {
                return f;
            }
        }
        return null;
    }

    /** Reads frames until the GOAWAY; its error code, or null if the connection ended without one. */
    ErrorCode goAwayCode() throws IOException {
        Frame f = until(Frame.GOAWAY);
        return f == null ? null : ErrorCode.of(readInt(f.payload(), 4));
    }

    static int readInt(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }

    static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static List<String> names(Headers h) {
        return java.util.stream.IntStream.range(0, h.size()).mapToObj(h::name).toList();
    }
}
