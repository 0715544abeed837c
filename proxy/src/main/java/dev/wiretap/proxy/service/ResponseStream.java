package dev.wiretap.proxy.service;

import java.io.IOException;

/**
 * Where a streamed response's writer sends its parts: each {@link #send} goes out at once as one chunk (flushed), so a
 * server-sent event reaches the browser when it is sent. Used by the writer on the connection's thread only.
 */
public interface ResponseStream {

    /**
     * Sends {@code bytes} now.
     *
     * @throws IOException when the client has gone away (or the listener is stopping): the writer should return
     */
    void send(byte[] bytes) throws IOException;
}
