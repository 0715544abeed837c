package dev.wiretap.proxy.http1;

import dev.wiretap.config.FieldChars;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a message body is delimited, decided in one place for requests and responses (RFC 9112 section 6.3).
 * A message whose framing is in doubt is refused rather than guessed at, since a proxy that reads a length
 * differently from the origin behind it lets one request hide inside another (request smuggling).
 */
public sealed interface BodyFraming {

    /** No body. */
    record None() implements BodyFraming {
    }

    /** Content-Length bytes. */
    record Fixed(long length) implements BodyFraming {
    }

    /** Transfer-Encoding: chunked. */
    record Chunked() implements BodyFraming {
    }

    /** A response body that runs until the origin closes the connection. */
    record UntilClose() implements BodyFraming {
    }

    BodyFraming NONE = new None();
    BodyFraming CHUNKED = new Chunked();
    BodyFraming UNTIL_CLOSE = new UntilClose();

    /**
     * The framing of a request body. Refused with 400: Transfer-Encoding together with Content-Length, in an
     * HTTP/1.0 request, or without chunked as the final coding; chunked applied twice; a transfer coding with
     * parameters ({@code chunked;foo=bar}) or that is not a plain name; a Content-Length that is not digits,
     * overflows, or differs between duplicates. An unknown transfer coding gets 501.
     */
    static BodyFraming ofRequest(Request request) throws ProtocolException {
        Headers h = request.headers();
        int te = h.indexOf("Transfer-Encoding", 0);
        if (te >= 0) {
            if (h.contains("Content-Length")) {
                throw ProtocolException.badRequest("both Transfer-Encoding and Content-Length");
            }
            if (request.version() == HttpVersion.HTTP_1_0) {
                throw ProtocolException.badRequest("Transfer-Encoding in an HTTP/1.0 request");
            }
            List<String> codings = transferCodings(h, Party.CLIENT);
            ChunkedPosition chunked = chunkedPosition(codings);
            if (chunked != ChunkedPosition.TWICE && hasUnknownCoding(codings)) {
                throw new ProtocolException(501, "unknown transfer coding");
            }
            if (chunked != ChunkedPosition.LAST) {
                throw ProtocolException.badRequest("chunked is not the final transfer coding");
            }
            return CHUNKED;
        }
        long length = contentLength(h, Party.CLIENT);
        return length < 0 ? NONE : length == 0 ? NONE : new Fixed(length);
    }

    /**
     * The framing of a response to a request with {@code requestMethod} (RFC 9112 section 6.3 rules 1 to 7).
     * Faults are 502s, a transfer coding with parameters or that is not a plain name among them.
     */
    static BodyFraming ofResponse(String requestMethod, Response response) throws ProtocolException {
        int status = response.status();
        if (requestMethod.equals("HEAD") || status < 200 || status == 204 || status == 304) {
            return NONE;
        }
        Headers h = response.headers();
        if (h.contains("Transfer-Encoding")) {
            if (h.contains("Content-Length")) {
                throw new ProtocolException(502, "origin sent both Transfer-Encoding and Content-Length");
            }
            if (response.version() == HttpVersion.HTTP_1_0) {
                throw new ProtocolException(502, "origin sent Transfer-Encoding in an HTTP/1.0 response");
            }
            // Chunked as the final coding frames the body whatever codings come before it (RFC 9112 section 6.3
            // rule 4); those are the client's to decode.
            return switch (chunkedPosition(transferCodings(h, Party.ORIGIN))) {
                case LAST -> CHUNKED;
                case TWICE -> throw new ProtocolException(502, "origin applied chunked twice");
                default -> UNTIL_CLOSE;
            };
        }
        long length = contentLength(h, Party.ORIGIN);
        return length < 0 ? UNTIL_CLOSE : length == 0 ? NONE : new Fixed(length);
    }

    /** True for a framing that ends on its own (the connection can carry another message after it). */
    default boolean isSelfDelimited() {
        return !(this instanceof UntilClose);
    }

    enum ChunkedPosition { ABSENT, LAST, NOT_LAST, TWICE }

    private static ChunkedPosition chunkedPosition(List<String> codings) {
        int chunked = 0;
        boolean chunkedLast = false;
        for (String coding : codings) {
            chunkedLast = coding.equals("chunked");
            if (chunkedLast) {
                chunked++;
            }
        }
        if (chunked > 1) {
            return ChunkedPosition.TWICE;
        }
        return chunkedLast ? ChunkedPosition.LAST : chunked == 1 ? ChunkedPosition.NOT_LAST : ChunkedPosition.ABSENT;
    }

    private static boolean hasUnknownCoding(List<String> codings) {
        for (String coding : codings) {
            if (!(coding.equals("chunked") || coding.equals("gzip") || coding.equals("x-gzip") || coding.equals("deflate")
                    || coding.equals("compress") || coding.equals("x-compress"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The transfer codings of every Transfer-Encoding field, in order, each a plain name. A coding with parameters
     * is refused: none of the registered codings defines any, chunked's "SHOULD be treated as an error" (RFC 9112
     * section 7.1), and a peer that reads {@code chunked;foo=bar} as something else than chunked would frame the
     * body differently from wiretap. What passes is forwarded as {@link #forwardedCodings} writes it, so the next hop
     * reads the codings wiretap read, whatever spelling came in.
     */
    private static List<String> transferCodings(Headers h, Party party) throws ProtocolException {
        List<String> codings = codingsAsRead(h);
        for (String coding : codings) {
            for (int i = 0; i < coding.length(); i++) {
                if (!FieldChars.isTchar(coding.charAt(i))) {
                    throw party.fault(400, coding.indexOf(';') >= 0 ? "a transfer coding with parameters"
                            : "a transfer coding that is not a plain name");
                }
            }
        }
        return codings;
    }

    /**
     * The one Transfer-Encoding value that stands for all of a message's Transfer-Encoding fields when it is
     * forwarded: the codings lower-cased, joined by {@code ", "}, without the empty list elements a recipient must
     * skip (RFC 9110 section 5.6.1) and the spaces and case a next hop might read otherwise ({@code , Chunked,}
     * goes on as {@code chunked}).
     */
    static String forwardedCodings(Headers h) {
        return String.join(", ", codingsAsRead(h));
    }

    /** The elements of every Transfer-Encoding field, stripped and lower-cased, empty ones skipped. */
    private static List<String> codingsAsRead(Headers h) {
        List<String> codings = new ArrayList<>(2);
        for (int i = 0; i < h.size(); i++) {
            if (!h.nameIs(i, "Transfer-Encoding")) {
                continue;
            }
            for (String part : h.value(i).split(",", -1)) {
                String coding = part.strip().toLowerCase(Locale.ROOT);
                if (!coding.isEmpty()) {
                    codings.add(coding);
                }
            }
        }
        return codings;
    }

    /**
     * The Content-Length, or -1 if absent. Duplicates (separate fields or a list) are accepted only when every
     * value is the same (RFC 9110 section 8.6).
     */
    private static long contentLength(Headers h, Party party) throws ProtocolException {
        long length = -1;
        for (int i = 0; i < h.size(); i++) {
            if (!h.nameIs(i, "Content-Length")) {
                continue;
            }
            for (String part : h.value(i).split(",", -1)) {
                long value = parseLength(part.strip(), party);
                if (length >= 0 && value != length) {
                    throw party.fault(400, "Content-Length fields that differ");
                }
                length = value;
            }
        }
        return length;
    }

    private static long parseLength(String digits, Party party) throws ProtocolException {
        if (digits.isEmpty() || digits.length() > 18) {
            throw party.fault(400, digits.isEmpty() ? "an empty Content-Length" : "a Content-Length too large");
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw party.fault(400, "an invalid Content-Length");
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
