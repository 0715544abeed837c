package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The X25519 that wiretap puts ahead of the JDK's gives the JDK's answers, and is what JCA lookups now find. */
class X25519ProviderTest {

    private static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void install() {
        X25519Provider.install();
    }

    @Test
    void isFoundFirstForXdhKeyPairsAndAgreement() throws Exception {
        assertEquals(X25519Provider.NAME, KeyPairGenerator.getInstance("XDH").getProvider().getName());
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(privateKey("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        assertEquals(X25519Provider.NAME, agreement.getProvider().getName());
    }

    @Test
    void agreesAsRfc7748SectionSixOneSays() throws Exception {
        byte[] shared = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assertArrayEquals(shared, agree("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
                publicKey("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")));
        assertArrayEquals(shared, agree("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
                publicKey("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")));
    }

    @Test
    void makesKeyPairsWhoseAgreementTheJdksOwnCodeMatches() throws Exception {
        KeyPairGenerator ours = KeyPairGenerator.getInstance("XDH");
        ours.initialize(NamedParameterSpec.X25519);
        KeyPairGenerator jdk = KeyPairGenerator.getInstance("XDH", "SunEC");
        jdk.initialize(NamedParameterSpec.X25519);
        for (int i = 0; i < 20; i++) {
            KeyPair a = ours.generateKeyPair();
            KeyPair b = jdk.generateKeyPair();
            KeyAgreement jdkSide = KeyAgreement.getInstance("XDH", "SunEC");
            jdkSide.init(b.getPrivate());
            jdkSide.doPhase(a.getPublic(), true);
            KeyAgreement ourSide = KeyAgreement.getInstance("XDH");
            ourSide.init(a.getPrivate());
            ourSide.doPhase(b.getPublic(), true);
            assertEquals(X25519Provider.NAME, ourSide.getProvider().getName());
            assertArrayEquals(jdkSide.generateSecret(), ourSide.generateSecret(), "key pair " + i);
        }
    }

    @Test
    void refusesAPeerValueOfSmallOrder() throws Exception {
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(privateKey("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        PublicKey zero = KeyFactory.getInstance("XDH", "SunEC").generatePublic(
                new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.ZERO));
        assertThrows(InvalidKeyException.class, () -> agreement.doPhase(zero, true));
    }

    @Test
    void leavesX448ToTheJdk() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
        g.initialize(NamedParameterSpec.X448);
        KeyPair a = g.generateKeyPair();
        KeyPair b = g.generateKeyPair();
        KeyAgreement one = KeyAgreement.getInstance("XDH");
        one.init(a.getPrivate());
        one.doPhase(b.getPublic(), true);
        KeyAgreement other = KeyAgreement.getInstance("XDH", "SunEC");
        other.init(b.getPrivate());
        other.doPhase(a.getPublic(), true);
        assertArrayEquals(other.generateSecret(), one.generateSecret());
    }

    private static byte[] agree(String privateHex, PublicKey peer) throws Exception {
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(privateKey(privateHex));
        agreement.doPhase(peer, true);
        return agreement.generateSecret();
    }

    private static PrivateKey privateKey(String hex) throws Exception {
        return KeyFactory.getInstance("XDH", "SunEC").generatePrivate(
                new XECPrivateKeySpec(NamedParameterSpec.X25519, HEX.parseHex(hex)));
    }

    /** RFC 7748's public values are little-endian bytes. */
    private static PublicKey publicKey(String hex) throws Exception {
        byte[] le = HEX.parseHex(hex);
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return KeyFactory.getInstance("XDH", "SunEC").generatePublic(
                new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
    }
}
