package dev.wiretap.proxy.service;

import dev.wiretap.config.HostPort;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * A local HTTP/1.1 service's listening socket: {@link #bind} takes the address (so that a caller can find out that it
 * is taken before anything else starts), {@link #start} begins accepting on one named platform thread
 * ({@code NAME-accept}) and serves each connection on its own virtual thread ({@code NAME-N}) with the
 * {@link ServiceHandler}, keep-alive, and the proxy's limits and timeouts ({@link ServiceOptions}). {@link #stop}
 * closes the listening socket and idle connections at once, and busy ones (a streamed response included) after a
 * grace period. Thread-safe.
 */
public final class ServiceListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ServiceListener.class.getName());
    private static final int BACKLOG = 128;

    private final ServerSocket server;
    private final ServiceOptions options;
    private final Set<ServiceConnection> connections = ConcurrentHashMap.newKeySet();
    private final BufferPool buffers = new BufferPool(16 * 1024, 64);
    private volatile ThreadFactory connectionThreads;
    private final Thread acceptor;
    private volatile ReadWatchdog watchdog;
    private volatile ServiceHandler handler;
    private volatile boolean stopping;

    private ServiceListener(ServerSocket server, ServiceOptions options) {
        this.server = server;
        this.options = options;
        this.acceptor = Thread.ofPlatform().name(options.name() + "-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code address} (port 0: a free port) without accepting yet.
     *
     * @throws IOException if the address cannot be bound; the message names it and says why
     */
    public static ServiceListener bind(HostPort address, ServiceOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(address.host()), address.port()), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        return new ServiceListener(server, options);
    }

    /** Where it listens (the real port when port 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Begins accepting connections and serving their requests with {@code handler}. Once only. */
    public void start(ServiceHandler handler) {
        start(handler, Thread.ofVirtual().name(options.name() + "-", 1).factory());
    }

    /** As {@link #start(ServiceHandler)}, with the threads connections are served on made by {@code threads}. */
    void start(ServiceHandler handler, ThreadFactory threads) {
        if (this.handler != null) {
            throw new IllegalStateException("already started");
        }
        this.connectionThreads = threads;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.watchdog = new ReadWatchdog();
        acceptor.start();
    }

    /** Connections open now. */
    public int openCount() {
        return connections.size();
    }

    ServiceOptions options() {
        return options;
    }

    ReadWatchdog watchdog() {
        return watchdog;
    }

    BufferPool buffers() {
        return buffers;
    }

    boolean isStopping() {
        return stopping;
    }

    void ended(ServiceConnection connection) {
        connections.remove(connection);
    }

    /**
     * Accepts until the listening socket is closed. Nothing else ends it: a failure to accept or to start serving a
     * connection (out of file descriptors, out of memory for a thread, a bug) is reported, that connection is
     * closed, and accepting goes on after a short pause.
     */
    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                acceptOne();
            } catch (Throwable e) {
                if (server.isClosed()) {
                    return;
                }
                try {
                    LOG.log(System.Logger.Level.ERROR, options.name() + ": wiretap bug or resource exhaustion while"
                            + " accepting a connection (accepting goes on): " + e, e);
                } catch (Throwable ignored) {
                    // Reporting failed too (out of memory): accepting must go on all the same.
                }
                sleep(50); // a failure that repeats (out of memory) must not spin
            }
        }
    }

    private void acceptOne() {
        Socket socket;
        try {
            socket = server.accept();
        } catch (IOException e) {
            if (!server.isClosed()) {
                LOG.log(System.Logger.Level.WARNING, options.name() + ": accept failed: " + e.getMessage());
                sleep(50); // e.g. out of file descriptors: do not spin
            }
            return;
        }
        ServiceConnection connection = null;
        try {
            connection = new ServiceConnection(this, handler, socket);
            connections.add(connection);
            if (stopping) {
                connections.remove(connection);
                connection.close();
                return;
            }
            connectionThreads.newThread(connection).start();
        } catch (Throwable e) {
            if (connection != null) {
                connections.remove(connection);
            }
            try {
                socket.close(); // the client gets a closed connection rather than a wait for an answer
            } catch (Throwable closing) {
                // Given up on either way; a failure to close it changes nothing for anyone.
            }
            throw e;
        }
    }

    /**
     * Stops accepting, closes idle connections, waits up to {@code grace} for busy ones to finish, then closes the
     * rest. Idempotent.
     */
    public void stop(Duration grace) {
        stopping = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing the listening socket: " + e);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            for (ServiceConnection c : connections) {
                if (c.isIdle()) {
                    c.close();
                }
            }
            sleep(10);
        }
        connections.forEach(ServiceConnection::close);
        ReadWatchdog w = watchdog;
        if (w != null) {
            w.close();
        }
    }

    /** Stops with a grace of one second. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(1));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
