package dev.wiretap.proxy.server;

import dev.wiretap.config.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;

/**
 * Accepts client connections on one named platform thread and serves each on its own virtual thread
 * ({@link ClientSession}). At most {@code limits.max_client_connections} are open at once: at the limit the accept
 * thread waits for one to close before it accepts the next (which meanwhile waits in the kernel's queue). A connection
 * from an address the {@link ClientGate} does not admit is closed as it is accepted. Stopping closes the listening
 * socket, closes idle connections at once, lets busy ones finish their exchange within a grace period, and then closes
 * whatever is left.
 */
public final class Listener {

    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    private static final int BACKLOG = 4096;

    private final ServerContext ctx;
    private final ServerSocket server;
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final ThreadFactory sessionThreads;
    private final LongAdder accepted = new LongAdder();
    /** One permit per client connection that may still be accepted; a replay's connection takes none. */
    private final Semaphore slots;
    private final int maxClients;
    private final Thread acceptor;
    private volatile boolean draining;

    private Listener(ServerContext ctx, ServerSocket server, ThreadFactory sessionThreads) {
        this.ctx = ctx;
        this.server = server;
        this.sessionThreads = sessionThreads;
        this.maxClients = ctx.settings().limits().maxClientConnections();
        this.slots = new Semaphore(maxClients);
        this.acceptor = Thread.ofPlatform().name("wiretap-accept").daemon(false).unstarted(this::acceptLoop);
    }

    /** Binds {@code address} and starts accepting. */
    public static Listener start(ServerContext ctx, HostPort address) throws IOException {
        return start(ctx, address, Thread.ofVirtual().name("wiretap-client-", 1).factory());
    }

    /** As {@link #start(ServerContext, HostPort)}, with the threads sessions run on made by {@code sessionThreads}. */
    static Listener start(ServerContext ctx, HostPort address, ThreadFactory sessionThreads) throws IOException {
        // Channel-backed sockets: streams for heads, and the channel for relaying big bodies without a copy.
        ServerSocket server = java.nio.channels.ServerSocketChannel.open().socket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(address.host()), address.port()), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        ctx.self().setPort(server.getLocalPort());
        Listener listener = new Listener(ctx, server, sessionThreads);
        listener.acceptor.start();
        return listener;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    boolean isDraining() {
        return draining;
    }

    /** Client connections accepted since start. */
    public long acceptedCount() {
        return accepted.sum();
    }

    /** Client connections open now. */
    public int openCount() {
        return sessions.size();
    }

    /** The most client connections open at once ({@code limits.max_client_connections}). */
    public int maxOpen() {
        return maxClients;
    }

    /**
     * Accepts until the listening socket is closed. Nothing else ends it: a failure to accept or to start a session
     * (out of file descriptors, out of memory for a thread, a bug) is reported, that connection is closed, and
     * accepting goes on after a short pause, since a proxy that stops accepting while its process lives on looks
     * alive and serves no one.
     */
    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                acceptOne();
            } catch (Throwable e) {
                if (server.isClosed()) {
                    return;
                }
                reportAndPause(e);
            }
        }
    }

    private void acceptOne() throws InterruptedException {
        if (!slots.tryAcquire(50, TimeUnit.MILLISECONDS)) {
            return; // at the limit: look again (and whether wiretap is stopping) in a moment
        }
        boolean handedOn = false;
        try {
            handedOn = acceptWithSlot();
        } finally {
            if (!handedOn) {
                slots.release();
            }
        }
    }

    /** Accepts one connection, holding a slot; true if a session now owns the slot (it gives it back when it ends). */
    private boolean acceptWithSlot() {
        Socket socket;
        try {
            socket = server.getChannel().accept().socket();
        } catch (IOException e) {
            if (!server.isClosed()) {
                LOG.log(System.Logger.Level.WARNING, "accept failed: " + e.getMessage());
                pause(); // e.g. out of file descriptors: do not spin
            }
            return false;
        }
        ClientSession session = null;
        try {
            if (!ctx.access().admits(socket.getInetAddress())) {
                closeQuietly(socket); // not in clients.allow: no thread, no answer (counted as refused, not accepted)
                return false;
            }
            accepted.increment();
            session = new ClientSession(ctx, this, socket);
            sessions.add(session);
            if (draining) {
                session.closeQuietly();
                sessions.remove(session);
                return false;
            }
            sessionThreads.newThread(session).start();
            return true;
        } catch (Throwable e) {
            if (session != null) {
                sessions.remove(session);
            }
            closeQuietly(socket); // the client gets a closed connection rather than a wait for an answer
            throw e;
        }
    }

    /** Reports a failure the accept loop survived; pauses so that one that repeats (out of memory) does not spin. */
    private static void reportAndPause(Throwable e) {
        try {
            LOG.log(System.Logger.Level.ERROR, "wiretap bug or resource exhaustion while accepting a client connection"
                    + " (accepting goes on): " + e, e);
        } catch (Throwable ignored) {
            // Reporting failed too (out of memory): accepting must go on all the same.
        }
        pause();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (Throwable e) {
            // The connection is being given up on; a failure to close it changes nothing for anyone.
        }
    }

    /**
     * Serves a connection wiretap made itself (a replay's loopback connection) like an accepted one: counted among
     * the open sessions, stopped with them, but not among the accepted clients. Refused once stopping.
     */
    void serve(Socket socket, ReplayTicket replay) throws IOException {
        ClientSession session = new ClientSession(ctx, this, socket, replay);
        sessions.add(session);
        if (draining) {
            sessions.remove(session);
            session.closeQuietly();
            throw new IOException("wiretap is stopping");
        }
        sessionThreads.newThread(session).start();
    }

    void sessionEnded(ClientSession session) {
        if (sessions.remove(session) && !session.isReplay()) {
            slots.release();
        }
    }

    /**
     * Stops accepting, closes idle connections, waits up to {@code grace} for busy ones to finish their exchange,
     * then closes the rest.
     */
    public void stop(Duration grace) {
        draining = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing the listening socket: " + e);
        }
        // The JDK finishes closing a listening channel only when the thread blocked in its accept has returned; until
        // then the kernel may still complete connections to it. So wait for the accept loop before anything else.
        joinAcceptor();
        long deadline = System.nanoTime() + grace.toNanos();
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            sessions.forEach(ClientSession::closeIfIdle);
            sleepBriefly();
        }
        sessions.forEach(ClientSession::cutOff);
    }

    private void joinAcceptor() {
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
