package dev.wiretap.proxy.upstream;

import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * What wiretap says when an upstream proxy refuses a tunnel or a request: the proxy (by its address, never its
 * password), what it refused, its status, and for a 407 (RFC 9110 section 15.5.8) what to do: give credentials, or
 * check them, or know that the proxy wants a scheme other than Basic, the only one wiretap sends. Used by the
 * {@link Dialer} for CONNECT and by the forwarder for plain requests. Stateless.
 */
public final class ProxyRefusal {

    private static final int MAX_CHALLENGE_CHARS = 120;

    private ProxyRefusal() {
    }

    /**
     * {@code upstream proxy proxy.corp:3128 refused a tunnel to example.com:443: 407 Proxy Authentication Required; it
     * wants credentials ...}.
     *
     * @param what what was refused: {@code a tunnel to example.com:443}, {@code a request to example.com:80}
     */
    public static String describe(UpstreamProxy proxy, String what, Response response) {
        String refused = "upstream proxy " + proxy.address() + " refused " + what + ": " + response.status() + " " + response.reason();
        return response.status() == 407 ? refused + "; " + advice(proxy, response) : refused;
    }

    private static String advice(UpstreamProxy proxy, Response response) {
        List<String> challenges = response.headers().all("Proxy-Authenticate");
        List<String> schemes = new ArrayList<>();
        for (String challenge : challenges) {
            schemes.addAll(schemes(challenge));
        }
        String shown = String.join(", ", challenges);
        if (shown.length() > MAX_CHALLENGE_CHARS) {
            shown = shown.substring(0, MAX_CHALLENGE_CHARS) + "...";
        }
        String challenge = shown.isEmpty() ? "" : " (Proxy-Authenticate: " + shown + ")";
        if (!schemes.isEmpty() && schemes.stream().noneMatch(s -> s.equalsIgnoreCase("Basic"))) {
            return "it asks for " + String.join(", ", schemes) + " authentication" + challenge
                    + ", and wiretap sends Basic credentials only";
        }
        if (!proxy.hasCredentials()) {
            return "it wants credentials" + challenge + ": give them in its URL, " + proxy.scheme() + "://USER:PASSWORD@"
                    + proxy.address();
        }
        return "it did not accept the credentials of user '" + proxy.user() + "'" + challenge;
    }

    /**
     * The authentication schemes a Proxy-Authenticate field offers (RFC 9110 section 11.6.1): in a comma-separated
     * list of challenges and their parameters, a scheme is an element whose first word is not followed by '='.
     */
    static List<String> schemes(String field) {
        List<String> schemes = new ArrayList<>();
        StringBuilder element = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i <= field.length(); i++) {
            char c = i < field.length() ? field.charAt(i) : ',';
            if (c == '"' && (i == 0 || field.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                String e = element.toString().strip();
                String first = e.split("[ \t]", 2)[0];
                boolean param = first.indexOf('=') >= 0 || e.substring(first.length()).strip().startsWith("=");
                if (!first.isEmpty() && !param) {
                    schemes.add(first);
                }
                element.setLength(0);
            } else {
                element.append(c);
            }
        }
        return schemes;
    }
}
