package dev.wiretap.proxy.upstream;

import dev.wiretap.proxy.io.ReadTimer;
import dev.wiretap.config.HostMap;
import dev.wiretap.config.Limits;
import dev.wiretap.config.Timeouts;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.tls.CertificateProblem;
import dev.wiretap.proxy.tls.UpstreamTrust;
import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.http1.ResponseParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Opens connections to origins: resolves the name (timed, for the flow's DNS phase), connects with a timeout
 * trying each address in turn (timed, for the connect phase), refuses to connect back to wiretap itself, goes
 * through the upstream proxy when one is set (CONNECT for TLS routes, with the proxy's Basic credentials if it has
 * any; TLS to the proxy itself for an https:// one), and wraps TLS routes in a verified TLS connection with SNI (timed,
 * for the ssl phase). Failures become {@link UpstreamException}s that name the host (or proxy) and the cause; a
 * certificate wiretap does not believe is explained in words ({@link CertificateProblem}). Thread-safe and stateless:
 * every connection thread dials with it.
 */
public final class Dialer {

    private final Timeouts timeouts;
    private final Limits limits;
    private final Predicate<InetSocketAddress> isSelf;
    private final SSLSocketFactory tls;
    private final boolean verifyHostnames;
    private final BufferPool headBuffers;
    private final HostRemap remap;

    /**
     * @param isSelf      true for an address that is wiretap's own listener (a request there would loop)
     * @param tls         makes TLS connections to origins (trust is its business)
     * @param headBuffers buffers for writing CONNECT requests to an upstream proxy
     */
    public Dialer(Timeouts timeouts, Limits limits, Predicate<InetSocketAddress> isSelf, SSLSocketFactory tls, BufferPool headBuffers) {
        this(timeouts, limits, isSelf, tls, true, headBuffers);
    }

    /**
     * @param verifyHostnames whether an origin's certificate must name the host (off only with verification off)
     */
    public Dialer(Timeouts timeouts, Limits limits, Predicate<InetSocketAddress> isSelf, SSLSocketFactory tls,
                  boolean verifyHostnames, BufferPool headBuffers) {
        this(timeouts, limits, isSelf, tls, verifyHostnames, headBuffers, new HostRemap(HostMap.NONE));
    }

    /**
     * @param remap host names connected to at addresses of the user's choosing; the TLS name stays the host's
     */
    public Dialer(Timeouts timeouts, Limits limits, Predicate<InetSocketAddress> isSelf, SSLSocketFactory tls,
                  boolean verifyHostnames, BufferPool headBuffers, HostRemap remap) {
        this.remap = remap;
        this.timeouts = timeouts;
        this.limits = limits;
        this.isSelf = isSelf;
        this.tls = tls;
        this.verifyHostnames = verifyHostnames;
        this.headBuffers = headBuffers;
    }

    /**
     * Connects to where {@code route} leads: the origin, or the upstream proxy (through which, for a TLS route, a
     * tunnel to the origin is opened). A TLS route comes back with its handshake done. Records the DNS, connect and TLS
     * phases on {@code flow}.
     */
    public Socket dial(Route route, LiveFlow flow) throws UpstreamException {
        return dial(route, flow, false);
    }

    /**
     * As {@link #dial(Route, LiveFlow)}, offering {@code h2} beside {@code http/1.1} in ALPN when {@code offerH2}: whichever
     * the origin picks is the socket's {@link #isHttp2(Socket)}.
     */
    public Socket dial(Route route, LiveFlow flow, boolean offerH2) throws UpstreamException {
        Socket socket = route.isTls() || route.proxy().isEmpty() ? dialTunnel(route, flow)
                : connectToProxy(route.proxy().get(), flow);
        if (!route.isTls()) {
            return socket;
        }
        long start = System.nanoTime();
        try {
            return secure(socket, route, offerH2);
        } finally {
            flow.setSslNanos(System.nanoTime() - start);
        }
    }

    /** Starts TLS (verified, with SNI) on a connection already open towards a TLS route's origin. */
    public Socket secure(Socket plain, Route route) throws UpstreamException {
        return secure(plain, route, false);
    }

    /** As {@link #secure(Socket, Route)}, offering {@code h2} too when {@code offerH2}. */
    public Socket secure(Socket plain, Route route, boolean offerH2) throws UpstreamException {
        return route.isTls() ? handshake(plain, route.tlsName(), route.port(), "", offerH2) : plain;
    }

    /** Whether the origin picked HTTP/2 in the TLS handshake of {@code socket} (ALPN {@code h2}). */
    public static boolean isHttp2(Socket socket) {
        return socket instanceof SSLSocket tls && "h2".equals(tls.getApplicationProtocol());
    }

    /**
     * A connection to {@code route}'s origin that carries bytes as they are: plain TCP, or a tunnel through the upstream
     * proxy if one is set (inside TLS to the proxy, for an https:// one; the connect phase recorded on {@code flow} then
     * includes asking it for the tunnel). For a CONNECT tunnel, or to start TLS on.
     */
    public Socket dialTunnel(Route route, LiveFlow flow) throws UpstreamException {
        if (route.proxy().isEmpty()) {
            return connect(route.host(), route.port(), flow, "");
        }
        UpstreamProxy proxy = route.proxy().get();
        Socket socket = connectToProxy(proxy, flow);
        long start = System.nanoTime();
        openTunnel(socket, route, proxy);
        flow.setConnectNanos(flow.timings().connectNanos() + System.nanoTime() - start);
        return socket;
    }

    /** Connects to the upstream proxy, and for an https:// one makes the TLS connection to it (verified as sites are). */
    private Socket connectToProxy(UpstreamProxy proxy, LiveFlow flow) throws UpstreamException {
        Socket socket = connect(proxy.address().host(), proxy.address().port(), flow, "upstream proxy ");
        return proxy.isTls() ? handshake(socket, proxy.address().host(), proxy.address().port(), "upstream proxy ") : socket;
    }

    private Socket connect(String host, int port, LiveFlow flow, String role) throws UpstreamException {
        long t0 = System.nanoTime();
        InetAddress[] addresses;
        // An origin's name mapped by the user (hosts:) is connected to at that address, never looked up.
        Optional<HostMap.Target> mapped = role.isEmpty() ? remap.lookup(host) : Optional.empty();
        if (mapped.isPresent() && mapped.get().port() > 0) {
            port = mapped.get().port();
        }
        try {
            addresses = mapped.isPresent() ? new InetAddress[] {InetAddress.getByAddress(host, mapped.get().addressBytes())}
                    : InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            flow.setDnsNanos(System.nanoTime() - t0);
            throw new UpstreamException(FlowError.Kind.DNS, 502, "cannot resolve " + role + "host " + host + " (DNS lookup failed)");
        }
        long t1 = System.nanoTime();
        flow.setDnsNanos(t1 - t0);
        IOException last = null;
        for (InetAddress address : addresses) {
            InetSocketAddress target = new InetSocketAddress(address, port);
            if (isSelf.test(target)) {
                throw new UpstreamException(FlowError.Kind.LOOP, 508,
                        role + host + ":" + port + " is wiretap itself; the request would loop");
            }
            Socket socket;
            try {
                // Channel-backed, so that big bodies and tunnels can be relayed through the channel without a copy.
                socket = java.nio.channels.SocketChannel.open().socket();
            } catch (IOException e) {
                throw new UpstreamException(FlowError.Kind.INTERNAL, 502, "cannot open a socket: " + e.getMessage());
            }
            try {
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                socket.connect(target, (int) timeouts.upstreamConnect().toMillis());
                flow.setConnectNanos(System.nanoTime() - t1);
                return socket;
            } catch (IOException e) {
                closeQuietly(socket);
                last = e;
            }
        }
        flow.setConnectNanos(System.nanoTime() - t1);
        throw connectFailure(role + host + ":" + port + mapped.map(t -> " (hosts: " + t.address() + ")").orElse(""), last);
    }

    private UpstreamException connectFailure(String what, IOException e) {
        if (e instanceof SocketTimeoutException) {
            return new UpstreamException(FlowError.Kind.UPSTREAM_TIMEOUT, 504,
                    "timed out connecting to " + what + " after " + timeouts.upstreamConnect().toMillis() + " ms");
        }
        if (e instanceof ConnectException) {
            return new UpstreamException(FlowError.Kind.CONNECT, 502, "connection refused by " + what);
        }
        if (e instanceof NoRouteToHostException) {
            return new UpstreamException(FlowError.Kind.CONNECT, 502, "no route to " + what);
        }
        String reason = e == null || e.getMessage() == null ? "unknown error" : e.getMessage();
        return new UpstreamException(FlowError.Kind.CONNECT, 502, "cannot connect to " + what + ": " + reason);
    }

    /** Asks the upstream proxy for a tunnel to the route's origin (RFC 9110 section 9.3.6). */
    private void openTunnel(Socket socket, Route route, UpstreamProxy proxy) throws UpstreamException {
        String target = route.hostPort();
        try {
            socket.setSoTimeout((int) timeouts.upstreamRead().toMillis());
            HttpOutput out = new HttpOutput(socket.getOutputStream(), headBuffers);
            out.writeLatin1("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
                    + (proxy.hasCredentials() ? "Proxy-Authorization: " + proxy.basicCredentials() + "\r\n" : "") + "\r\n");
            out.release();
            // Nothing past the answer's head may be taken from the socket: after a 2xx what follows is the tunnel's
            // (a server-speaks-first protocol such as SSH greets at once) and belongs to whoever uses the tunnel.
            HttpInput in = new HttpInput(new OneByteReads(socket.getInputStream()), 1024, ReadTimer.NONE);
            Response response = new ResponseParser(limits).read(in);
            if (response.status() / 100 != 2) {
                closeQuietly(socket);
                throw new UpstreamException(FlowError.Kind.CONNECT, 502, ProxyRefusal.describe(proxy, "a tunnel to " + target, response));
            }
            socket.setSoTimeout(0); // from here the tunnel's reads are bounded by whoever uses it
        } catch (ProtocolException e) {
            closeQuietly(socket);
            throw new UpstreamException(FlowError.Kind.UPSTREAM_PROTOCOL, 502, "upstream proxy " + proxy.address() + ": " + e.reason());
        } catch (UpstreamException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new UpstreamException(FlowError.Kind.UPSTREAM_TIMEOUT, 504, "upstream proxy " + proxy.address() + " did not answer CONNECT in time");
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UpstreamException(FlowError.Kind.CONNECT, 502, "upstream proxy " + proxy.address() + " failed: " + e.getMessage());
        }
    }

    /** TLS with {@code host:port}, an origin or ({@code role} "upstream proxy ") the upstream proxy itself. */
    private Socket handshake(Socket plain, String host, int port, String role) throws UpstreamException {
        return handshake(plain, host, port, role, false);
    }

    private Socket handshake(Socket plain, String host, int port, String role, boolean offerH2) throws UpstreamException {
        try {
            SSLSocket socket = (SSLSocket) tls.createSocket(plain, host, port, true);
            SSLParameters params = socket.getSSLParameters();
            if (verifyHostnames) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!isIpLiteral(host)) {
                params.setServerNames(List.of(new SNIHostName(host)));
            }
            params.setApplicationProtocols(offerH2 ? new String[] {"h2", "http/1.1"} : new String[] {"http/1.1"});
            socket.setSSLParameters(params);
            socket.setSoTimeout((int) timeouts.upstreamRead().toMillis());
            socket.startHandshake();
            socket.setSoTimeout(0); // from here reads are bounded by the read watchdog
            return socket;
        } catch (SSLException e) {
            closeQuietly(plain);
            String why = UpstreamTrust.problemIn(e).map(CertificateProblem::explanation).orElseGet(() -> handshakeProblem(e));
            throw new UpstreamException(FlowError.Kind.TLS, 502, "TLS handshake with " + role + hostPort(host, port) + " failed: " + why);
        } catch (IOException e) {
            closeQuietly(plain);
            throw new UpstreamException(FlowError.Kind.CONNECT, 502, "TLS connection to " + role + hostPort(host, port) + " failed: "
                    + e.getMessage());
        }
    }

    /**
     * A failure other than a refused certificate (no common protocol or cipher, an alert from the origin): the JDK's
     * message, with the most telling of its causes.
     */
    private static String handshakeProblem(SSLException e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if ((t instanceof java.security.cert.CertificateException || t instanceof java.security.cert.CertPathValidatorException)
                    && t.getMessage() != null && !message.contains(t.getMessage())) {
                message = message + " (" + t.getMessage() + ")";
                break;
            }
        }
        return message;
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** Hands out at most one byte per read, so that a head parser reading through it never reads past the head. */
    private static final class OneByteReads extends FilterInputStream {

        OneByteReads(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket we are abandoning: there is nothing left to report to anyone.
        }
    }
}
