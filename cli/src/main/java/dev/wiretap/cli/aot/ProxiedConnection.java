package dev.wiretap.cli.aot;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive client connection to the proxy, sending plain HTTP requests in absolute form one after another, as a
 * browser configured with a proxy does. Reads responses framed by Content-Length (the training origin and wiretap's
 * own answers have one) or, failing that, by the end of the connection. Used by one thread; not thread-safe.
 */
final class ProxiedConnection implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    ProxiedConnection(InetSocketAddress proxy) throws IOException {
        socket = new Socket();
        socket.connect(proxy, TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends {@code method url} (with a body when not null) and returns the response's status, its body read away. */
    int exchange(String method, String url, String host, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(url).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\nUser-Agent: wiretap-training\r\nAccept: */*\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP/1.1 response: '" + statusLine + "'");
        }
        long length = -1;
        for (String field = line(); !field.isEmpty(); field = line()) {
            int colon = field.indexOf(':');
            if (colon > 0 && field.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(field.substring(colon + 1).trim());
            }
        }
        if (length < 0) {
            in.transferTo(OutputStream.nullOutputStream());
        } else {
            in.skipNBytes(length);
        }
        return Integer.parseInt(statusLine.substring(9, 12));
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the proxy closed the connection in a response head");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
