package dev.wiretap.proxy.server;

import dev.wiretap.config.Cidr;
import dev.wiretap.config.ClientAccess;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who may use the proxy ({@link ClientAccess}): a client connection from an address outside {@code clients.allow} is
 * closed as it is accepted, and with {@code clients.auth} every request read on a client's connection (CONNECT
 * included, requests inside a tunnel it opened excepted) must carry the credentials in {@code Proxy-Authorization:
 * Basic} (RFC 9110 section 11.7.2, RFC 7617), else it is answered 407 with a challenge. Connections wiretap makes itself
 * (a replay's) are not checked.
 *
 * <p>Thread-safe: the accept thread asks about addresses, every client's thread about credentials.
 */
public final class ClientGate {

    private static final System.Logger LOG = System.getLogger(ClientGate.class.getName());
    /** Refusals are logged at most once per this many nanoseconds, with how many were not: a flood cannot flood the log. */
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    static final String REALM = "wiretap";

    private final ClientAccess access;
    /**
     * The Basic tokens the clients may send, or null when none is asked for: the credentials in UTF-8 (as curl and
     * browsers send them, and RFC 7617's charset names) and, when that differs, in ISO-8859-1 (as the JDK sends them).
     */
    private final byte[][] expected;
    private final LongAdder refused = new LongAdder();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong unlogged = new AtomicLong();

    public ClientGate(ClientAccess access) {
        this.access = access;
        this.expected = access.requiresAuth() ? tokens(access.user() + ":" + access.password()) : null;
    }

    private static byte[][] tokens(String credentials) {
        byte[] utf8 = Base64.getEncoder().encode(credentials.getBytes(StandardCharsets.UTF_8));
        if (!StandardCharsets.ISO_8859_1.newEncoder().canEncode(credentials)) {
            return new byte[][] {utf8};
        }
        byte[] latin1 = Base64.getEncoder().encode(credentials.getBytes(StandardCharsets.ISO_8859_1));
        return java.util.Arrays.equals(utf8, latin1) ? new byte[][] {utf8} : new byte[][] {utf8, latin1};
    }

    /** No allow-list and no credentials: every client is admitted as it is. */
    static ClientGate open() {
        return new ClientGate(ClientAccess.OPEN);
    }

    /**
     * Whether a client connecting from {@code address} is admitted; a refusal is counted and logged (at most one line a
     * second, saying how many more there were).
     */
    boolean admits(InetAddress address) {
        if (!access.hasAllowList()) {
            return true;
        }
        for (Cidr block : access.allow()) {
            if (block.contains(address)) {
                return true;
            }
        }
        refused.increment();
        logRefusal(address);
        return false;
    }

    private void logRefusal(InetAddress address) {
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last < LOG_EVERY_NANOS || !lastLogNanos.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return;
        }
        long more = unlogged.getAndSet(0);
        LOG.log(System.Logger.Level.WARNING, "refused a client connection from " + address.getHostAddress()
                + ": not in clients.allow " + access.allow() + (more > 0 ? " (and " + more + " more refused since the last such line)" : ""));
    }

    /** Client connections refused for their address since start. */
    public long refusedCount() {
        return refused.sum();
    }

    /** Whether requests must carry credentials. */
    boolean requiresAuth() {
        return expected != null;
    }

    /**
     * Whether {@code request} may go on: no credentials are asked for, or its one {@code Proxy-Authorization} field holds
     * them (the scheme's name in any case, RFC 9110 section 11.1; the credentials compared in constant time).
     */
    boolean authorizes(Request request) {
        if (expected == null) {
            return true;
        }
        Headers headers = request.headers();
        if (headers.count("Proxy-Authorization") != 1) {
            return false;
        }
        String value = headers.first("Proxy-Authorization").orElse("").strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Basic")) {
            return false;
        }
        byte[] given = value.substring(space + 1).strip().getBytes(StandardCharsets.ISO_8859_1);
        boolean matches = false;
        for (byte[] token : expected) {
            matches |= MessageDigest.isEqual(given, token);
        }
        return matches;
    }

    /** The 407 for a request without the right credentials, with the challenge (RFC 9110 section 11.7.1). */
    LocalResponse challenge() {
        return LocalResponse.error(407, "proxy authentication required: give the credentials wiretap was started with"
                + " (clients.auth), e.g. curl -U USER:PASSWORD").with("Proxy-Authenticate", "Basic realm=\"" + REALM + "\"");
    }
}
