package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.flow.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a message's Connection field (and, for HTTP/1.0 peers, Proxy-Connection) says: close, keep-alive,
 * upgrade, and which other fields are meant for this hop only (RFC 9110 section 7.6.1). Immutable.
 */
public record ConnectionOptions(boolean close, boolean keepAlive, boolean upgrade, List<String> hopFields) {

    private static final ConnectionOptions NONE = new ConnectionOptions(false, false, false, List.of());

    public static ConnectionOptions of(Headers headers) {
        ConnectionOptions result = NONE;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.nameIs(i, "Connection") || headers.nameIs(i, "Proxy-Connection")) {
                result = result.merge(headers.value(i));
            }
        }
        return result;
    }

    private ConnectionOptions merge(String value) {
        boolean c = close;
        boolean k = keepAlive;
        boolean u = upgrade;
        List<String> named = new ArrayList<>(hopFields);
        for (String token : value.split(",")) {
            String t = token.strip().toLowerCase(Locale.ROOT);
            switch (t) {
                case "" -> { }
                case "close" -> c = true;
                case "keep-alive" -> k = true;
                case "upgrade" -> u = true;
                default -> named.add(t);
            }
        }
        return new ConnectionOptions(c, k, u, List.copyOf(named));
    }

    /**
     * True if field {@code index} of {@code headers} is one that Connection names. Fields that frame the message or
     * name its target (Content-Length, Transfer-Encoding, Host) never count: a client that lists them in Connection
     * would otherwise have wiretap strip the framing the origin needs, and smuggle its body in as a request.
     */
    public boolean names(Headers headers, int index) {
        if (hopFields.isEmpty() || headers.nameIs(index, "Content-Length") || headers.nameIs(index, "Transfer-Encoding")
                || headers.nameIs(index, "Host")) {
            return false;
        }
        for (String field : hopFields) {
            if (headers.nameIs(index, field)) {
                return true;
            }
        }
        return false;
    }
}
