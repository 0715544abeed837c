package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.tls.CertificateAuthority;
import dev.wiretap.proxy.tls.TrustInstructions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code wiretap ca}: where the CA certificate is, how to trust it, and copies of it; run in this JVM unless said. */
class CaCommandTest {

    @TempDir
    Path dir;

    @Test
    void makesTheCaWhenThereIsNoneAndTellsWhereItIsAndHowToTrustIt() throws Exception {
        Path home = dir.resolve("home");

        Run first = run("ca", "--config-dir", home.toString());
        Run second = run("ca", "--config-dir", home.toString());

        assertEquals(0, first.code, first.err);
        assertEquals("", first.err);
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(home);
        assertTrue(first.out.startsWith("Made a new CA in " + home.toAbsolutePath() + " "), first.out);
        assertTrue(first.out.contains(TrustInstructions.of(ca, "127.0.0.1:8080").plainText()), first.out);
        assertTrue(first.out.contains("http://wiretap/"), first.out);
        assertEquals(0, second.code, second.err);
        assertTrue(second.out.startsWith("wiretap's CA certificate: " + home.resolve("wiretap-ca.pem").toAbsolutePath() + "\n"),
                "the same CA, not made again: " + second.out);
        assertTrue(second.out.contains("SHA-256 fingerprint: " + ca.fingerprint()), second.out);
    }

    @Test
    void takesTheConfigDirBeforeOrAfterCaAndTheListenAddressForItsExamples() {
        Path home = dir.resolve("home");

        Run before = run("--config-dir", home.toString(), "--listen", "127.0.0.1:9999", "ca");
        Run after = run("ca", "--config-dir", home.toString());

        assertEquals(0, before.code, before.err);
        assertEquals(0, after.code, after.err);
        String certificate = "wiretap's CA certificate: " + home.resolve("wiretap-ca.pem").toAbsolutePath() + "\n";
        assertTrue(before.out.contains(certificate), before.out);
        assertTrue(after.out.contains(certificate), after.out);
        assertTrue(before.out.contains(" -x http://127.0.0.1:9999 https://example.com/"), before.out);
    }

    @Test
    void tellsAboutTheUsersOwnCaAndMakesNoOther() throws Exception {
        CertificateAuthority own = CertificateAuthority.loadOrCreate(dir.resolve("own"));
        Path home = dir.resolve("home");

        Run run = run("ca", "--config-dir", home.toString(), "--ca-cert", own.certificateFile().toString(),
                "--ca-key", dir.resolve("own").resolve(CertificateAuthority.KEY_FILE).toString());

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.startsWith("wiretap's CA certificate: " + own.certificateFile().toAbsolutePath() + "\n"), run.out);
        assertTrue(run.out.contains(own.fingerprint()), run.out);
        assertFalse(Files.exists(home), "no CA made in the config directory");
    }

    @Test
    void honoursWiretapHomeInTheEnvironment() throws Exception {
        Path home = dir.resolve("from-env");
        try (ChildWiretap child = ChildWiretap.start(home, "ca")) {
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS), "wiretap ca did not end within 60 s");
            child.awaitEndOfOutput();

            assertEquals(0, child.process().exitValue(), child.stderr());
            List<String> lines = child.remainingLines();
            assertEquals("Made a new CA in " + home.toAbsolutePath() + " (its key, wiretap-ca-key.pem, readable by you alone).",
                    lines.get(0));
            assertEquals("wiretap's CA certificate: " + home.resolve("wiretap-ca.pem").toAbsolutePath(), lines.get(2));
            assertTrue(Files.exists(home.resolve("wiretap-ca-key.pem")));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            wiretap-ca.pem |       | PEM
            wiretap-ca.crt |       | PEM
            wiretap-ca.der |       | DER
            wiretap-ca.cer |       | DER
            WIRETAP-CA.CER |       | DER
            wiretap-ca.pem | --der | DER
            """)
    void exportsPemOrDerThatParsesBackToTheSameCertificate(String name, String flag, String format) throws Exception {
        Path home = dir.resolve("home");
        Path file = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("ca", "--config-dir", home.toString(), "--export", file.toString()));
        if (flag != null) {
            args.add(flag);
        }

        Run run = run(args.toArray(String[]::new));

        assertEquals(0, run.code, run.err);
        assertEquals("", run.err);
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(home);
        assertEquals("wrote wiretap's CA certificate (" + format + ") to " + file + "\nSHA-256 fingerprint: " + ca.fingerprint() + "\n",
                run.out.replace(System.lineSeparator(), "\n"));
        byte[] written = Files.readAllBytes(file);
        if (format.equals("DER")) {
            assertArrayEquals(ca.certificateDer(), written);
        } else {
            assertTrue(new String(written, StandardCharsets.US_ASCII).startsWith("-----BEGIN CERTIFICATE-----"));
        }
        var parsed = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(written));
        assertEquals(ca.certificate(), parsed);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing/ca.pem          | its directory does not exist
            a-directory             | Is a directory
            a-file/ca.pem           | Not a directory
            """)
    void exits1SayingWhyWhenTheCopyCannotBeWritten(String target, String reason) throws Exception {
        Files.createDirectories(dir.resolve("a-directory"));
        Files.writeString(dir.resolve("a-file"), "not a directory");
        Path file = dir.resolve(target);

        Run run = run("ca", "--config-dir", dir.resolve("home").toString(), "--export", file.toString());

        assertEquals(1, run.code);
        assertEquals("wiretap: cannot write " + file + ": " + reason + "\n", run.err.replace(System.lineSeparator(), "\n"));
        assertEquals("", run.out);
    }

    @ParameterizedTest
    @CsvSource({"wiretap-ca.pem", "wiretap-ca-key.pem"})
    void neverOverwritesTheCasOwnFiles(String name) throws Exception {
        Path home = dir.resolve("home");
        CertificateAuthority.loadOrCreate(home);
        byte[] before = Files.readAllBytes(home.resolve(name));

        Run run = run("ca", "--config-dir", home.toString(), "--export", home.resolve(name).toString(), "--der");

        assertEquals(1, run.code);
        assertTrue(run.err.startsWith("wiretap: " + home.resolve(name) + " is the CA's own file"), run.err);
        assertArrayEquals(before, Files.readAllBytes(home.resolve(name)));
    }

    @Test
    void exits1WhenTheCaCannotBeLoaded() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(CertificateAuthority.CERT_FILE), "not a certificate");

        Run run = run("ca", "--config-dir", home.toString());

        assertEquals(1, run.code);
        assertTrue(run.err.startsWith("wiretap: CA certificate " + home.resolve(CertificateAuthority.CERT_FILE)), run.err);
        assertEquals("", run.out);
    }

    @Test
    void refusesAKeyOthersMayReadWithTheFixAndWarnsAboutADirectoryOpenToOthers() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = home.resolve(CertificateAuthority.KEY_FILE);

        Run made = run("ca", "--config-dir", home.toString());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Run refused = run("ca", "--config-dir", home.toString());

        assertEquals(0, made.code, made.err);
        assertTrue(made.err.startsWith("wiretap: warning: the directory " + home + ", which holds wiretap's CA, is open to"
                + " others than you (mode 0755)"), made.err);
        assertTrue(made.err.contains("chmod 700 " + home + "\n"), made.err);
        assertEquals(1, refused.code);
        assertTrue(refused.err.contains("wiretap: CA key " + key + " can be read or changed by others than you (mode 0644)"),
                refused.err);
        assertTrue(refused.err.contains("chmod 600 " + key), refused.err);
        assertEquals("", refused.out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ca --der                 | wiretap: --der goes with --export FILE
            ca --ca-cert x.pem       | wiretap: --ca-cert and --ca-key go together
            ca --bogus               | wiretap: unknown flag '--bogus' for wiretap ca
            ca --export              | wiretap: Missing required parameter for option '--export'
            """)
    void exits2ForBadFlags(String args, String expected) {
        List<String> words = new ArrayList<>(List.of("--config-dir", dir.resolve("home").toString()));
        words.addAll(List.of(args.split(" ")));

        Run run = run(words.toArray(String[]::new));

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith(expected), run.err);
        if (expected.contains("option") || expected.contains("flag '")) {
            assertTrue(run.err.contains("Try 'wiretap ca --help'"), "picocli's errors point at the subcommand's help: " + run.err);
        }
        assertEquals("", run.out);
        assertFalse(Files.exists(dir.resolve("home")), "no CA made after bad flags");
    }

    @Test
    void listsTheSubcommandInTheHelpAndHasHelpOfItsOwn() {
        Run top = run("--help");
        Run ca = run("ca", "--help");

        assertEquals(0, top.code);
        assertTrue(top.out.contains("Commands:") && top.out.contains("  ca "), top.out);
        assertEquals(0, ca.code);
        assertTrue(ca.out.startsWith("Usage: wiretap ca"), ca.out);
        assertTrue(ca.out.contains("--export=FILE") && ca.out.contains("--der") && ca.out.contains("--config-dir=DIR"), ca.out);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
