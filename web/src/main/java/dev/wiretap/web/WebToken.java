package dev.wiretap.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The web UI's secret: every page and API call must carry it (a cookie set by the {@code ?token=} visit, or
 * {@code Authorization: Bearer}). Random at each start (144 bits, URL-safe), or the one the config names
 * ({@code web.token}). Compared in constant time. Immutable.
 */
final class WebToken {

    private final String value;

    private WebToken(String value) {
        this.value = value;
    }

    /** {@code fixed} when not empty, else a fresh random one. */
    static WebToken of(String fixed) {
        if (!fixed.isEmpty()) {
            return new WebToken(fixed);
        }
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return new WebToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    String value() {
        return value;
    }

    /** Whether {@code candidate} is this token, in time that does not depend on where they differ. */
    boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The cookie that carries it for the UI on {@code port}. Browsers keep cookies per host, not per port, so two
     * wiretaps on one machine would otherwise overwrite each other's.
     */
    static String cookieName(int port) {
        return "wiretap_token_" + port;
    }

    @Override
    public String toString() {
        return "WebToken[hidden]";
    }
}
