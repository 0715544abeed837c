package dev.wiretap.proxy.websocket;

import dev.wiretap.proxy.flow.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The extensions a WebSocket handshake's 101 agreed to ({@code Sec-WebSocket-Extensions}, RFC 6455 section 9.1): for
 * permessage-deflate (RFC 7692), whether it is in use and whether each side starts every message afresh
 * ({@code client_no_context_takeover}, {@code server_no_context_takeover}); and any extension wiretap does not know,
 * whose frames it then cannot read (it may give meaning to the RSV bits). Immutable.
 *
 * @param deflate          whether permessage-deflate is in use
 * @param clientResets     whether the client's compressor starts each message afresh
 * @param serverResets     whether the server's compressor starts each message afresh
 * @param unknown          the names of the other extensions agreed, comma-separated; empty when none
 */
public record AgreedExtensions(boolean deflate, boolean clientResets, boolean serverResets, String unknown) {

    public static final AgreedExtensions NONE = new AgreedExtensions(false, false, false, "");

    /** Reads the extensions from a 101's fields. */
    public static AgreedExtensions of(Headers response) {
        boolean deflate = false;
        boolean clientResets = false;
        boolean serverResets = false;
        List<String> unknown = new ArrayList<>();
        for (String value : response.all("Sec-WebSocket-Extensions")) {
            for (String extension : value.split(",")) {
                String[] parts = extension.split(";");
                String name = parts[0].strip().toLowerCase(Locale.ROOT);
                if (name.isEmpty()) {
                    continue;
                }
                if (!name.equals("permessage-deflate") || deflate) {
                    unknown.add(name); // a second permessage-deflate would claim RSV1 twice: not one wiretap can read
                    continue;
                }
                deflate = true;
                for (int i = 1; i < parts.length; i++) {
                    String param = parts[i].strip().toLowerCase(Locale.ROOT);
                    int eq = param.indexOf('=');
                    String key = (eq < 0 ? param : param.substring(0, eq)).strip();
                    clientResets |= key.equals("client_no_context_takeover");
                    serverResets |= key.equals("server_no_context_takeover");
                }
            }
        }
        return new AgreedExtensions(deflate, clientResets, serverResets, String.join(", ", unknown));
    }

    /** Whether wiretap can read the socket's frames: no extension it does not know is in use. */
    public boolean isReadable() {
        return unknown.isEmpty();
    }
}
