package dev.wiretap.config;

import java.util.Objects;

/**
 * The web UI that wiretap serves beside the proxy (the {@code web} module reads these; the engine never does).
 *
 * @param enabled whether wiretap serves the UI at all (on by default, console or headless)
 * @param listen  where the UI accepts browsers; loopback by default. When this default port is taken, the UI takes a
 *                free one and says which; an address the user asked for that is taken stops wiretap instead
 * @param token   the secret every page and API call must carry; empty (the default) makes a random one at each start.
 *                Only characters that stand in a URL as they are (letters, digits, {@code - . _ ~})
 */
public record WebSettings(boolean enabled, HostPort listen, String token) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 8081);

    public static final WebSettings DEFAULTS = new WebSettings(true, DEFAULT_LISTEN, "");

    public WebSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(token, "token");
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean unreserved = c < 128 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0);
            if (!unreserved) {
                throw new IllegalArgumentException("a web token may hold only letters, digits and - . _ ~ (it goes in a URL as it is); '"
                        + c + "' at " + (i + 1) + " is none of them");
            }
        }
    }

    /** Whether the token is made anew at each start. */
    public boolean hasRandomToken() {
        return token.isEmpty();
    }

    public WebSettings withEnabled(boolean value) {
        return new WebSettings(value, listen, token);
    }

    public WebSettings withListen(HostPort value) {
        return new WebSettings(enabled, value, token);
    }

    public WebSettings withToken(String value) {
        return new WebSettings(enabled, listen, value);
    }
}
