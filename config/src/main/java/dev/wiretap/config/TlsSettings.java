package dev.wiretap.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * HTTPS interception and TLS towards origins.
 *
 * @param intercept        whether CONNECT tunnels to HTTPS sites are intercepted (decrypted with wiretap's CA); off
 *                         tunnels everything untouched
 * @param passthrough      hosts never intercepted (pinned apps, banking): their tunnels are relayed untouched
 * @param insecureUpstream skip verifying origins' certificates (off by default; wiretap warns when it is on)
 * @param trustedCerts     PEM files of extra certificates (CAs) to trust for origins, beside the JDK's trust store
 * @param ownCa            the user's own CA (certificate and key PEM files) instead of wiretap's generated one
 * @param configDir        where wiretap keeps its CA (and, later, its settings and history): {@code ~/.wiretap}
 * @param leafCacheSize    how many minted host certificates are kept for reuse
 */
public record TlsSettings(boolean intercept, List<HostPattern> passthrough, boolean insecureUpstream,
                          List<Path> trustedCerts, Optional<OwnCa> ownCa, Path configDir, int leafCacheSize) {

    /** A certificate authority the user supplies: PEM certificate and PEM (PKCS#8 or traditional) private key. */
    public record OwnCa(Path certificate, Path key) {
        public OwnCa {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    public TlsSettings {
        passthrough = List.copyOf(passthrough);
        trustedCerts = List.copyOf(trustedCerts);
        Objects.requireNonNull(ownCa, "ownCa");
        Objects.requireNonNull(configDir, "configDir");
        if (leafCacheSize < 1) {
            throw new IllegalArgumentException("leafCacheSize must be at least 1, got " + leafCacheSize);
        }
    }

    /** {@code $WIRETAP_HOME}, else {@code ~/.wiretap}. */
    public static Path defaultConfigDir() {
        String home = System.getenv("WIRETAP_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        return Path.of(System.getProperty("user.home"), ".wiretap");
    }

    public static TlsSettings defaults() {
        return new TlsSettings(true, List.of(), false, List.of(), Optional.empty(), defaultConfigDir(), 1024);
    }

    /** True if {@code host}'s tunnels are to be relayed untouched. */
    public boolean isPassthrough(String host) {
        for (HostPattern p : passthrough) {
            if (p.matches(host)) {
                return true;
            }
        }
        return false;
    }

    public TlsSettings withIntercept(boolean value) {
        return new TlsSettings(value, passthrough, insecureUpstream, trustedCerts, ownCa, configDir, leafCacheSize);
    }

    public TlsSettings withPassthrough(List<HostPattern> value) {
        return new TlsSettings(intercept, value, insecureUpstream, trustedCerts, ownCa, configDir, leafCacheSize);
    }

    public TlsSettings withInsecureUpstream(boolean value) {
        return new TlsSettings(intercept, passthrough, value, trustedCerts, ownCa, configDir, leafCacheSize);
    }

    public TlsSettings withTrustedCerts(List<Path> value) {
        return new TlsSettings(intercept, passthrough, insecureUpstream, value, ownCa, configDir, leafCacheSize);
    }

    public TlsSettings withOwnCa(OwnCa value) {
        return new TlsSettings(intercept, passthrough, insecureUpstream, trustedCerts, Optional.ofNullable(value), configDir, leafCacheSize);
    }

    public TlsSettings withConfigDir(Path value) {
        return new TlsSettings(intercept, passthrough, insecureUpstream, trustedCerts, ownCa, value, leafCacheSize);
    }
}
