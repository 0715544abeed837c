package dev.wiretap.proxy.tls;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * How to make clients trust wiretap's CA, kept in this one place: the {@code wiretap ca} command prints it as plain
 * text, and wiretap's own page (http://wiretap/ through the proxy) shows it as HTML. The commands name the
 * certificate file where wiretap keeps it and the proxy's address, quoted for the shell they are typed into.
 * Immutable.
 */
public final class TrustInstructions {

    /** Where plain-text paragraphs wrap. */
    private static final int TEXT_COLUMNS = 100;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    /**
     * One kind of client: what to know about it, then the commands to run (each on one line).
     *
     * @param note empty when there is nothing to say before the commands
     */
    public record Client(String name, String note, List<String> commands) {
        public Client {
            commands = List.copyOf(commands);
        }
    }

    private final X509Certificate certificate;
    private final Path file;
    private final List<Client> clients;

    private TrustInstructions(X509Certificate certificate, Path file, List<Client> clients) {
        this.certificate = certificate;
        this.file = file;
        this.clients = clients;
    }

    /**
     * The instructions for {@code ca}'s certificate where wiretap keeps it (its absolute path, for {@code wiretap ca}
     * on this machine), with {@code proxyAddress} (host:port) in the examples that need it.
     */
    public static TrustInstructions of(CertificateAuthority ca, String proxyAddress) {
        return of(ca.certificate(), ca.certificateFile(), proxyAddress);
    }

    /** As {@link #of(CertificateAuthority, String)}, for a face that holds the CA's certificate and its file. */
    public static TrustInstructions of(X509Certificate certificate, Path certificateFile, String proxyAddress) {
        return build(certificate, certificateFile.toAbsolutePath(), proxyAddress);
    }

    /**
     * The instructions for the copy of the CA's {@code certificate} that wiretap's own page offers for download
     * ({@code wiretap-ca.pem}, in the directory it is saved to): the page may be read by any client of the proxy,
     * which has no business learning where wiretap keeps its files (the home directory, the user's name).
     */
    public static TrustInstructions forDownload(X509Certificate certificate, String proxyAddress) {
        return build(certificate, Path.of(CertificateAuthority.CERT_FILE), proxyAddress);
    }

    private static TrustInstructions build(X509Certificate certificate, Path file, String proxyAddress) {
        String sh = shellQuote(file.toString());
        String cmd = windowsQuote(file.toString());
        List<Client> clients = List.of(
                new Client("Chromium and Chrome on Linux",
                        "They trust the NSS database in your home directory. certutil comes with libnss3-tools (Debian,"
                                + " Ubuntu) or nss-tools (Fedora). If ~/.pki/nssdb does not exist yet, run the first"
                                + " command too. Restart the browser afterwards. On macOS and Windows, Chrome and Edge"
                                + " use the system store: see below.",
                        List.of("mkdir -p $HOME/.pki/nssdb && certutil -d sql:$HOME/.pki/nssdb -N --empty-password",
                                "certutil -d sql:$HOME/.pki/nssdb -A -t \"C,,\" -n wiretap -i " + sh)),
                new Client("Firefox",
                        "Firefox has its own store: Settings > Privacy & Security > Certificates > View Certificates >"
                                + " Authorities > Import, choose the certificate and tick \"Trust this CA to identify"
                                + " websites\". Or, with Firefox closed, add it to the profile directory that"
                                + " about:profiles shows (PROFILE here):",
                        List.of("certutil -d sql:PROFILE -A -t \"C,,\" -n wiretap -i " + sh)),
                new Client("Debian and Ubuntu system store",
                        "For curl, wget, git, apt and most programs that use OpenSSL or GnuTLS:",
                        List.of("sudo cp " + sh + " /usr/local/share/ca-certificates/wiretap.crt && sudo update-ca-certificates")),
                new Client("macOS",
                        "The System keychain, for Safari, Chrome and the system's tools:",
                        List.of("sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain " + sh)),
                new Client("Windows",
                        "The machine's root store, for Edge, Chrome and the system's tools; in a command prompt run as"
                                + " administrator:",
                        List.of("certutil -addstore root " + cmd)),
                new Client("curl, for one command",
                        "",
                        List.of("curl --cacert " + sh + " -x http://" + proxyAddress + " https://example.com/")),
                new Client("Java",
                        "Into the JDK's own trust store (changeit is its default password; you may need sudo to write"
                                + " it). Or, for one program, a trust store of its own, which then trusts wiretap's CA"
                                + " alone:",
                        List.of("keytool -importcert -cacerts -storepass changeit -noprompt -alias wiretap -file " + sh,
                                "keytool -importcert -keystore wiretap-trust.p12 -storepass changeit -noprompt -alias wiretap -file " + sh,
                                "java -Djavax.net.ssl.trustStore=wiretap-trust.p12 -Djavax.net.ssl.trustStorePassword=changeit ...")),
                new Client("Python requests",
                        "The bundle replaces certifi's for that run, which is fine while all its traffic goes through"
                                + " wiretap (httpx and the ssl module read SSL_CERT_FILE the same way):",
                        List.of("REQUESTS_CA_BUNDLE=" + sh + " python3 app.py")),
                new Client("Node.js",
                        "Added to Node's own CAs when it starts:",
                        List.of("NODE_EXTRA_CA_CERTS=" + sh + " node app.js")));
        return new TrustInstructions(certificate, file, clients);
    }

    /** The certificate, its fingerprint and every client's instructions, as text for a terminal. */
    public String plainText() {
        StringBuilder text = new StringBuilder();
        text.append("wiretap's CA certificate: ").append(file).append('\n');
        text.append("  subject:             ").append(certificate.getSubjectX500Principal().getName()).append('\n');
        text.append("  valid until:         ").append(validUntil()).append('\n');
        text.append("  SHA-256 fingerprint: ").append(CertificateAuthority.fingerprint(certificate)).append('\n');
        text.append('\n');
        wrap(text, "", intro());
        for (Client client : clients) {
            text.append('\n').append(client.name()).append('\n');
            if (!client.note().isEmpty()) {
                wrap(text, "  ", client.note());
            }
            for (String command : client.commands()) {
                text.append("    ").append(command).append('\n');
            }
        }
        return text.toString();
    }

    /** The fingerprint and every client's instructions, as an HTML fragment (sections with headings at level 3). */
    public String html() {
        StringBuilder html = new StringBuilder();
        html.append("<p>").append(escape(intro())).append("</p>\n");
        html.append("<p>Its SHA-256 fingerprint, to check the copy you trust is wiretap's:<br><code class=\"fingerprint\">")
                .append(CertificateAuthority.fingerprint(certificate)).append("</code></p>\n");
        if (file.isAbsolute()) {
            html.append("<p>The commands below name the certificate where wiretap keeps it, <code>")
                    .append(escape(file.toString()))
                    .append("</code>; on another machine, put the path of the copy you downloaded there instead.</p>\n");
        } else {
            html.append("<p>The commands below name the certificate as you download it here, <code>")
                    .append(escape(file.toString()))
                    .append("</code>: run them in the directory you saved it to, or put its path there instead.</p>\n");
        }
        for (Client client : clients) {
            html.append("<h3>").append(escape(client.name())).append("</h3>\n");
            if (!client.note().isEmpty()) {
                html.append("<p>").append(escape(client.note())).append("</p>\n");
            }
            for (String command : client.commands()) {
                html.append("<pre><code>").append(escape(command)).append("</code></pre>\n");
            }
        }
        return html.toString();
    }

    /** Every kind of client, in the order shown: browsers first, then systems, then tools and runtimes. */
    public List<Client> clients() {
        return clients;
    }

    /** What trusting the CA means, in one paragraph (the first of {@link #plainText} and {@link #html}). */
    public static String intro() {
        return "wiretap decrypts HTTPS with certificates it makes for each site as it goes, signed by its own"
                + " certificate authority (CA). A client accepts them once it trusts the CA's certificate. Trust it"
                + " only where you debug: whoever holds its private key can pose as any site to that client, so keep"
                + " the key to yourself (wiretap's own is " + CertificateAuthority.KEY_FILE + ", beside the certificate).";
    }

    /** The last day the certificate is valid, {@code 2036-01-02} (UTC). */
    public String validUntil() {
        return DAY.format(certificate.getNotAfter().toInstant());
    }

    /** Appends {@code paragraph}, wrapped at {@link #TEXT_COLUMNS} with each line indented. */
    private static void wrap(StringBuilder text, String indent, String paragraph) {
        int lineStart = text.length();
        text.append(indent);
        boolean lineEmpty = true;
        for (String word : paragraph.split(" ")) {
            if (!lineEmpty && text.length() - lineStart + 1 + word.length() > TEXT_COLUMNS) {
                text.append('\n');
                lineStart = text.length();
                text.append(indent);
                lineEmpty = true;
            }
            if (!lineEmpty) {
                text.append(' ');
            }
            text.append(word);
            lineEmpty = false;
        }
        text.append('\n');
    }

    /** A word for a POSIX shell: as it is when it holds no special characters, else in single quotes. */
    static String shellQuote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || "/._-+:,@%".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** A word for the Windows command prompt: in double quotes when it holds a space or a special character. */
    static String windowsQuote(String word) {
        if (!word.isEmpty() && word.chars().noneMatch(c -> " \t&|<>^()\"%".indexOf(c) >= 0)) {
            return word;
        }
        return "\"" + word.replace("\"", "") + "\"";
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
