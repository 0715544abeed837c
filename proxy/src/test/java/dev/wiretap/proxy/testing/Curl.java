package dev.wiretap.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** curl as a real client in tests: run once with arguments, its output and exit code kept. */
public final class Curl {

    /** What a run of curl gave. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private Curl() {
    }

    /** Writes {@code certificate} as PEM to {@code file}, for curl's {@code --cacert}. */
    public static Path writePem(X509Certificate certificate, Path file) throws IOException {
        try {
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
            return file;
        } catch (CertificateEncodingException e) {
            throw new IOException(e);
        }
    }

    /** Runs curl with {@code args} (no proxy from the environment), waiting at most 60 s. */
    public static Result run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("curl");
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        Process p = pb.start();
        p.getOutputStream().close();
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Thread t1 = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
        Thread t2 = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("curl did not finish in 60 s: " + command);
        }
        t1.join();
        t2.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(java.io.InputStream in, java.io.ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended: what was read is what there is
        }
    }
}
