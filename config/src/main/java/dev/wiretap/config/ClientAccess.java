package dev.wiretap.config;

import java.util.List;
import java.util.Objects;

/**
 * Who may use the proxy: the credentials a client must give (proxy authentication, Basic, RFC 9110 section 11.7.1)
 * and the addresses it may connect from. Neither is on by default: wiretap listens on loopback, where only this
 * machine reaches it. Immutable.
 *
 * <p>The password is a secret: {@link #toString()} and {@link #authText(boolean)} without it show {@code ***}.
 *
 * @param user     the user name clients must give; empty: no proxy authentication
 * @param password its password (empty exactly when {@code user} is)
 * @param allow    the client addresses admitted; empty: every address
 */
public record ClientAccess(String user, String password, List<Cidr> allow) {

    public static final ClientAccess OPEN = new ClientAccess("", "", List.of());

    public ClientAccess {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        allow = List.copyOf(allow);
        if (user.isEmpty() != password.isEmpty()) {
            throw new IllegalArgumentException("proxy authentication needs a user and a password: USER:PASSWORD");
        }
        checkText(user, "user name");
        checkText(password, "password");
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a user name cannot hold ':' (Basic authentication, RFC 7617 section 2)");
        }
    }

    /**
     * Reads {@code USER:PASSWORD} (the password may hold colons); empty text for none. Messages never show the password.
     */
    public static ClientAccess parseAuth(String text, List<Cidr> allow) {
        if (text.isEmpty()) {
            return new ClientAccess("", "", allow);
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("proxy authentication is USER:PASSWORD, both not empty");
        }
        return new ClientAccess(text.substring(0, colon), text.substring(colon + 1), allow);
    }

    /** Printable, not control characters: they would not survive a header field (RFC 9110 section 5.5). */
    private static void checkText(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("the " + what + " holds a control character at " + (i + 1));
            }
        }
    }

    /** Whether clients must authenticate. */
    public boolean requiresAuth() {
        return !user.isEmpty();
    }

    /** Whether only some addresses are admitted. */
    public boolean hasAllowList() {
        return !allow.isEmpty();
    }

    /** {@code USER:PASSWORD} as written in the file, the password as {@code ***} unless {@code withPassword}; empty for none. */
    public String authText(boolean withPassword) {
        return user.isEmpty() ? "" : user + ":" + (withPassword ? password : "***");
    }

    public ClientAccess withAuth(ClientAccess auth) {
        return new ClientAccess(auth.user, auth.password, allow);
    }

    public ClientAccess withAllow(List<Cidr> value) {
        return new ClientAccess(user, password, value);
    }

    @Override
    public String toString() {
        return "ClientAccess[auth=" + authText(false) + ", allow=" + allow + "]";
    }
}
