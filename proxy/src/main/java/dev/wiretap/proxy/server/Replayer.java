package dev.wiretap.proxy.server;

import dev.wiretap.proxy.edit.EditedRequest;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a recorded request again as a new flow (the console's {@code replay}), optionally edited first.
 *
 * <p>Design: the replay is a client like any other, on a private loopback connection. wiretap opens a socket pair on
 * 127.0.0.1 (its own short-lived listening socket, not the proxy's), hands the server end to a {@link ClientSession}
 * exactly as the listener hands an accepted connection, and on a virtual thread writes the request to the client end
 * in absolute form ({@code GET https://host/path HTTP/1.1}) and reads the response to its end. So the replayed
 * request takes the whole road a client's request takes: the codec reads it with the proxy's limits, rules and
 * addons see it (intercept may pause it), the {@link Forwarder} sends it over the upstream pool (for https with TLS
 * to the origin, verified as for any intercepted flow, with no CONNECT and no certificate minted, as a proxy sent
 * an https URL does), and the flow is recorded and published like any other, marked as a replay of the original.
 * Driving the Forwarder without a connection would need a second, fake, client side in the engine; a real
 * connection keeps one.
 *
 * <p>What is sent: the original's method, URL, version and fields in order (or the edit's), and its captured body with
 * a Content-Length (chunked framing is gone once a body is captured). Refused with a clear message: a CONNECT tunnel,
 * a request whose body was cut off by the capture cap or did not arrive whole, and a flow still in flight. The Host
 * field follows the URL (an absolute-form request's Host is its authority), so a request read in a tunnel to an
 * address with another virtual host goes to the address's default host.
 *
 * <p>Thread-safe; {@link #replay} returns at once, and the replay runs on its own virtual threads.
 */
public final class Replayer {

    private final Listener listener;

    public Replayer(Listener listener) {
        this.listener = listener;
    }

    /**
     * Sends {@code original}'s request again, or {@code edit} in its place. The new flow is published as it goes
     * ({@code Requested} first, with {@code replayOf()} set) and recorded in the flow store.
     *
     * @return completes with the new flow when it has ended (completed or failed); fails if the replay could not run
     * @throws IllegalArgumentException if the request cannot be replayed faithfully (the message says why)
     */
    public CompletableFuture<Flow> replay(Flow original, Optional<EditedRequest> edit) {
        byte[] wire = requestBytes(original, edit);
        CompletableFuture<Flow> result = new CompletableFuture<>();
        Socket client;
        Socket server;
        try (ServerSocketChannel pairing = ServerSocketChannel.open()) {
            pairing.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            SocketChannel clientChannel = SocketChannel.open(pairing.getLocalAddress());
            client = clientChannel.socket();
            server = pairing.accept().socket();
        } catch (IOException e) {
            result.completeExceptionally(new IOException("cannot open a loopback connection for the replay: " + e.getMessage(), e));
            return result;
        }
        try {
            listener.serve(server, new ReplayTicket(original.id(), result));
        } catch (IOException e) {
            close(client);
            close(server);
            result.completeExceptionally(e);
            return result;
        }
        Thread.ofVirtual().name("wiretap-replay-" + original.id()).start(() -> sendAndDrain(client, wire));
        return result;
    }

    /**
     * The replay's client: writes the request, half-closes (the session serves it, then sees the end and closes), and
     * reads whatever comes back until then, so a large response never stalls the session's writes.
     */
    private static void sendAndDrain(Socket client, byte[] wire) {
        try (client) {
            OutputStream out = client.getOutputStream();
            out.write(wire);
            out.flush();
            client.shutdownOutput();
            InputStream in = client.getInputStream();
            byte[] sink = new byte[16 * 1024];
            while (in.read(sink) >= 0) {
                // The response is recorded on the flow; the bytes themselves are not needed here.
            }
        } catch (IOException e) {
            // The session ended the connection (a dropped flow, wiretap stopping): the flow records why.
        }
    }

    /** The request as the replay's client sends it: absolute form, the fields in order, the body with a Content-Length. */
    static byte[] requestBytes(Flow original, Optional<EditedRequest> edit) {
        Request request = original.request();
        if (request.isMethod("CONNECT")) {
            throw new IllegalArgumentException("flow " + original.id() + " is a CONNECT tunnel; replay the requests inside it");
        }
        Destination current = request.destination()
                .filter(d -> d.scheme().equals("http") || d.scheme().equals("https"))
                .orElseThrow(() -> new IllegalArgumentException("flow " + original.id() + " has no http or https URL to send to"));
        if (!original.isDone()) {
            throw new IllegalArgumentException("flow " + original.id() + " is still in flight; replay it once it has ended");
        }
        String method = edit.map(EditedRequest::method).orElse(request.method());
        Destination destination = edit.map(e -> e.destination(current)).orElse(current);
        Headers headers = edit.map(EditedRequest::headers).orElseGet(() -> request.headers().copy());
        String authority = dev.wiretap.proxy.http2.Http2Fields.pseudo(headers, ":authority");
        // A request that came over HTTP/2 goes again as HTTP/1.1 on the loopback connection (the origin is offered h2
        // again from there): its pseudo-header fields become the request line and Host, its cookie crumbs one Cookie.
        boolean fromHttp2 = request.version() == dev.wiretap.proxy.flow.HttpVersion.HTTP_2;
        if (fromHttp2) {
            headers = dev.wiretap.proxy.http2.Http2Fields.forHttp1(headers);
            if (authority != null && !headers.contains("Host")) {
                headers.add("Host", authority);
            }
        }
        Optional<byte[]> newBody = edit.flatMap(EditedRequest::body);
        byte[] body = newBody.isPresent() ? newBody.get() : recordedBody(original, request);
        boolean hadBody = request.headers().contains("Content-Length") || request.headers().contains("Transfer-Encoding");
        headers.removeAll("Transfer-Encoding");
        if (body.length > 0 || hadBody) {
            headers.set("Content-Length", Integer.toString(body.length));
        } else {
            headers.removeAll("Content-Length");
        }
        if (!headers.contains("Host")) {
            headers.add("Host", destination.authority());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + body.length);
        String version = fromHttp2 ? "HTTP/1.1" : request.version().text();
        String startLine = method + " " + destination.url() + " " + version + "\r\n";
        out.writeBytes(startLine.getBytes(StandardCharsets.ISO_8859_1));
        try {
            headers.writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] recordedBody(Flow original, Request request) {
        Body body = request.body();
        if (body.isTruncated()) {
            throw new IllegalArgumentException("flow " + original.id() + "'s request body was " + body.size()
                    + " bytes but only the first " + body.capturedLength() + " were kept (capture.max_body), so it cannot"
                    + " be replayed faithfully; replay it with a body of your own");
        }
        Optional<String> declared = request.headers().first("Content-Length");
        if (declared.isPresent() && !declared.get().strip().equals(Long.toString(body.size()))) {
            throw new IllegalArgumentException("flow " + original.id() + "'s request body did not arrive whole ("
                    + body.size() + " of " + declared.get().strip() + " bytes), so it cannot be replayed faithfully");
        }
        return body.bytes();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Giving up on the replay's connection: nothing more to do with it.
        }
    }
}
