package dev.wiretap.proxy.service;

import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.ReasonPhrase;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.ChunkedReader;
import dev.wiretap.proxy.http1.ConnectionOptions;
import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.http1.RequestParser;
import dev.wiretap.proxy.http1.RequestTarget;
import dev.wiretap.proxy.io.ReadWatchdog;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Optional;

/**
 * One client connection of a {@link ServiceListener}, served on its own virtual thread: reads requests one after
 * another (keep-alive) with the proxy's {@link RequestParser}, hands each to the {@link ServiceHandler}, writes its
 * answer, and closes when the client asks, when the protocol demands it, after the idle timeout, or on stop.
 *
 * <p>Bad input is refused as the proxy refuses it, each breach with its own status (400, 413, 414, 431, 501, 505; 408
 * for a head that does not arrive in time), and the connection is then closed gracefully: the output is shut first
 * and what the client still sends is read away for a moment, so that it gets to read the refusal (RFC 9112 section
 * 9.6). Only origin-form targets ({@code /path?query}) are served.
 *
 * <p>States: idle (waiting for a request's first byte; the listener may close it at once on stop) and busy.
 */
final class ServiceConnection implements Runnable {

    private static final System.Logger LOG = System.getLogger(ServiceConnection.class.getName());
    private static final int INPUT_BUFFER_BYTES = 4 * 1024;
    /** A body the handler did not read is read away when it is this small; a larger one closes the connection. */
    private static final long MAX_DRAINED_BODY = 64 * 1024;
    private static final int LINGER_QUIET_MILLIS = 200;
    private static final int LINGER_MAX_MILLIS = 2000;

    private final ServiceListener listener;
    private final ServiceHandler handler;
    private final Socket socket;
    private final InetSocketAddress client;
    private volatile boolean idle = true;
    private HttpInput in;
    private HttpOutput out;
    private ReadWatchdog.Watch watch;

    ServiceConnection(ServiceListener listener, ServiceHandler handler, Socket socket) {
        this.listener = listener;
        this.handler = handler;
        this.socket = socket;
        this.client = (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    @Override
    public void run() {
        boolean linger = false;
        try {
            socket.setTcpNoDelay(true);
            watch = listener.watchdog().watch(socket);
            in = new HttpInput(socket.getInputStream(), INPUT_BUFFER_BYTES, watch);
            out = new HttpOutput(socket.getOutputStream(), listener.buffers());
            linger = serveRequests();
        } catch (SocketTimeoutException | EOFException | SocketException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "service client " + client + " went away or was too slow: " + e);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "service client " + client + ": I/O error " + e);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "wiretap bug while serving " + client, e);
        } finally {
            if (out != null) {
                out.discard();
            }
            if (watch != null) {
                watch.close();
            }
            if (linger) {
                lingerAndClose();
            } else {
                close();
            }
            listener.ended(this);
        }
    }

    /** Serves requests until the connection ends; returns whether to linger before closing (after a refusal). */
    private boolean serveRequests() throws IOException {
        ServiceOptions options = listener.options();
        RequestParser parser = new RequestParser(options.limits());
        while (!listener.isStopping()) {
            idle = true;
            if (in.buffered() == 0) {
                in.setReadTimeout(options.idleTimeout().toNanos());
                if (!in.await()) {
                    return false;
                }
            }
            idle = false;
            in.setDeadline(System.nanoTime() + options.headerTimeout().toNanos());
            Optional<Request> head;
            try {
                head = parser.read(in);
            } catch (ProtocolException e) {
                refuse(e.status(), e.reason(), HttpVersion.HTTP_1_1, false);
                return true;
            } catch (SocketTimeoutException e) {
                refuse(408, "the request head did not arrive within " + options.headerTimeout().toMillis() + " ms", HttpVersion.HTTP_1_1, false);
                return true;
            }
            in.clearDeadline();
            if (head.isEmpty()) {
                return false;
            }
            in.setReadTimeout(options.readTimeout().toNanos());
            Exchange exchange = new Exchange(head.get());
            if (!exchange.serve()) {
                return exchange.lingerOnClose;
            }
            out.release();
            in.shrink();
        }
        return false;
    }

    /** One request and its answer; the handler reads its body through it, whole or as a stream. */
    private final class Exchange implements ServiceRequest.BodySource {
        private final Request request;
        private BodyFraming framing = BodyFraming.NONE;
        private boolean bodyRead;
        private boolean bodyBroken;
        /** The body handed out as a stream, if it was; whether it was read to its end decides the connection's fate. */
        private BodyStream stream;
        boolean lingerOnClose;

        Exchange(Request request) {
            this.request = request;
        }

        /** Serves the request; returns whether the connection may carry another. */
        boolean serve() throws IOException {
            HttpVersion version = request.version();
            ServiceRequest view;
            try {
                RequestTarget target = RequestTarget.parse(request.method(), request.target());
                RequestTarget.checkHost(request);
                framing = BodyFraming.ofRequest(request);
                if (target.form() != RequestTarget.Form.ORIGIN) {
                    throw ProtocolException.badRequest("this service serves paths (/...), not "
                            + target.form().name().toLowerCase(java.util.Locale.ROOT) + "-form targets");
                }
                view = new ServiceRequest(request.method(), request.target(), request.headers(), client, this);
            } catch (ProtocolException e) {
                lingerOnClose = true;
                refuse(e.status(), e.reason(), version, request.isMethod("HEAD"));
                return false;
            } catch (ServiceException e) {
                lingerOnClose = true;
                refuse(e.status(), e.reason(), version, request.isMethod("HEAD"));
                return false;
            }
            ServiceResponse response;
            try {
                response = handler.handle(view);
            } catch (ServiceException e) {
                lingerOnClose = !bodyRead || bodyBroken;
                refuse(e.status(), e.reason(), version, request.isMethod("HEAD"));
                return false;
            } catch (BodyStreamException e) {
                lingerOnClose = true;
                refuse(e.status(), e.reason(), version, request.isMethod("HEAD"));
                return false;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the handler failed on " + request.method() + " " + request.target(), e);
                lingerOnClose = !bodyRead;
                refuse(500, "the service failed (a bug in wiretap; its log says more)", version, request.isMethod("HEAD"));
                return false;
            }
            boolean keep = !wantsClose() && !listener.isStopping() && drainUnreadBody();
            return write(response, version, keep, request.isMethod("HEAD")) && keep;
        }

        private boolean wantsClose() {
            ConnectionOptions options = ConnectionOptions.of(request.headers());
            return options.close() || (request.version() == HttpVersion.HTTP_1_0 && !options.keepAlive());
        }

        /** Reads away a small body the handler left unread, so the connection can carry on; false if it cannot. */
        private boolean drainUnreadBody() throws IOException {
            if (stream != null && !stream.ended) {
                // A stream left part-way (the handler refused what it read first): what is left may be large, so the
                // connection closes, lingering so that the client reads the answer.
                lingerOnClose = true;
                return false;
            }
            if (bodyRead || framing instanceof BodyFraming.None) {
                return !bodyBroken;
            }
            if (request.headers().contains("Expect") || !(framing instanceof BodyFraming.Fixed fixed)
                    || fixed.length() > MAX_DRAINED_BODY) {
                lingerOnClose = true;
                return false;
            }
            long remaining = fixed.length();
            while (remaining > 0) {
                if (in.buffered() == 0 && in.fill() < 0) {
                    return false;
                }
                remaining -= in.skipBuffered((int) Math.min(remaining, Integer.MAX_VALUE));
            }
            return true;
        }

        @Override
        public byte[] read(int maxBytes) throws IOException, ServiceException {
            if (bodyRead) {
                throw new IllegalStateException("the body was read already");
            }
            bodyRead = true;
            return switch (framing) {
                case BodyFraming.None n -> new byte[0];
                case BodyFraming.Fixed fixed -> readFixed(fixed.length(), maxBytes);
                case BodyFraming.Chunked c -> readChunked(maxBytes);
                case BodyFraming.UntilClose u -> throw new IllegalStateException("a request body is never close-delimited");
            };
        }

        @Override
        public InputStream open(long maxBytes) throws IOException, ServiceException {
            if (bodyRead) {
                throw new IllegalStateException("the body was read already");
            }
            bodyRead = true;
            stream = switch (framing) {
                case BodyFraming.None n -> new FixedBody(0);
                case BodyFraming.Fixed fixed -> {
                    if (fixed.length() > maxBytes) {
                        bodyBroken = true;
                        throw tooLarge(maxBytes);
                    }
                    continueIfExpected();
                    yield new FixedBody(fixed.length());
                }
                case BodyFraming.Chunked c -> {
                    continueIfExpected();
                    yield new ChunkedBody(ChunkedReader.fromClient(in, listener.options().limits()), maxBytes);
                }
                case BodyFraming.UntilClose u -> throw new IllegalStateException("a request body is never close-delimited");
            };
            return stream;
        }

        private byte[] readFixed(long length, int maxBytes) throws IOException, ServiceException {
            if (length > maxBytes) {
                bodyBroken = true;
                throw tooLarge(maxBytes);
            }
            continueIfExpected();
            byte[] body = new byte[(int) length];
            int n = 0;
            while (n < body.length) {
                int r = in.read(body, n, body.length - n);
                if (r < 0) {
                    bodyBroken = true;
                    throw new EOFException("the client closed after " + n + " of " + length + " body bytes");
                }
                n += r;
            }
            return body;
        }

        private byte[] readChunked(int maxBytes) throws IOException, ServiceException {
            continueIfExpected();
            ChunkedReader chunks = ChunkedReader.fromClient(in, listener.options().limits());
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try {
                long size;
                while ((size = chunks.nextChunkSize(null)) > 0) {
                    if (body.size() + size > maxBytes) {
                        bodyBroken = true;
                        throw tooLarge(maxBytes);
                    }
                    byte[] data = new byte[(int) size];
                    int n = 0;
                    while (n < data.length) {
                        int r = in.read(data, n, data.length - n);
                        if (r < 0) {
                            throw new EOFException("the client closed in the middle of a chunk");
                        }
                        n += r;
                    }
                    body.write(data);
                    chunks.endChunk(null);
                }
                chunks.readTrailers(null);
            } catch (ProtocolException e) {
                bodyBroken = true;
                throw new ServiceException(e.status(), e.reason());
            }
            return body.toByteArray();
        }

        /** RFC 9110 section 10.1.1: a client that expects 100-continue waits for it before sending the body. */
        private void continueIfExpected() throws IOException {
            if (request.headers().first("Expect").map(v -> v.equalsIgnoreCase("100-continue")).orElse(false)) {
                out.writeLatin1("HTTP/1.1 100 Continue");
                out.crlf();
                out.crlf();
                out.flush();
            }
        }

        private ServiceException tooLarge(long maxBytes) {
            return new ServiceException(413, tooLargeReason(maxBytes));
        }

        private static String tooLargeReason(long maxBytes) {
            return "a request body larger than " + maxBytes + " bytes, the most this takes";
        }

        /**
         * A request body handed to the handler as a stream: knows whether it was read to its end, and marks the body
         * broken (the connection cannot carry another request) when the client fails it part-way.
         */
        private abstract class BodyStream extends InputStream {
            boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                if (ended) {
                    return -1;
                }
                if (len == 0) {
                    return 0;
                }
                try {
                    return readBody(b, off, len);
                } catch (IOException e) {
                    bodyBroken = true;
                    throw e;
                }
            }

            /** Reads at least one byte, or returns -1 (and sets ended) at the body's end. */
            abstract int readBody(byte[] b, int off, int len) throws IOException;

            /** Reads {@code len} bytes at most from the connection, refusing the end of input. */
            int readSome(byte[] b, int off, int len) throws IOException {
                int r = in.read(b, off, len);
                if (r < 0) {
                    throw new EOFException("the client closed in the middle of the request body");
                }
                return r;
            }
        }

        /** A body of a known length (Content-Length). */
        private final class FixedBody extends BodyStream {
            private long remaining;

            FixedBody(long length) {
                this.remaining = length;
                this.ended = length == 0;
            }

            @Override
            int readBody(byte[] b, int off, int len) throws IOException {
                int r = readSome(b, off, (int) Math.min(len, remaining));
                remaining -= r;
                ended = remaining == 0;
                return r;
            }
        }

        /** A chunked body, counted against the limit as it comes (RFC 9112 section 7.1). */
        private final class ChunkedBody extends BodyStream {
            private final ChunkedReader chunks;
            private final long maxBytes;
            private long inChunk;
            private long total;

            ChunkedBody(ChunkedReader chunks, long maxBytes) {
                this.chunks = chunks;
                this.maxBytes = maxBytes;
            }

            @Override
            int readBody(byte[] b, int off, int len) throws IOException {
                try {
                    if (inChunk == 0) {
                        if (total > 0) {
                            chunks.endChunk(null);
                        }
                        long size = chunks.nextChunkSize(null);
                        if (size == 0) {
                            chunks.readTrailers(null);
                            ended = true;
                            return -1;
                        }
                        if (total + size > maxBytes) {
                            throw new BodyStreamException(413, tooLargeReason(maxBytes));
                        }
                        inChunk = size;
                        total += size;
                    }
                    int r = readSome(b, off, (int) Math.min(len, inChunk));
                    inChunk -= r;
                    return r;
                } catch (ProtocolException e) {
                    throw new BodyStreamException(e.status(), e.reason());
                }
            }
        }
    }

    /** Answers bad input with the handler's refusal, closing the connection. */
    private void refuse(int status, String reason, HttpVersion version, boolean head) throws IOException {
        ServiceResponse refusal;
        try {
            refusal = handler.refusal(status, reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the handler's refusal failed", e);
            refusal = ServiceResponse.text(status, reason + "\n");
        }
        write(refusal instanceof ServiceResponse.Whole ? refusal : ServiceResponse.text(status, reason + "\n"), version, false, head);
    }

    /** Writes {@code response}; returns false if the connection must end after it (a stream cut short). */
    private boolean write(ServiceResponse response, HttpVersion version, boolean keep, boolean head) throws IOException {
        boolean chunked = response instanceof ServiceResponse.Streamed && version == HttpVersion.HTTP_1_1;
        boolean close = !keep || (response instanceof ServiceResponse.Streamed && !chunked);
        out.writeLatin1("HTTP/1.1 ");
        out.writeDecimal(response.status());
        out.write(' ');
        out.writeLatin1(ReasonPhrase.of(response.status()));
        out.crlf();
        for (ServiceResponse.Field field : response.fields()) {
            field(field.name(), field.value());
        }
        switch (response) {
            case ServiceResponse.Whole whole -> {
                field("Content-Length", Integer.toString(whole.body().length));
                if (close) {
                    field("Connection", "close");
                }
                out.crlf();
                if (!head) {
                    out.write(whole.body(), 0, whole.body().length);
                }
                out.flush();
                return !close;
            }
            case ServiceResponse.Streamed streamed -> {
                if (chunked) {
                    field("Transfer-Encoding", "chunked");
                }
                if (close) {
                    field("Connection", "close");
                }
                out.crlf();
                out.flush();
                if (head) {
                    return !close;
                }
                idle = false;
                streamed.writer().writeTo(bytes -> {
                    if (bytes.length == 0) {
                        return; // an empty chunk would end the body
                    }
                    if (chunked) {
                        out.writeHex(bytes.length);
                        out.crlf();
                    }
                    out.write(bytes, 0, bytes.length);
                    if (chunked) {
                        out.crlf();
                    }
                    out.flush();
                });
                if (chunked) {
                    out.writeLatin1("0");
                    out.crlf();
                    out.crlf();
                }
                out.flush();
                return !close;
            }
        }
    }

    private void field(String name, String value) throws IOException {
        out.writeLatin1(name);
        out.writeLatin1(": ");
        out.writeLatin1(value);
        out.crlf();
    }

    boolean isIdle() {
        return idle;
    }

    /**
     * Closes without losing a refusal just written: the output is shut first, and what the client still sends is
     * read and dropped until it closes or goes quiet (as the proxy's sessions do).
     */
    private void lingerAndClose() {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_QUIET_MILLIS);
            long deadline = System.nanoTime() + LINGER_MAX_MILLIS * 1_000_000L;
            byte[] sink = new byte[4096];
            while (System.nanoTime() < deadline && socket.getInputStream().read(sink) > 0) {
                // dropped: the client's rest of a request we refused
            }
        } catch (IOException done) {
            // The client closed, reset or went quiet: the lingering is over either way.
        } finally {
            close();
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a connection we are done with: nothing useful can be done about a failure here.
        }
    }
}
