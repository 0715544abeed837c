package dev.wiretap.proxy.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the CA's files on disk can be trusted, checked as ssh checks a private key before using it: whoever else can
 * read the CA key can pose as any site to every client that trusts the CA, and whoever can change the files can make
 * wiretap hand out their certificate to be trusted. A key that anyone but its owner may read or write, or that
 * someone else owns, is refused with the command that fixes it; a config directory open to others is warned about.
 * On file systems without POSIX permissions (Windows) nothing is checked: the platform's ACLs apply. Stateless; called
 * once when the CA is loaded.
 */
final class CaFilePermissions {

    private CaFilePermissions() {
    }

    /**
     * Refuses {@code keyFile} when its mode lets group or others in (ssh's "UNPROTECTED PRIVATE KEY FILE") or when it
     * belongs to another user; the message names the file, what is wrong, and the command that fixes it.
     *
     * @param remedy what else the user may do instead (for wiretap's own CA: make a new one), or empty
     */
    static void checkKey(Path keyFile, String remedy) throws IOException {
        Optional<Set<PosixFilePermission>> mode = modeOf(keyFile);
        if (mode.isEmpty()) {
            return;
        }
        String alternative = remedy.isEmpty() ? "" : " (or " + remedy + ")";
        Optional<String> me = currentUser();
        String owner = Files.getOwner(keyFile).getName();
        if (me.isPresent() && !owner.equals(me.get())) {
            throw new IOException("CA key " + keyFile + " belongs to " + owner + ", not to you (" + me.get() + "), who"
                    + " runs wiretap: its owner can read it and replace it. Make it yours: sudo chown " + me.get() + " "
                    + TrustInstructions.shellQuote(keyFile.toString()) + alternative);
        }
        if (opensToOthers(mode.get())) {
            throw new IOException("CA key " + keyFile + " can be read or changed by others than you (mode "
                    + octal(mode.get()) + "): whoever reads it can pose as any site to the clients that trust the CA."
                    + " Make it yours alone: chmod 600 " + TrustInstructions.shellQuote(keyFile.toString()) + alternative);
        }
    }

    /** A warning when {@code dir}, where wiretap keeps its CA, lets group or others in; empty if it does not. */
    static Optional<String> directoryWarning(Path dir) throws IOException {
        Optional<Set<PosixFilePermission>> mode = modeOf(dir);
        if (mode.isEmpty() || !opensToOthers(mode.get())) {
            return Optional.empty();
        }
        return Optional.of("the directory " + dir + ", which holds wiretap's CA, is open to others than you (mode "
                + octal(mode.get()) + "): they can see what is in it, and one who may write there can replace the CA"
                + " certificate that wiretap ca tells you to trust. Close it: chmod 700 "
                + TrustInstructions.shellQuote(dir.toString()));
    }

    /** Makes {@code file} readable by everyone and writable by its owner alone (0644), whatever the umask made it. */
    static void makePublic(Path file) throws IOException {
        if (modeOf(file).isPresent()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static Optional<Set<PosixFilePermission>> modeOf(Path file) throws IOException {
        try {
            return Optional.of(Files.getPosixFilePermissions(file));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static boolean opensToOthers(Set<PosixFilePermission> mode) {
        for (PosixFilePermission p : mode) {
            if (!p.name().startsWith("OWNER_")) {
                return true;
            }
        }
        return false;
    }

    /** The mode as {@code ls -l} and chmod write it in octal: {@code 0644}. */
    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 0400 >> p.ordinal(); // OWNER_READ first, OTHERS_EXECUTE last: one bit each, high to low
        }
        return String.format("0%03o", bits);
    }

    /** The name of the user wiretap runs as, as the file system names owners. */
    private static Optional<String> currentUser() {
        Optional<String> user = ProcessHandle.current().info().user();
        return user.isPresent() ? user : Optional.ofNullable(System.getProperty("user.name"));
    }
}
