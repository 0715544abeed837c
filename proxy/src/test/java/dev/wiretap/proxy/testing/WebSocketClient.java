package dev.wiretap.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's WebSocket client ({@link java.net.http.WebSocket}) with the messages it receives gathered whole: a text
 * message as a String, a binary one as a byte[], in the order they came. The client answers pings itself.
 */
public final class WebSocketClient implements WebSocket.Listener, AutoCloseable {

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private volatile int closeCode = -1;
    private final WebSocket socket;

    private WebSocketClient(HttpClient http, URI uri) {
        this.socket = http.newWebSocketBuilder().buildAsync(uri, this).join();
    }

    /** Opens a socket to {@code uri} with {@code http} (its proxy and TLS). */
    public static WebSocketClient open(HttpClient http, URI uri) {
        return new WebSocketClient(http, uri);
    }

    public WebSocket socket() {
        return socket;
    }

    /** The next message received whole (a String or a byte[]), within 30 s. */
    public Object next() throws InterruptedException {
        Object m = received.poll(30, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 30 s");
        }
        return m;
    }

    /** The code of the Close the server sent, or -1 before one came. */
    public int closeCode() {
        return closeCode;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            received.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        if (last) {
            received.add(binary.toByteArray());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        byte[] b = new byte[message.remaining()];
        message.get(b);
        received.add("pong:" + new String(b, StandardCharsets.UTF_8));
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        received.add("close:" + statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        received.add("error:" + error);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
