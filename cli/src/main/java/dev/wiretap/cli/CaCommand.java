package dev.wiretap.cli;

import dev.wiretap.cli.view.TerminalText;
import dev.wiretap.config.TlsSettings;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.proxy.tls.CertificateAuthority;
import dev.wiretap.proxy.tls.TrustInstructions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code wiretap ca}: prints where wiretap's CA certificate is (making the CA first when there is none yet), its
 * fingerprint, and how to make each kind of client trust it ({@link TrustInstructions}, the same text wiretap's own
 * page shows); with {@code --export FILE}, writes a copy of the certificate instead. Honours the parent command's
 * {@code --config-dir} (or {@code $WIRETAP_HOME}) and {@code --ca-cert}/{@code --ca-key}, given before or after
 * {@code ca}, and the config file's TLS settings. Exit codes: 0, 1 when the CA cannot be loaded or made or the copy
 * cannot be written, 2 for bad flags or a broken config.
 */
@Command(name = "ca", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Show where wiretap's CA certificate is and how to make clients trust it, or export a copy."
                + " Makes the CA if there is none yet.",
        footer = {"", "Examples:",
                "  wiretap ca                            where it is, how to trust it",
                "  wiretap ca --export wiretap-ca.pem    a copy in PEM",
                "  wiretap ca --export wiretap-ca.cer    a copy in DER (or with --der)"})
final class CaCommand implements Callable<Integer> {

    @ParentCommand
    Main parent;

    @CommandLine.Mixin
    ConfigFlags config = new ConfigFlags();

    @Option(names = "--export", paramLabel = "FILE",
            description = "Write the CA certificate to FILE: PEM, or DER with --der or when FILE ends in .der or .cer.")
    Path export;

    @Option(names = "--der", description = "Export in DER (binary) form rather than PEM.")
    boolean der;

    @Override
    public Integer call() {
        PrintStream out = parent.out();
        PrintStream err = parent.err();
        if (der && export == null) {
            err.println("wiretap: --der goes with --export FILE");
            return CommandLine.ExitCode.USAGE;
        }
        if (!parent.caFlagsPaired()) {
            err.println("wiretap: --ca-cert and --ca-key go together");
            return CommandLine.ExitCode.USAGE;
        }
        ConfigLoader.Loaded loaded;
        try {
            loaded = parent.loadSettings(config);
        } catch (ConfigError e) {
            err.println("wiretap: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        TlsSettings tls = loaded.settings().tls();
        boolean existed = tls.ownCa().isPresent() || Files.exists(tls.configDir().resolve(CertificateAuthority.CERT_FILE));
        CertificateAuthority ca;
        try {
            ca = CertificateAuthority.load(tls);
        } catch (IOException e) {
            err.println("wiretap: " + e.getMessage());
            return 1;
        }
        ca.warnings().forEach(w -> err.println("wiretap: warning: " + w));
        if (export != null) {
            return export(ca, tls, out, err);
        }
        if (!existed) {
            out.println("Made a new CA in " + tls.configDir().toAbsolutePath() + " (its key, " + CertificateAuthority.KEY_FILE
                    + ", readable by you alone).");
            out.println();
        }
        // The subject is the certificate file's text (a --ca-cert the user was given): inert, as all such text.
        out.print(TerminalText.visibleLines(TrustInstructions.of(ca, loaded.settings().listen().toString()).plainText()));
        out.println();
        out.println("Through the proxy, http://wiretap/ shows the same and offers the certificate for download.");
        out.flush();
        return 0;
    }

    private int export(CertificateAuthority ca, TlsSettings tls, PrintStream out, PrintStream err) {
        if (isCaFile(tls, ca)) {
            err.println("wiretap: " + export + " is the CA's own file; export to another name");
            return 1;
        }
        String name = export.getFileName() == null ? "" : export.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean asDer = der || name.endsWith(".der") || name.endsWith(".cer");
        byte[] bytes = asDer ? ca.certificateDer() : ca.certificatePem().getBytes(StandardCharsets.US_ASCII);
        try {
            Files.write(export, bytes);
        } catch (IOException e) {
            err.println("wiretap: cannot write " + export + ": " + reason(e));
            return 1;
        }
        out.println("wrote wiretap's CA certificate (" + (asDer ? "DER" : "PEM") + ") to " + export);
        out.println("SHA-256 fingerprint: " + ca.fingerprint());
        out.flush();
        return 0;
    }

    /** Whether {@link #export} names the CA's certificate or key file, which a copy must never overwrite. */
    private boolean isCaFile(TlsSettings tls, CertificateAuthority ca) {
        Path key = tls.ownCa().map(TlsSettings.OwnCa::key).orElse(tls.configDir().resolve(CertificateAuthority.KEY_FILE));
        for (Path file : new Path[] {ca.certificateFile(), key}) {
            try {
                if (Files.exists(export) && Files.isSameFile(export, file)) {
                    return true;
                }
            } catch (IOException e) {
                // Cannot tell (a file we may not read): the write below reports what is wrong, if anything.
            }
        }
        return false;
    }

    /** Why a write failed, in words (the JDK's messages for these are just the path). */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "its directory does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
