package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.flow.Destination;
import java.util.Locale;

/**
 * The request target in one of its four forms (RFC 9112 section 3.2), taken apart. A forward proxy is sent the
 * absolute form ({@code GET http://host:8000/p?q}) and, for tunnels, the authority form ({@code CONNECT host:443});
 * the origin form ({@code GET /p}) and the asterisk form ({@code OPTIONS *}) are addressed to wiretap itself.
 *
 * @param form          which form
 * @param scheme        {@code http} or {@code https} (absolute form), else empty
 * @param host          lower-cased host, IPv6 literals without brackets (absolute and authority forms), else empty
 * @param port          the explicit port, or the scheme's default (80 when a URL omits it); 0 when no authority
 * @param pathAndQuery  the origin-form target to send upstream ({@code /} when the URL has no path), else empty
 */
public record RequestTarget(Form form, String scheme, String host, int port, String pathAndQuery) {

    public enum Form { ORIGIN, ABSOLUTE, AUTHORITY, ASTERISK }

    /** Parses {@code target} as the target of a request with {@code method}. */
    public static RequestTarget parse(String method, String target) throws ProtocolException {
        if (method.equals("CONNECT")) {
            Authority a = Authority.parse(target, 0, target.length(), true);
            return new RequestTarget(Form.AUTHORITY, "", a.host, a.port, "");
        }
        if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw ProtocolException.badRequest("the asterisk target is only for OPTIONS");
            }
            return new RequestTarget(Form.ASTERISK, "", "", 0, "*");
        }
        if (target.startsWith("/")) {
            checkPath(target);
            return new RequestTarget(Form.ORIGIN, "", "", 0, target);
        }
        return absolute(target);
    }

    /**
     * Checks the Host field (RFC 9112 section 3.2): an HTTP/1.1 request needs exactly one; none may have two; its
     * value must be a valid {@code host[:port]} (or empty). For absolute-form targets the value is then replaced
     * by the target's authority when forwarding, as a proxy must.
     */
    public static void checkHost(dev.wiretap.proxy.flow.Request request) throws ProtocolException {
        dev.wiretap.proxy.flow.Headers h = request.headers();
        int first = h.indexOf("Host", 0);
        if (first < 0) {
            if (request.version() == dev.wiretap.proxy.flow.HttpVersion.HTTP_1_1) {
                throw ProtocolException.badRequest("missing Host header (required in HTTP/1.1)");
            }
            return;
        }
        if (h.indexOf("Host", first + 1) >= 0) {
            throw ProtocolException.badRequest("more than one Host header");
        }
        String value = h.value(first);
        if (!value.isEmpty()) {
            Authority.parse(value, 0, value.length(), false);
        }
    }

    /**
     * True for an OPTIONS request about the server as a whole rather than one of its resources: the asterisk form,
     * or an absolute URL with an empty path and no query ({@code OPTIONS http://host:8001}), which the last proxy
     * MUST send to the origin as {@code *} (RFC 9112 section 3.2.4). {@code target} is the target as the client
     * sent it; the destination has {@code /} for both.
     */
    public static boolean isServerWide(String method, String target) {
        if (!method.equals("OPTIONS")) {
            return false;
        }
        if (target.equals("*")) {
            return true;
        }
        int scheme = target.indexOf("://");
        return scheme > 0 && target.indexOf('/', scheme + 3) < 0 && target.indexOf('?', scheme + 3) < 0
                && target.indexOf('#', scheme + 3) < 0;
    }

    /** Where an absolute-form request goes. */
    public Destination destination() {
        if (form != Form.ABSOLUTE) {
            throw new IllegalStateException(form + " target has no destination of its own");
        }
        return new Destination(scheme, host, port, pathAndQuery);
    }

    private static RequestTarget absolute(String target) throws ProtocolException {
        int colon = target.indexOf(':');
        if (colon <= 0 || !isScheme(target, colon)) {
            throw ProtocolException.badRequest("request target is neither a path nor an absolute URL");
        }
        String scheme = target.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!target.startsWith("//", colon + 1)) {
            throw ProtocolException.badRequest("absolute URL without an authority (scheme://host)");
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ProtocolException.badRequest("unsupported URL scheme '" + scheme + "' (wiretap proxies http and https)");
        }
        int authorityStart = colon + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < target.length() && "/?#".indexOf(target.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        Authority a = Authority.parse(target, authorityStart, authorityEnd, false);
        int port = a.port == 0 ? Destination.defaultPort(scheme) : a.port;
        String path = target.substring(authorityEnd);
        if (path.isEmpty()) {
            path = "/";
        } else if (path.charAt(0) == '?') {
            path = "/" + path;
        }
        checkPath(path);
        return new RequestTarget(Form.ABSOLUTE, scheme, a.host, port, path);
    }

    private static boolean isScheme(String s, int end) {
        if (!Character.isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < end; i++) {
            char c = s.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.'))) {
                return false;
            }
        }
        return true;
    }

    /** A request target never carries a fragment (RFC 9112 section 3.2). */
    private static void checkPath(String path) throws ProtocolException {
        if (path.indexOf('#') >= 0) {
            throw ProtocolException.badRequest("request target contains a fragment (#)");
        }
    }

    /** host [":" port] as in a URL authority or a Host field (RFC 9110 section 4.2.3, 7.2). */
    record Authority(String host, int port) {

        /**
         * @param portRequired true for CONNECT targets, which must name the port
         * @return the authority; port 0 when absent and not required, or when the port is empty
         */
        static Authority parse(String s, int start, int end, boolean portRequired) throws ProtocolException {
            if (start >= end) {
                throw ProtocolException.badRequest("empty host");
            }
            if (s.lastIndexOf('@', end - 1) >= start) {
                throw ProtocolException.badRequest("user information in the URL is not allowed (RFC 9110 section 4.2.4)");
            }
            String host;
            int portStart;
            if (s.charAt(start) == '[') {
                int close = s.indexOf(']', start);
                if (close < 0 || close >= end) {
                    throw ProtocolException.badRequest("unterminated IPv6 address");
                }
                host = s.substring(start + 1, close);
                if (!isIpv6(host)) {
                    throw ProtocolException.badRequest("invalid IPv6 address [" + host + "]");
                }
                portStart = close + 1;
                if (portStart < end && s.charAt(portStart) != ':') {
                    throw ProtocolException.badRequest("unexpected characters after an IPv6 address");
                }
            } else {
                int colon = s.lastIndexOf(':', end - 1);
                portStart = colon >= start ? colon : end;
                host = s.substring(start, portStart);
                if (host.isEmpty() || !isRegName(host)) {
                    throw ProtocolException.badRequest("invalid host '" + host + "'");
                }
            }
            int port = 0;
            if (portStart < end) {
                String digits = s.substring(portStart + 1, end);
                if (digits.isEmpty() && !portRequired) {
                    port = 0;
                } else if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                        || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
                    throw ProtocolException.badRequest("invalid port '" + digits + "'");
                } else {
                    port = Integer.parseInt(digits);
                }
            } else if (portRequired) {
                throw ProtocolException.badRequest("CONNECT target must be host:port");
            }
            return new Authority(host.toLowerCase(Locale.ROOT), port);
        }

        /** reg-name = *( unreserved / pct-encoded / sub-delims ), which also covers IPv4 literals. */
        private static boolean isRegName(String host) {
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                boolean ok = (c < 128 && Character.isLetterOrDigit(c)) || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isIpv6(String host) {
            if (host.isEmpty() || host.indexOf(':') < 0) {
                return false;
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            return true;
        }
    }
}
