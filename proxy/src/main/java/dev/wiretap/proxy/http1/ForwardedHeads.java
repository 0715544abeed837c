package dev.wiretap.proxy.http1;

import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import java.io.IOException;

/**
 * Writes the heads wiretap forwards, following RFC 9110 section 7.6: fields meant for one hop are not passed on
 * (Connection and every field it names, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade unless upgrading, and
 * Proxy-Authorization on requests), a Via entry is added (and, for an upstream proxy with credentials, its own
 * Proxy-Authorization), and every other field line goes out byte for byte as it came in, but for the framing fields:
 * one Content-Length, and one Transfer-Encoding with the codings as wiretap read them. Start lines carry
 * wiretap's own version (HTTP/1.1), as an intermediary must (RFC 9110 section 6.2).
 */
public final class ForwardedHeads {

    private ForwardedHeads() {
    }

    /** How the body of a forwarded response is re-framed for the client. */
    public enum Reframe {
        /** Framing fields pass as they came. */
        NONE,
        /** Content-Length and Transfer-Encoding are dropped (the body runs until close, for an HTTP/1.0 client). */
        UNTIL_CLOSE,
        /** Content-Length is dropped and Transfer-Encoding ends in chunked (a close-delimited body for a 1.1 client). */
        CHUNKED
    }

    /** What the Connection field of a forwarded response says to the client. */
    public enum ClientConnection { NOTHING, CLOSE, KEEP_ALIVE, UPGRADE }

    /**
     * Writes the request head for the next hop.
     *
     * @param host          the Host field's value: the destination's authority, except for a request read inside a
     *                      tunnel in origin-form, whose own Host names the virtual host (RFC 9112 section 3.2.2 replaces
     *                      it only for an absolute-form target)
     * @param proxy         the upstream proxy the request goes to (plain HTTP through a proxy), or null for the origin:
     *                      to a proxy the target is the full URL, with the proxy's own Proxy-Authorization when it has
     *                      credentials (the client's, meant for wiretap, is never passed on)
     * @param via           this hop's Via entry (e.g. {@code 1.1 wiretap}), or null for none
     * @param upgrade       true when the client asked to upgrade: Upgrade and {@code Connection: upgrade} go on
     * @param dropExpect    true to leave Expect out (an HTTP/1.0 client's expectation is ignored, RFC 9110 section 10.1.1)
     */
    public static void writeRequest(HttpOutput out, Request request, Destination destination, String host,
                                    UpstreamProxy proxy, String via, boolean upgrade, boolean dropExpect) throws IOException {
        out.writeLatin1(request.method());
        out.write(' ');
        out.writeLatin1(target(request, destination, proxy));
        out.writeLatin1(" HTTP/1.1\r\nHost: ");
        out.writeLatin1(host);
        out.crlf();
        Headers h = request.headers();
        ConnectionOptions connection = ConnectionOptions.of(h);
        boolean contentLengthWritten = false;
        boolean codingsWritten = false;
        for (int i = 0; i < h.size(); i++) {
            if (h.isPseudo(i) || h.nameIs(i, "Host") || isHopByHop(h, i, connection, upgrade) || h.nameIs(i, "Proxy-Authorization")
                    || (dropExpect && h.nameIs(i, "Expect"))) {
                continue;
            }
            if (h.nameIs(i, "Content-Length")) {
                if (!contentLengthWritten) {
                    writeContentLength(h, i, out); // identical duplicates were accepted; one is passed on
                    contentLengthWritten = true;
                }
                continue;
            }
            if (h.nameIs(i, "Transfer-Encoding")) {
                if (!codingsWritten) {
                    writeTransferEncoding(BodyFraming.forwardedCodings(h), out);
                    codingsWritten = true;
                }
                continue;
            }
            h.writeLine(i, out);
        }
        if (proxy != null && proxy.hasCredentials()) {
            out.writeLatin1("Proxy-Authorization: ");
            out.writeLatin1(proxy.basicCredentials());
            out.crlf();
        }
        if (via != null) {
            out.writeLatin1("Via: ");
            out.writeLatin1(via);
            out.crlf();
        }
        if (upgrade) {
            out.writeLatin1("Connection: upgrade\r\n");
        }
        out.crlf();
    }

    /**
     * The request target for the next hop: the URL to a proxy, the path and query to the origin. An OPTIONS
     * request about the whole server ({@link RequestTarget#isServerWide}) keeps its meaning: {@code *} to the origin,
     * and to a proxy the URL without the {@code /} that would make it a question about the root resource.
     */
    private static String target(Request request, Destination destination, UpstreamProxy proxy) {
        boolean serverWide = destination.pathAndQuery().equals("/")
                && RequestTarget.isServerWide(request.method(), request.target());
        if (proxy != null) {
            return serverWide ? destination.scheme() + "://" + destination.authority() : destination.url();
        }
        return serverWide ? "*" : destination.pathAndQuery();
    }

    /**
     * Writes the head of a request that came over HTTP/2 for an HTTP/1.1 origin (RFC 9113 section 8.2.3, RFC 9110
     * section 7.6): {@code fields} without pseudo-header fields, Host, connection-specific fields and TE (the client's
     * {@code TE: trailers} means nothing to the next hop), the Host named, and {@code Transfer-Encoding: chunked} when
     * the body's length is not known ({@code chunked}).
     *
     * @param fields the request's fields with cookies joined into one field (HTTP/1.1 allows one)
     */
    public static void writeTranslatedRequest(HttpOutput out, String method, String target, String host, Headers fields,
                                              String via, boolean chunked) throws IOException {
        out.writeLatin1(method);
        out.write(' ');
        out.writeLatin1(target);
        out.writeLatin1(" HTTP/1.1\r\nHost: ");
        out.writeLatin1(host);
        out.crlf();
        ConnectionOptions connection = ConnectionOptions.of(fields);
        for (int i = 0; i < fields.size(); i++) {
            if (fields.isPseudo(i) || fields.nameIs(i, "Host") || isHopByHop(fields, i, connection, false)
                    || fields.nameIs(i, "Proxy-Authorization") || fields.nameIs(i, "Transfer-Encoding")
                    || (chunked && fields.nameIs(i, "Content-Length"))) {
                continue;
            }
            fields.writeLine(i, out);
        }
        if (chunked) {
            out.writeLatin1("Transfer-Encoding: chunked\r\n");
        }
        if (via != null) {
            out.writeLatin1("Via: ");
            out.writeLatin1(via);
            out.crlf();
        }
        out.crlf();
    }

    /**
     * Writes a response head for the client.
     *
     * @param via        this hop's Via entry, or null for none
     * @param reframe    how the body is re-framed
     * @param connection what to say in Connection
     */
    public static void writeResponse(HttpOutput out, Response response, String via, Reframe reframe,
                                     ClientConnection connection) throws IOException {
        writeStatusLine(out, response);
        Headers h = response.headers();
        ConnectionOptions options = ConnectionOptions.of(h);
        boolean upgrade = connection == ClientConnection.UPGRADE;
        boolean contentLengthWritten = false;
        boolean codingsWritten = false;
        for (int i = 0; i < h.size(); i++) {
            if (h.isPseudo(i) || isHopByHop(h, i, options, upgrade)) {
                continue;
            }
            if (reframe != Reframe.NONE && (h.nameIs(i, "Content-Length") || h.nameIs(i, "Transfer-Encoding"))) {
                continue;
            }
            if (h.nameIs(i, "Content-Length")) {
                if (!contentLengthWritten) {
                    writeContentLength(h, i, out);
                    contentLengthWritten = true;
                }
                continue;
            }
            if (h.nameIs(i, "Transfer-Encoding")) {
                if (!codingsWritten) {
                    writeTransferEncoding(BodyFraming.forwardedCodings(h), out);
                    codingsWritten = true;
                }
                continue;
            }
            h.writeLine(i, out);
        }
        if (reframe == Reframe.CHUNKED) {
            String codings = BodyFraming.forwardedCodings(h);
            writeTransferEncoding(codings.isEmpty() ? "chunked" : codings + ", chunked", out);
        }
        if (via != null) {
            out.writeLatin1("Via: ");
            out.writeLatin1(via);
            out.crlf();
        }
        switch (connection) {
            case CLOSE -> out.writeLatin1("Connection: close\r\n");
            case KEEP_ALIVE -> out.writeLatin1("Connection: keep-alive\r\n");
            case UPGRADE -> out.writeLatin1("Connection: upgrade\r\n");
            case NOTHING -> { }
        }
        out.crlf();
    }

    /**
     * Writes an interim (1xx) response for the client: its status line, end-to-end fields and this hop's Via entry
     * ({@code via}, or null for none), as on every forwarded message (RFC 9110 section 7.6.3).
     */
    public static void writeInterim(HttpOutput out, Response response, String via) throws IOException {
        writeStatusLine(out, response);
        Headers h = response.headers();
        ConnectionOptions options = ConnectionOptions.of(h);
        for (int i = 0; i < h.size(); i++) {
            if (!h.isPseudo(i) && !isHopByHop(h, i, options, false)) {
                h.writeLine(i, out);
            }
        }
        if (via != null) {
            out.writeLatin1("Via: ");
            out.writeLatin1(via);
            out.crlf();
        }
        out.crlf();
    }

    private static void writeStatusLine(HttpOutput out, Response response) throws IOException {
        out.writeLatin1("HTTP/1.1 ");
        out.writeDecimal(response.status());
        out.write(' ');
        out.writeLatin1(response.reason());
        out.crlf();
    }

    /**
     * Writes Content-Length field {@code i} with a single value. A list of identical values ({@code 5, 5}), which
     * framing accepted, must become one value before the message is forwarded (RFC 9110 section 8.6).
     */
    private static void writeContentLength(Headers h, int i, HttpOutput out) throws IOException {
        String value = h.value(i);
        int comma = value.indexOf(',');
        if (comma < 0) {
            h.writeLine(i, out);
            return;
        }
        out.writeLatin1(h.name(i));
        out.writeLatin1(": ");
        out.writeLatin1(value.substring(0, comma).strip());
        out.crlf();
    }

    /**
     * Writes the message's Transfer-Encoding fields as one, in the form framing read them
     * ({@link BodyFraming#forwardedCodings}): a value passed on byte for byte could be read otherwise by the next
     * hop ({@code ,chunked,} as no coding at all), which would then frame the body differently from wiretap.
     */
    private static void writeTransferEncoding(String codings, HttpOutput out) throws IOException {
        out.writeLatin1("Transfer-Encoding: ");
        out.writeLatin1(codings);
        out.crlf();
    }

    /** RFC 9110 section 7.6.1: fields that apply to one connection only. */
    static boolean isHopByHop(Headers h, int i, ConnectionOptions connection, boolean upgrade) {
        return h.nameIs(i, "Connection") || h.nameIs(i, "Keep-Alive") || h.nameIs(i, "Proxy-Connection")
                || h.nameIs(i, "TE") || h.nameIs(i, "Trailer") || (!upgrade && h.nameIs(i, "Upgrade"))
                || connection.names(h, i);
    }
}
