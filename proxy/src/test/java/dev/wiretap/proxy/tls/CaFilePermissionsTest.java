package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.testing.ChildClassPath;
import dev.wiretap.proxy.testing.TestCa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CA's files are checked as ssh checks a private key: a key others may read or change, or that someone else owns,
 * is refused with the command that fixes it; a directory open to others is warned about; the certificate is 0644
 * whatever the umask.
 */
class CaFilePermissionsTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void posixOnly() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"rw-r-----, 0640", "rw----r--, 0604", "rw-r--r--, 0644", "rw--w----, 0620", "rw-rw-rw-, 0666"})
    void refusesAKeyOthersMayReadOrChangeSayingHowToFixIt(String mode, String octal) throws Exception {
        Path dir = tmp.resolve("home");
        CertificateAuthority.loadOrCreate(dir);
        Path key = dir.resolve(CertificateAuthority.KEY_FILE);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(dir));

        assertTrue(e.getMessage().startsWith("CA key " + key + " can be read or changed by others than you (mode " + octal + ")"),
                e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600 " + key + " (or delete it and wiretap-ca.pem to make a new CA"),
                e.getMessage());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        CertificateAuthority.loadOrCreate(dir); // fixed as told
    }

    @Test
    void refusesTheUsersOwnKeyWhenOthersMayReadIt() throws Exception {
        TestCa own = TestCa.ec("my own CA");
        Path cert = own.writeCertificate(tmp.resolve("my-ca.pem"));
        Path key = own.writeKey(tmp.resolve("my-ca.key"), TestCa.KeyFormat.PKCS8);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.fromFiles(cert, key));

        assertTrue(e.getMessage().endsWith("chmod 600 " + key), e.getMessage());
    }

    @Test
    void refusesAKeyThatBelongsToSomeoneElse() throws Exception {
        Path dir = tmp.resolve("home");
        CertificateAuthority.loadOrCreate(dir);
        Path key = dir.resolve(CertificateAuthority.KEY_FILE);
        UserPrincipal me = Files.getOwner(key);
        UserPrincipal nobody;
        try {
            nobody = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(key, nobody);
        } catch (IOException e) {
            assumeTrue(false, "giving a file to user nobody takes root: " + e);
            return;
        }

        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(dir));

        assertTrue(e.getMessage().startsWith("CA key " + key + " belongs to nobody, not to you (" + me.getName() + ")"),
                e.getMessage());
        assertTrue(e.getMessage().contains("sudo chown " + me.getName() + " " + key), e.getMessage());
    }

    @Test
    void warnsAboutAnExistingDirectoryOpenToOthersAndLoadsTheCaAllTheSame() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        CertificateAuthority made = CertificateAuthority.loadOrCreate(dir);
        CertificateAuthority loaded = CertificateAuthority.loadOrCreate(dir);

        for (CertificateAuthority ca : List.of(made, loaded)) {
            assertEquals(1, ca.warnings().size(), ca.warnings().toString());
            String warning = ca.warnings().get(0);
            assertTrue(warning.startsWith("the directory " + dir + ", which holds wiretap's CA, is open to others than you"
                    + " (mode 0755)"), warning);
            assertTrue(warning.endsWith("chmod 700 " + dir), warning);
        }
        assertEquals(made.certificate(), loaded.certificate());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        assertEquals(List.of(), CertificateAuthority.loadOrCreate(dir).warnings());
    }

    @Test
    void writesTheCertificateReadableByAllAndTheKeyByItsOwnerWhateverTheUmask() throws Exception {
        // The umask belongs to the process, so a JVM of its own makes the CA under umask 077.
        Path dir = tmp.resolve("made under umask 077");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("sh", "-c", "umask 077 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                java, ChildClassPath.of(MakeCa.class), MakeCa.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), output);

        assertEquals("rw-r--r--", mode(dir.resolve(CertificateAuthority.CERT_FILE)));
        assertEquals("rw-------", mode(dir.resolve(CertificateAuthority.KEY_FILE)));
        assertEquals("rwx------", mode(dir));
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    /** Makes wiretap's CA in the directory given, in a JVM of its own. */
    static final class MakeCa {
        public static void main(String[] args) throws IOException {
            CertificateAuthority.loadOrCreate(Path.of(args[0]));
        }
    }
}
