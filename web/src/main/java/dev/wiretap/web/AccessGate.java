package dev.wiretap.web;

import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may use the web UI, checked before anything else on every request, as mitmweb learned to:
 *
 * <ol>
 * <li>the {@code Host} must be the UI's own address or a loopback name, else 403: a page on a name that an attacker
 *     makes resolve to 127.0.0.1 (DNS rebinding) gets nothing, whatever else it sends;</li>
 * <li>the token, from the cookie that the {@code ?token=} visit set, or {@code Authorization: Bearer TOKEN}, else 401
 *     and nothing else. A page visited with the right {@code ?token=} gets the cookie (HttpOnly, SameSite=Strict) and a
 *     redirect to the same page without it, so the token does not stay in the address bar or the history.</li>
 * </ol>
 *
 * A request that reaches the UI through the proxy is a request like any other here: without the token it gets no
 * further. Immutable; called on the connections' threads.
 */
final class AccessGate {

    private final WebToken token;
    private final InetAddress bound;
    private final String listenHost;
    private final String cookieName;

    /**
     * @param bound      the address the UI listens on (a wildcard accepts the addresses of this machine's interfaces)
     * @param listenHost the host as the user wrote it ({@code web.listen}): that name is the UI's own too
     */
    AccessGate(WebToken token, InetAddress bound, int port, String listenHost) {
        this.token = token;
        this.bound = bound;
        this.listenHost = listenHost.toLowerCase(Locale.ROOT);
        this.cookieName = WebToken.cookieName(port);
    }

    /** Empty when the request may go on; else the answer that ends it (403, 401, or the cookie and a redirect). */
    Optional<ServiceResponse> check(ServiceRequest request) {
        String host = hostOf(request.header("Host").orElse(""));
        if (!isOwnHost(host)) {
            return Optional.of(refuse(403, "Host '" + request.header("Host").orElse("") + "' is not this UI's address;"
                    + " open the address wiretap printed (a guard against DNS rebinding)", isApi(request)));
        }
        if (hasToken(request)) {
            return Optional.empty();
        }
        Optional<String> offered = request.query("token");
        if (offered.isPresent() && !isApi(request) && token.matches(offered.get())) {
            return Optional.of(ServiceResponse.text(303, "see " + request.path() + "\n")
                    .with("Location", request.path())
                    .with("Set-Cookie", cookieName + "=" + token.value() + "; Path=/; HttpOnly; SameSite=Strict")
                    .with("Cache-Control", "no-store")
                    .with("Referrer-Policy", "no-referrer"));
        }
        return Optional.of(refuse(401, isApi(request)
                ? "this needs wiretap's web token: send Authorization: Bearer TOKEN (wiretap prints it when it starts)"
                : "this needs wiretap's web token: open the address with ?token= that wiretap printed when it started",
                isApi(request)).with("WWW-Authenticate", "Bearer realm=\"wiretap\""));
    }

    private boolean hasToken(ServiceRequest request) {
        Optional<String> authorization = request.header("Authorization");
        if (authorization.isPresent() && authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return token.matches(authorization.get().substring(7).strip());
        }
        for (String cookies : request.headers().all("Cookie")) {
            for (String cookie : cookies.split(";")) {
                int eq = cookie.indexOf('=');
                if (eq > 0 && cookie.substring(0, eq).strip().equals(cookieName) && token.matches(cookie.substring(eq + 1).strip())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isApi(ServiceRequest request) {
        return request.path().startsWith("/api/");
    }

    private static ServiceResponse refuse(int status, String message, boolean api) {
        return api ? ApiError.of(status, message)
                : ServiceResponse.of(status, "text/plain; charset=utf-8", ("wiretap web UI: " + message + "\n")
                        .getBytes(StandardCharsets.UTF_8)).with("Cache-Control", "no-store");
    }

    /** The host of a Host field's value: without the port, an IPv6 literal without its brackets, lower-cased. */
    static String hostOf(String hostField) {
        String h = hostField.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(1, close);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /**
     * A loopback name ({@code localhost}, {@code *.localhost}), the listen host as written, or an address literal of
     * this UI: loopback, the bound one, or with a wildcard bind one of this machine's. A name can be made to point
     * anywhere; a literal cannot, so no literal of this machine can be a rebinding.
     */
    boolean isOwnHost(String host) {
        if (host.isEmpty()) {
            return false;
        }
        if (host.equals("localhost") || host.endsWith(".localhost") || host.equals(listenHost)) {
            return true;
        }
        if (!isLiteral(host)) {
            return false;
        }
        try {
            InetAddress address = InetAddress.getByName(host); // a literal: parsed, never looked up
            if (address.isLoopbackAddress() || address.equals(bound)) {
                return true;
            }
            return bound.isAnyLocalAddress() && NetworkInterface.getByInetAddress(address) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    private static boolean isLiteral(String h) {
        return h.indexOf(':') >= 0 || (!h.isEmpty() && h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    }
}
