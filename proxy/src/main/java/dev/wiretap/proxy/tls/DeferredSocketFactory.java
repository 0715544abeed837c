package dev.wiretap.proxy.tls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS socket factory made on a thread of its own while wiretap starts, and waited for by the first socket that needs
 * it. Making the factory towards origins means reading the JDK's trust store (some 150 certificates, parsed one by one)
 * and loading the TLS provider: about a fifth of a cold start's CPU before wiretap listens, and nothing a client's
 * first plain request needs. Made by {@link UpstreamTrust}; any thread may use it.
 */
final class DeferredSocketFactory extends SSLSocketFactory {

    private final FutureTask<SSLSocketFactory> made;

    /** Starts making the factory now with {@code maker} (which may take a while, and may fail), on a daemon thread. */
    DeferredSocketFactory(Callable<SSLSocketFactory> maker, String threadName) {
        made = new FutureTask<>(maker);
        // A platform thread: the virtual threads' few carriers are for the clients, who may already be connecting.
        Thread.ofPlatform().name(threadName).daemon().start(made);
    }

    /** Whether the factory has been made (or failed to be). */
    boolean isMade() {
        return made.isDone();
    }

    /** The factory, once made; the reason it could not be made, as an I/O failure of the socket that needed it. */
    private SSLSocketFactory factory() throws IOException {
        try {
            return made.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while TLS towards origins was being set up");
        } catch (ExecutionException e) {
            throw new IOException("cannot set up TLS towards origins: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private SSLSocketFactory factoryOrFail() {
        try {
            return factory();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return factory().createSocket(s, host, port, autoClose);
    }

    @Override
    public Socket createSocket() throws IOException {
        return factory().createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return factory().createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return factory().createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return factory().createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return factory().createSocket(address, port, localAddress, localPort);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return factoryOrFail().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return factoryOrFail().getSupportedCipherSuites();
    }
}
