package dev.wiretap.proxy.websocket;

import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import java.util.Locale;

/**
 * Whether an upgrade is a WebSocket's opening handshake (RFC 6455 section 4): a request whose {@code Upgrade} names
 * {@code websocket}, and a 101 that names it too and carries {@code Sec-WebSocket-Accept}, which every server must
 * send (section 4.2.2). Any other upgraded connection is relayed unread. Stateless.
 */
public final class Handshake {

    private Handshake() {
    }

    /** Whether the request asks to upgrade to WebSocket. */
    public static boolean isAsked(Request request) {
        return namesWebSocket(request.headers());
    }

    /** Whether a 101 accepted a WebSocket: the connection now carries WebSocket frames. */
    public static boolean isAccepted(Response response) {
        return response.status() == 101 && namesWebSocket(response.headers())
                && response.headers().contains("Sec-WebSocket-Accept");
    }

    private static boolean namesWebSocket(Headers headers) {
        for (String value : headers.all("Upgrade")) {
            for (String protocol : value.split(",")) {
                String p = protocol.strip().toLowerCase(Locale.ROOT);
                if (p.equals("websocket") || p.startsWith("websocket/")) {
                    return true;
                }
            }
        }
        return false;
    }
}
