package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium loads a page with six scripts from a local nginx with HTTP/2 on, through wiretap, trusting
 * wiretap's CA: the page and its subresources arrive as HTTP/2 streams of one connection (wiretap's log, filtered with
 * {@code --filter proto:h2}, lists each), and nginx, whose access log writes each request's protocol, gets them over
 * HTTP/2 too. Skipped where Chromium, certutil, nginx or openssl is missing (.ci/run installs them).
 */
class ChromiumHttp2Test {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CERTUTIL = Path.of("/usr/bin/certutil");
    private static final int SCRIPTS = 6;

    @TempDir
    Path dir;

    private ChildWiretap wiretap;
    private Process nginx;

    @AfterEach
    void stop() {
        if (wiretap != null) {
            wiretap.close();
        }
        if (nginx != null) {
            nginx.destroy();
        }
    }

    @Test
    void aPageAndItsSubresourcesComeAsHttp2StreamsOnBothSides() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is not installed (Debian: apt-get install chromium)");
        assumeTrue(Files.isExecutable(CERTUTIL), CERTUTIL + " is not installed (Debian: apt-get install libnss3-tools)");
        assumeTrue(onPath("nginx") && onPath("openssl"), "nginx or openssl is not installed (Debian: apt-get install nginx openssl)");
        Path work = Files.createDirectories(dir.resolve("nginx"));
        Path cert = makeCertificate(work);
        int port = freePort();
        startNginx(work, port);
        String base = "https://localhost:" + port;

        ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("wiretap-home"),
                "--upstream-ca", cert.toString(), "--filter", "proto:h2");
        wiretap = started.wiretap();
        Path browserHome = Files.createDirectories(dir.resolve("browser-home"));
        Path nssdb = Files.createDirectories(browserHome.resolve(".pki/nssdb"));
        Processes.runOrFail(CERTUTIL.toString(), "-d", "sql:" + nssdb, "-N", "--empty-password");
        Processes.runOrFail(CERTUTIL.toString(), "-d", "sql:" + nssdb, "-A", "-t", "C,,", "-n", "wiretap", "-i",
                wiretap.caCertificate().toString());
        Processes.Result chromium = Processes.run(Map.of("HOME", browserHome.toString()), Duration.ofSeconds(120),
                CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--password-store=basic",
                "--user-data-dir=" + dir.resolve("chromium-profile"), "--proxy-server=127.0.0.1:" + started.port(),
                "--proxy-bypass-list=<-loopback>", "--dump-dom", base + "/");

        for (int i = 1; i <= SCRIPTS; i++) {
            assertTrue(chromium.stdout().contains("script " + i + " ran"), "script " + i + " did not run:\n"
                    + chromium.describe() + "\n--- wiretap's stderr:\n" + wiretap.stderr());
        }
        // Each script's line, in whatever order the streams ended: one connection carries them all at once.
        Map<String, String> seen = new HashMap<>();
        List<String> urls = new ArrayList<>();
        for (int i = 1; i <= SCRIPTS; i++) {
            urls.add(base + "/s" + i + ".js");
        }
        while (seen.size() < SCRIPTS) {
            String line = wiretap.awaitLine(
                    l -> urls.stream().anyMatch(url -> !seen.containsKey(url) && l.contains(" GET " + url + " ")));
            urls.stream().filter(url -> line.contains(" GET " + url + " ")).forEach(url -> seen.put(url, line));
        }
        seen.values().forEach(line -> assertTrue(line.contains(" 200 "), line));
        String access = Files.readString(work.resolve("access.log"));
        for (int i = 1; i <= SCRIPTS; i++) {
            assertTrue(access.contains("HTTP/2.0 /s" + i + ".js"), "nginx did not get /s" + i + ".js over HTTP/2:\n" + access);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    /** A self-signed certificate for localhost and 127.0.0.1, made by openssl; returns the certificate's PEM file. */
    private static Path makeCertificate(Path work) throws Exception {
        Path key = work.resolve("origin.key");
        Path cert = work.resolve("origin.pem");
        Processes.runOrFail("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE");
        return cert;
    }

    private void startNginx(Path work, int port) throws Exception {
        Path www = Files.createDirectories(work.resolve("www"));
        StringBuilder page = new StringBuilder("<!doctype html><html><head><title>h2</title></head><body>");
        for (int i = 1; i <= SCRIPTS; i++) {
            page.append("<script src=\"/s").append(i).append(".js\"></script>");
            Files.writeString(www.resolve("s" + i + ".js"),
                    "document.body.insertAdjacentHTML('beforeend', '<p>script " + i + " ran</p>');\n");
        }
        Files.writeString(www.resolve("index.html"), page.append("</body></html>").toString());
        Files.createDirectories(work.resolve("tmp"));
        String conf = """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    log_format proto '$server_protocol $request_uri';
                    access_log %1$s/access.log proto;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    types { text/html html; application/javascript js; }
                    server {
                        listen 127.0.0.1:%2$d ssl http2;
                        ssl_certificate %1$s/origin.pem;
                        ssl_certificate_key %1$s/origin.key;
                        root %1$s/www;
                    }
                }
                """.formatted(work, port);
        Path confFile = work.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        makeReadable(dir);
        nginx = new ProcessBuilder("nginx", "-p", work.toString(), "-c", confFile.toString(), "-e", work.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                if (!nginx.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nginx did not listen on " + port + ": " + Files.readString(work.resolve("nginx.out"))
                + (Files.exists(work.resolve("error.log")) ? Files.readString(work.resolve("error.log")) : ""));
    }

    /** With master_process off nginx serves as the user it runs as; the files stay readable for it either way. */
    private static void makeReadable(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
