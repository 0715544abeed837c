package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one text that tells users how to trust wiretap's CA, as the command prints it and the page shows it. */
class TrustInstructionsTest {

    @TempDir
    Path dir;

    @Test
    void namesTheCertificateFileInEveryCommand() throws IOException {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("home"));
        String file = ca.certificateFile().toAbsolutePath().toString();

        String text = TrustInstructions.of(ca, "127.0.0.1:8080").plainText();

        assertTrue(text.startsWith("wiretap's CA certificate: " + file + "\n"), text);
        for (String command : List.of(
                "certutil -d sql:$HOME/.pki/nssdb -A -t \"C,,\" -n wiretap -i " + file,
                "certutil -d sql:PROFILE -A -t \"C,,\" -n wiretap -i " + file,
                "sudo cp " + file + " /usr/local/share/ca-certificates/wiretap.crt && sudo update-ca-certificates",
                "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain " + file,
                "certutil -addstore root " + file,
                "curl --cacert " + file + " -x http://127.0.0.1:8080 https://example.com/",
                "keytool -importcert -cacerts -storepass changeit -noprompt -alias wiretap -file " + file,
                "-Djavax.net.ssl.trustStore=",
                "REQUESTS_CA_BUNDLE=" + file + " python3 app.py",
                "NODE_EXTRA_CA_CERTS=" + file + " node app.js")) {
            assertTrue(text.contains(command), "missing: " + command + "\nin:\n" + text);
        }
        for (String client : List.of("Chromium", "Firefox", "Debian", "macOS", "Windows", "curl", "Java", "Python", "Node")) {
            assertTrue(text.contains("\n" + client), "no heading for " + client + ":\n" + text);
        }
    }

    @Test
    void wrapsItsProseButNeverACommand() throws IOException {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("home"));

        String text = TrustInstructions.of(ca, "127.0.0.1:8080").plainText();

        for (String line : text.split("\n")) {
            boolean command = line.startsWith("    ");
            boolean fingerprint = line.startsWith("  SHA-256 fingerprint: ");
            boolean file = line.startsWith("wiretap's CA certificate: ");
            assertTrue(command || fingerprint || file || line.length() <= 100, "over 100 columns: " + line);
        }
    }

    @Test
    void showsTheFingerprintTheJdksKeytoolShows() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("home"));
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-printcert", "-file", ca.certificateFile().toString())
                .redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not end");

        assertTrue(printed.contains("SHA256: " + ca.fingerprint()), ca.fingerprint() + " not in:\n" + printed);
        assertTrue(TrustInstructions.of(ca, "127.0.0.1:8080").plainText().contains("SHA-256 fingerprint: " + ca.fingerprint()));
        assertTrue(TrustInstructions.of(ca, "127.0.0.1:8080").html().contains(ca.fingerprint()));
    }

    @Test
    void quotesAPathWithSpacesAndQuotesForEachShellAndEscapesItInHtml() throws IOException {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("it's <my> certs & keys"));
        String file = ca.certificateFile().toAbsolutePath().toString();
        TrustInstructions instructions = TrustInstructions.of(ca, "127.0.0.1:8080");

        String text = instructions.plainText();
        String html = instructions.html();

        String sh = "'" + file.replace("'", "'\\''") + "'";
        assertTrue(text.contains("-n wiretap -i " + sh + "\n"), text);
        assertTrue(text.contains("NODE_EXTRA_CA_CERTS=" + sh + " node app.js"), text);
        assertTrue(text.contains("certutil -addstore root \"" + file + "\"\n"), text);
        assertFalse(html.contains("<my>"), html);
        assertTrue(html.contains("it&#39;s &lt;my&gt; certs &amp; keys"), html);
    }

    @Test
    void rendersTheSameCommandsAsHtml() throws IOException {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("home"));
        String file = ca.certificateFile().toAbsolutePath().toString();

        String html = TrustInstructions.of(ca, "127.0.0.1:8080").html();

        assertTrue(html.contains("<h3>Firefox</h3>"), html);
        assertTrue(html.contains("Settings &gt; Privacy &amp; Security &gt; Certificates"), html);
        assertTrue(html.contains("<pre><code>certutil -d sql:$HOME/.pki/nssdb -A -t &quot;C,,&quot; -n wiretap -i "
                + file + "</code></pre>"), html);
        assertEquals(html.indexOf("<h3>"), html.indexOf("<h3>Chromium and Chrome on Linux</h3>"), "Chromium comes first");
    }

    @Test
    void namesTheDownloadedCopyRatherThanWhereWiretapKeepsIt() throws IOException {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("home"));

        TrustInstructions page = TrustInstructions.forDownload(ca.certificate(), "127.0.0.1:8080");

        assertTrue(page.html().contains("-n wiretap -i wiretap-ca.pem</code>"), page.html());
        assertTrue(page.plainText().contains("NODE_EXTRA_CA_CERTS=wiretap-ca.pem node app.js"), page.plainText());
        assertFalse(page.html().contains(dir.toString()), page.html());
        assertFalse(page.plainText().contains(dir.toString()), page.plainText());
    }
}
