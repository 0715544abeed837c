package dev.wiretap.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Another HTTP proxy that wiretap forwards through ({@code --upstream-proxy http://user:password@host:port}).
 * Plain-HTTP requests go to it in absolute form; CONNECT tunnels are opened through it with CONNECT; either carries
 * {@code Proxy-Authorization: Basic} when the URL has a user. An {@code https://} proxy is reached over TLS (the
 * requests and tunnels then go inside that TLS connection). Immutable.
 *
 * <p>The password is a secret: {@link #toString()} shows it as {@code ***}, and so does every message this class
 * makes; only {@link #url()} (for handing the value on to the config loader) and {@link #basicCredentials()} (for the
 * wire) hold it.
 *
 * @param scheme   {@code http} or {@code https} (TLS to the proxy itself)
 * @param address  the proxy's host and port
 * @param user     the user name, percent-decoded; empty for none
 * @param password the password, percent-decoded; empty for none
 */
public record UpstreamProxy(String scheme, HostPort address, String user, String password) {

    private static final String USERINFO_SAFE = "-._~!$&'()*+,;=";

    public UpstreamProxy {
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("an upstream proxy is reached over http or https, not '" + scheme + "'");
        }
        if (address == null) {
            throw new IllegalArgumentException("upstream proxy address is missing");
        }
        if (user == null || password == null) {
            throw new IllegalArgumentException("user and password may be empty but not missing");
        }
    }

    /** A plain-HTTP proxy without credentials. */
    public UpstreamProxy(HostPort address) {
        this("http", address, "", "");
    }

    /**
     * Parses {@code http://[user[:password]@]host[:port]} or {@code https://...}, as curl reads a proxy URL: the user
     * and password are percent-decoded ({@code %40} for an {@code @}, {@code %3A} for a colon), the port defaults to
     * 8080 for http (as for most proxies) and 443 for https. A path, query or fragment is refused. Error messages
     * never show the password.
     */
    public static UpstreamProxy parse(String text) {
        String s = text.strip();
        int schemeEnd = s.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("upstream proxy must be an http:// or https:// URL, got '" + redact(text) + "'");
        }
        String scheme = s.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("upstream proxy must be an http:// or https:// URL, got '" + redact(text) + "'");
        }
        String rest = s.substring(schemeEnd + 3);
        int authorityEnd = firstOf(rest, "/?#");
        String authority = rest.substring(0, authorityEnd);
        String after = rest.substring(authorityEnd);
        if (!after.isEmpty() && !after.equals("/")) {
            throw new IllegalArgumentException("upstream proxy URL '" + redact(text) + "' must not have a path, query or fragment"
                    + (authority.indexOf('@') < 0 && after.indexOf('@') >= 0
                    ? " (a '/', '?' or '#' in a user name or password is written %2F, %3F, %23)" : ""));
        }
        // The last @ ends the user information, so that a password with a raw @ still parses (as browsers read it).
        int at = authority.lastIndexOf('@');
        String user = "";
        String password = "";
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            user = percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name", text);
            password = colon < 0 ? "" : percentDecode(userInfo.substring(colon + 1), "password", text);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("upstream proxy URL '" + redact(text) + "' has credentials without a user name");
            }
            authority = authority.substring(at + 1);
        }
        return new UpstreamProxy(scheme, hostPort(authority, scheme.equals("https") ? 443 : 8080, text), user, password);
    }

    /** True when wiretap talks TLS to the proxy itself. */
    public boolean isTls() {
        return scheme.equals("https");
    }

    public boolean hasCredentials() {
        return !user.isEmpty();
    }

    /**
     * The value of a {@code Proxy-Authorization} field for these credentials (RFC 7617: {@code user:password} in
     * UTF-8, base64); only meaningful when {@link #hasCredentials()}.
     */
    public String basicCredentials() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The URL with the password, percent-encoded so that {@link #parse} reads it back as this proxy. For handing the
     * value on (a flag to the config loader); never for showing.
     */
    public String url() {
        return scheme + "://" + (hasCredentials() ? percentEncode(user) + (password.isEmpty() ? "" : ":" + percentEncode(password)) + "@" : "")
                + address;
    }

    /** The URL as shown to people: the password, if any, as {@code ***} ({@code http://alice:***@proxy.corp:3128}). */
    @Override
    public String toString() {
        return scheme + "://" + (hasCredentials() ? percentEncode(user) + (password.isEmpty() ? "" : ":***") + "@" : "") + address;
    }

    /**
     * {@code text} with the password of any {@code scheme://user:password@} in it replaced by {@code ***}, for error
     * messages that quote what the user wrote.
     */
    public static String redact(String text) {
        int schemeEnd = text.indexOf("://");
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int at = text.lastIndexOf('@');
        if (at < start) {
            return text;
        }
        int colon = text.indexOf(':', start);
        return colon < 0 || colon > at ? text : text.substring(0, colon + 1) + "***" + text.substring(at);
    }

    private static HostPort hostPort(String authority, int defaultPort, String text) {
        if (authority.isEmpty() || authority.startsWith(":")) {
            throw new IllegalArgumentException("upstream proxy URL '" + redact(text) + "' has no host");
        }
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("upstream proxy URL '" + redact(text) + "' has an unclosed [ in its host");
            }
            host = authority.substring(1, close);
            String tail = authority.substring(close + 1);
            if (!tail.isEmpty() && !tail.startsWith(":")) {
                throw new IllegalArgumentException("upstream proxy URL '" + redact(text) + "' has something after its host: '" + tail + "'");
            }
            port = tail.isEmpty() ? "" : tail.substring(1);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (host.isEmpty() || !host.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == ':')) {
            throw new IllegalArgumentException("upstream proxy URL '" + redact(text) + "' has no valid host");
        }
        if (port.isEmpty()) {
            return new HostPort(host, defaultPort);
        }
        if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + port + "' in upstream proxy URL '" + redact(text) + "' is not a port number");
        }
        int value = Integer.parseInt(port);
        if (value == 0 || value > 65535) {
            throw new IllegalArgumentException("upstream proxy URL '" + redact(text) + "' has port " + value
                    + (value == 0 ? ", which no proxy listens on" : ", above 65535"));
        }
        return new HostPort(host, value);
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    private static String percentDecode(String s, String what, String text) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("the " + what + " in upstream proxy URL '" + redact(text)
                        + "' has a '%' not followed by two hex digits (write a '%' as %25)");
            }
            bytes.write(hi * 16 + lo);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String percentEncode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || USERINFO_SAFE.indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
