package dev.wiretap.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A client on a raw socket, for sending exactly the bytes a test wants (malformed ones included) and reading
 * responses back without any client library smoothing them over. Reads time out after 10 s by default.
 */
public final class RawClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public RawClient(InetSocketAddress proxy) throws IOException {
        socket = new Socket();
        socket.connect(proxy, 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The connection: the TCP one, or the TLS one after {@link #startTls}. */
    public Socket socket() {
        return socket;
    }

    /**
     * Starts TLS on the connection (inside a CONNECT tunnel), as a client trusting what {@code tls} trusts, sending
     * {@code serverName} as SNI, or no SNI when it is null. From here on everything goes over TLS.
     */
    public RawClient startTls(SSLContext tls, String serverName) throws IOException {
        SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
        SSLParameters params = secured.getSSLParameters();
        params.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        secured.setSSLParameters(params);
        secured.startHandshake();
        socket = secured;
        in = secured.getInputStream();
        out = secured.getOutputStream();
        return this;
    }

    public InputStream in() {
        return in;
    }

    public OutputStream out() {
        return out;
    }

    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one response head up to and including the empty line; null if the connection closed first. */
    public String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads a whole response (head and body, framed by Content-Length, chunked, or close) as one. */
    public Response readResponse() throws IOException {
        return readResponse(false);
    }

    /** As {@link #readResponse()}, for a response to HEAD (no body whatever the fields say). */
    public Response readResponse(boolean toHead) throws IOException {
        String head = readHead();
        if (head == null) {
            throw new java.io.EOFException("connection closed before a response");
        }
        int status = Integer.parseInt(Heads.startLine(head).split(" ")[1]);
        byte[] body;
        if (toHead || status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (Heads.isChunked(head)) {
            body = readChunked();
        } else if (Heads.contentLength(head) >= 0) {
            body = in.readNBytes((int) Heads.contentLength(head));
        } else {
            body = in.readAllBytes();
        }
        return new Response(head, status, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = readLine();
            int semicolon = line.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? line : line.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer fields
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("connection closed mid-line");
            }
            if (prev == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            prev = b;
        }
    }

    /** True if the peer closed the connection (reads end of stream or reset) within the read timeout. */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A response as read off the wire. */
    public record Response(String head, int status, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return Heads.value(head, name);
        }
    }
}
