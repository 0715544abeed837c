package dev.wiretap.proxy.server;

import dev.wiretap.config.Settings;
import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.flow.CaptureAccount;
import dev.wiretap.proxy.flow.CaptureBudget;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.DirectBufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.live.FlowPublisher;
import dev.wiretap.proxy.http1.RequestParser;
import dev.wiretap.proxy.http1.ResponseParser;
import dev.wiretap.proxy.upstream.Dialer;
import dev.wiretap.proxy.upstream.UpstreamPool;
import java.util.List;
import java.util.Optional;
import dev.wiretap.proxy.tls.CertificateAuthority;
import dev.wiretap.proxy.tls.InterceptTls;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every client session shares: settings, parsers, buffer pools, the upstream pool, the event bus, the
 * addons and the flow numbering. Made once by the engine at start; all of it is thread-safe.
 *
 * @param headBuffers  32 KiB buffers for writing heads and small bodies, and for reading a head too big for a
 *                     connection's idle buffer, or a response from an origin
 * @param bodyBuffers  64 KiB buffers for relaying large bodies and tunnels where no channel can be used (TLS)
 * @param directBuffers off-heap buffers for relaying large bodies and tunnels between socket channels
 * @param self         recognises requests addressed to wiretap itself
 * @param watchdog     bounds reads on client connections
 * @param interceptTls the TLS server for intercepted tunnels, absent when interception is off
 * @param version      wiretap's version, for Via-less places that name it (the self page)
 * @param captureBudget the memory the bodies of flows in flight may capture, all together
 * @param access       who may use the proxy: credentials and client addresses
 */
public record ServerContext(Settings settings, RequestParser requestParser, ResponseParser responseParser,
                            BufferPool headBuffers, BufferPool bodyBuffers, DirectBufferPool directBuffers,
                            UpstreamPool pool, Dialer dialer,
                            FlowPublisher events, List<Addon> addons, AtomicLong flowIds, SelfAddress self,
                            ReadWatchdog watchdog, Optional<InterceptTls> interceptTls, String version,
                            CaptureBudget captureBudget, ClientGate access) {

    /** A relay for one body, with this proxy's buffers, its captures drawing on {@code captures}. */
    dev.wiretap.proxy.http1.BodyRelay bodyRelay(CaptureAccount captures) {
        return new dev.wiretap.proxy.http1.BodyRelay(settings.limits(), bodyBuffers, directBuffers, captures);
    }

    /** wiretap's certificate authority, when HTTPS interception is on. */
    Optional<CertificateAuthority> certificateAuthority() {
        return interceptTls.map(tls -> tls.leaves().authority());
    }

    /** This hop's Via entry for a message of the given version number ({@code 1.1 wiretap}), or null if off. */
    String via(String versionNumber) {
        return settings.addVia() ? versionNumber + " wiretap" : null;
    }
}
