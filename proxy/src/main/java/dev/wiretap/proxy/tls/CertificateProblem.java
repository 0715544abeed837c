package dev.wiretap.proxy.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * Why wiretap did not believe an origin's certificate, in the words a user needs: the facts come from the chain the
 * origin sent (issuer, dates, names), not from the JDK's message, and each kind says what to do about it. Immutable.
 */
public sealed interface CertificateProblem {

    /** What to do when wiretap cannot be made to trust the certificate as it is. */
    String INSECURE = "turn checks off with --insecure-upstream";

    /** One sentence for a log line and a 502 body, starting with the problem and ending with what to do. */
    String explanation();

    /**
     * No CA wiretap trusts signed the chain: {@code issuer} names the CA to trust (the certificate's own subject when
     * it is self-signed).
     */
    record Untrusted(X500Principal issuer, boolean selfSigned) implements CertificateProblem {
        @Override
        public String explanation() {
            String whose = selfSigned ? "its certificate" : "its certificate or its CA's";
            String why = selfSigned ? "it is self-signed, \"" + issuer + "\", and not in wiretap's trust store"
                    : "issued by \"" + issuer + "\", which is not in wiretap's trust store";
            return "the certificate is not trusted (" + why + "); trust it with --upstream-ca FILE (" + whose + "), or "
                    + INSECURE;
        }
    }

    /** A certificate of the chain (the site's own, or a CA's, {@code whose}) is past its end date. */
    record Expired(String whose, Instant notAfter) implements CertificateProblem {
        @Override
        public String explanation() {
            return whose + " expired on " + day(notAfter) + "; the site has to renew it, or " + INSECURE;
        }
    }

    /** A certificate of the chain is not valid yet. */
    record NotYetValid(String whose, Instant notBefore) implements CertificateProblem {
        @Override
        public String explanation() {
            return whose + " is not valid until " + day(notBefore) + " (is this machine's clock right?); " + INSECURE;
        }
    }

    /** The chain is trusted, but the certificate is for other names than {@code wanted}. */
    record NameMismatch(String wanted, List<String> names) implements CertificateProblem {
        @Override
        public String explanation() {
            String held = names.isEmpty() ? "for no host name" : "for \"" + String.join(", ", names) + "\"";
            return "the certificate is " + held + ", not \"" + wanted + "\"; ask for the site by a name it holds, or " + INSECURE;
        }
    }

    /** Anything else the JDK refused (a revoked or malformed certificate, a weak algorithm): its own words. */
    record Other(String reason) implements CertificateProblem {
        @Override
        public String explanation() {
            return "the certificate was refused (" + reason + "); " + INSECURE;
        }
    }

    /**
     * The problem with {@code chain} (leaf first, as the origin sent it) that made the JDK refuse it with
     * {@code failure}; {@code trustedButForName} says whether the chain passes every check except the host name.
     */
    static CertificateProblem of(X509Certificate[] chain, CertificateException failure, boolean trustedButForName,
                                 String wanted, Instant now) {
        if (chain == null || chain.length == 0) {
            return new Other(String.valueOf(failure.getMessage()));
        }
        X509Certificate leaf = chain[0];
        if (trustedButForName) {
            return new NameMismatch(wanted, names(leaf));
        }
        for (int i = 0; i < chain.length; i++) {
            String whose = i == 0 ? "the certificate" : "the certificate of its CA \"" + chain[i].getSubjectX500Principal() + "\"";
            if (now.isAfter(chain[i].getNotAfter().toInstant())) {
                return new Expired(whose, chain[i].getNotAfter().toInstant());
            }
            if (now.isBefore(chain[i].getNotBefore().toInstant())) {
                return new NotYetValid(whose, chain[i].getNotBefore().toInstant());
            }
        }
        if (hasCause(failure, CertPathBuilderException.class)) {
            // The CA to trust is the top of the chain as sent when that is a root (self-signed), else the one that
            // signed the top; a lone self-signed certificate is its own.
            X509Certificate top = chain[chain.length - 1];
            boolean root = top.getIssuerX500Principal().equals(top.getSubjectX500Principal());
            return new Untrusted(root ? top.getSubjectX500Principal() : top.getIssuerX500Principal(), root && chain.length == 1);
        }
        return new Other(String.valueOf(failure.getMessage()));
    }

    /** The host names and addresses a certificate is for: its subject alternative names, else its subject's CN. */
    private static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> name : alternatives) {
                    int type = (Integer) name.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress (RFC 5280 section 4.2.1.6)
                        names.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // An unreadable extension names nothing; the subject's CN below is all there is to show.
        }
        if (names.isEmpty()) {
            for (String part : cert.getSubjectX500Principal().getName(X500Principal.RFC2253).split(",")) {
                if (part.startsWith("CN=")) {
                    names.add(part.substring(3));
                }
            }
        }
        return names;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String day(Instant instant) {
        return DateTimeFormatter.ISO_LOCAL_DATE.format(instant.atZone(ZoneOffset.UTC));
    }
}
