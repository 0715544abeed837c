package dev.wiretap.proxy.tls;

import java.math.BigInteger;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyPairGeneratorSpi;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.crypto.KeyAgreement;
import javax.crypto.KeyAgreementSpi;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A JCA provider of X25519 key pairs and key agreement (RFC 7748) computed by BouncyCastle's X25519, put ahead of the
 * JDK's own so that JSSE's TLS key exchange uses it: on the JDK 25 this was measured on, one handshake's X25519 (a key
 * pair, then the agreement) cost 270 µs of CPU with the JDK's code and 100 µs with BouncyCastle's, whose key generation
 * multiplies a fixed base point with precomputed tables where the JDK runs the full Montgomery ladder. X25519 is the
 * group every current browser, curl and Go client offers first, and it was a quarter of wiretap's CPU samples with a
 * new intercepted connection per request (docs/benchmarks.md).
 *
 * <p>The keys are the JDK's own ({@code SunEC}'s {@link XECPublicKey} and {@link XECPrivateKey}, made from their
 * values by its key factory), so JSSE and any other code see the types they expect; only the two scalar
 * multiplications are BouncyCastle's. Anything but X25519 (X448) is handed to {@code SunEC} unchanged. An agreement
 * that comes out all zeros (a peer's public value of small order) fails as the JDK's does (RFC 7748 section 6.1).
 *
 * <p>{@link #install()} is idempotent and thread-safe; the SPIs, like every JCA SPI, are used by one thread at a time.
 */
public final class X25519Provider extends Provider {

    static final String NAME = "WiretapX25519";
    private static final String SUN_EC = "SunEC";

    private X25519Provider() {
        super(NAME, "1.0", "X25519 key pairs and agreement by BouncyCastle, keys of SunEC");
        for (String algorithm : new String[] {"XDH", "X25519"}) {
            putService(new Made(this, "KeyPairGenerator", algorithm, Generator.class.getName(), Generator::new));
            putService(new Made(this, "KeyAgreement", algorithm, Agreement.class.getName(), Agreement::new));
        }
    }

    /**
     * A service whose SPI is made here rather than found by name and made by reflection: in wiretap's named module,
     * whose {@code tls} package the JCA (in java.base) may not reach, a lookup by name would fail and quietly fall
     * back to the next provider.
     */
    private static final class Made extends Service {
        private final Supplier<Object> spi;

        Made(Provider provider, String type, String algorithm, String className, Supplier<Object> spi) {
            super(provider, type, algorithm, className, null, null);
            this.spi = spi;
        }

        @Override
        public Object newInstance(Object constructorParameter) {
            return spi.get();
        }
    }

    /**
     * Puts the provider first in the JCA's list, once per JVM, if the JDK has {@code SunEC} (which makes its keys):
     * from then on every X25519 key exchange in this JVM (TLS with clients and with origins) uses it.
     */
    public static void install() {
        synchronized (X25519Provider.class) {
            if (Security.getProvider(NAME) == null && Security.getProvider(SUN_EC) != null) {
                Security.insertProviderAt(new X25519Provider(), 1);
            }
        }
    }

    private static boolean isX25519(AlgorithmParameterSpec params) {
        return params instanceof NamedParameterSpec named && "X25519".equalsIgnoreCase(named.getName());
    }

    /** RFC 7748 section 5: u-coordinates and scalars travel as 32 bytes, little-endian. */
    private static byte[] littleEndian(BigInteger u) {
        byte[] big = u.toByteArray();
        byte[] out = new byte[X25519.POINT_SIZE];
        for (int i = 0; i < Math.min(big.length, out.length); i++) {
            out[i] = big[big.length - 1 - i];
        }
        return out;
    }

    private static BigInteger fromLittleEndian(byte[] bytes) {
        byte[] big = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            big[i] = bytes[bytes.length - 1 - i];
        }
        return new BigInteger(1, big);
    }

    /** Key pairs: X25519 here, anything else by SunEC. */
    static final class Generator extends KeyPairGeneratorSpi {
        private SecureRandom random;
        private KeyPairGenerator delegate;

        public Generator() {
        }

        @Override
        public void initialize(int keysize, SecureRandom random) {
            if (keysize != 255) {
                throw new java.security.InvalidParameterException("only X25519 (255 bits) here, not " + keysize);
            }
            this.random = random;
            this.delegate = null;
        }

        @Override
        public void initialize(AlgorithmParameterSpec params, SecureRandom random) throws InvalidAlgorithmParameterException {
            if (isX25519(params)) {
                this.random = random;
                this.delegate = null;
                return;
            }
            try {
                delegate = KeyPairGenerator.getInstance("XDH", SUN_EC);
            } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
                throw new InvalidAlgorithmParameterException("no XDH in SunEC: " + e.getMessage(), e);
            }
            delegate.initialize(params, random);
        }

        @Override
        public KeyPair generateKeyPair() {
            if (delegate != null) {
                return delegate.generateKeyPair();
            }
            byte[] scalar = new byte[X25519.SCALAR_SIZE];
            (random != null ? random : new SecureRandom()).nextBytes(scalar);
            byte[] u = new byte[X25519.POINT_SIZE];
            X25519.generatePublicKey(scalar, 0, u, 0);
            try {
                KeyFactory keys = KeyFactory.getInstance("XDH", SUN_EC);
                return new KeyPair(
                        keys.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, fromLittleEndian(u))),
                        keys.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar)));
            } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException | InvalidKeySpecException e) {
                throw new IllegalStateException("SunEC cannot make X25519 keys: " + e.getMessage(), e);
            } finally {
                Arrays.fill(scalar, (byte) 0);
            }
        }
    }

    /** Key agreement: X25519 here, anything else by SunEC. */
    static final class Agreement extends KeyAgreementSpi {
        private byte[] scalar;
        private byte[] secret;
        private KeyAgreement delegate;

        public Agreement() {
        }

        @Override
        protected void engineInit(Key key, SecureRandom random) throws InvalidKeyException {
            try {
                engineInit(key, null, random);
            } catch (InvalidAlgorithmParameterException e) {
                throw new InvalidKeyException(e.getMessage(), e);
            }
        }

        @Override
        protected void engineInit(Key key, AlgorithmParameterSpec params, SecureRandom random)
                throws InvalidKeyException, InvalidAlgorithmParameterException {
            secret = null;
            if (key instanceof XECPrivateKey xec && isX25519(xec.getParams()) && xec.getScalar().isPresent()
                    && (params == null || isX25519(params))) {
                scalar = xec.getScalar().get();
                delegate = null;
                return;
            }
            scalar = null;
            try {
                delegate = KeyAgreement.getInstance("XDH", SUN_EC);
            } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
                throw new InvalidKeyException("no XDH in SunEC: " + e.getMessage(), e);
            }
            delegate.init(key, params, random);
        }

        @Override
        protected Key engineDoPhase(Key key, boolean lastPhase) throws InvalidKeyException {
            if (delegate != null) {
                return delegate.doPhase(key, lastPhase);
            }
            if (scalar == null) {
                throw new IllegalStateException("not initialized");
            }
            if (!lastPhase) {
                throw new IllegalStateException("X25519 has one phase only");
            }
            if (!(key instanceof XECPublicKey peer) || !isX25519(peer.getParams())) {
                throw new InvalidKeyException("an X25519 public key is needed, not " + (key == null ? null : key.getAlgorithm()));
            }
            byte[] out = new byte[X25519.POINT_SIZE];
            // RFC 7748 section 5: the most significant bit of the u-coordinate is masked (BouncyCastle does it) and
            // values beyond p are taken modulo p, as the JDK does.
            if (!X25519.calculateAgreement(scalar, 0, littleEndian(peer.getU().mod(P)), 0, out, 0)) {
                throw new InvalidKeyException("X25519 agreement came out all zeros: the peer's public value has small order");
            }
            secret = out;
            return null;
        }

        private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

        @Override
        protected byte[] engineGenerateSecret() {
            if (delegate != null) {
                return delegate.generateSecret();
            }
            if (secret == null) {
                throw new IllegalStateException("no agreement made");
            }
            byte[] s = secret;
            secret = null;
            return s;
        }

        @Override
        protected int engineGenerateSecret(byte[] sharedSecret, int offset) throws ShortBufferException {
            if (delegate != null) {
                return delegate.generateSecret(sharedSecret, offset);
            }
            if (secret == null) {
                throw new IllegalStateException("no agreement made");
            }
            if (sharedSecret.length - offset < secret.length) {
                throw new ShortBufferException("room for " + secret.length + " bytes needed");
            }
            System.arraycopy(secret, 0, sharedSecret, offset, secret.length);
            int n = secret.length;
            secret = null;
            return n;
        }

        @Override
        protected SecretKey engineGenerateSecret(String algorithm) throws NoSuchAlgorithmException, InvalidKeyException {
            if (delegate != null) {
                return delegate.generateSecret(algorithm);
            }
            return new SecretKeySpec(engineGenerateSecret(), algorithm);
        }
    }
}
