package dev.wiretap.web;

import dev.wiretap.proxy.service.ServiceResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The browser's files, served from the jar: the page ({@code /}), the UI's own modules and styles
 * ({@code /assets/NAME}), and Preact from its WebJar ({@code /vendor/preact/...}), which the page's import map names, so
 * the UI works offline and nothing is fetched from elsewhere. Every page goes out with a Content-Security-Policy that
 * allows this origin's files alone (and the import map, by its hash). Files are read once and kept. Thread-safe.
 */
final class StaticAssets {

    private static final String ROOT = "dev/wiretap/web/assets/";
    private static final Pattern ASSET_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final Map<String, Optional<byte[]>> files = new ConcurrentHashMap<>();
    private final byte[] page;
    private final String policy;
    private final String preactRoot;

    StaticAssets() {
        this.page = read(ROOT + "index.html").orElseThrow(() -> new IllegalStateException("the web UI's index.html is missing from the jar"));
        this.policy = "default-src 'none'; script-src 'self' '" + importMapHash(new String(page, StandardCharsets.UTF_8))
                + "'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none';"
                + " frame-ancestors 'none'";
        this.preactRoot = "META-INF/resources/webjars/preact/" + preactVersion() + "/";
    }

    /** The page, whatever path it is asked at ({@code /}). */
    ServiceResponse page() {
        return secured(ServiceResponse.of(200, "text/html; charset=utf-8", page)).with("Content-Security-Policy", policy);
    }

    /** {@code /assets/NAME} or {@code /vendor/preact/FILE}, if there is such a file. */
    Optional<ServiceResponse> file(String path) {
        Optional<String> resource = resourceFor(path);
        if (resource.isEmpty()) {
            return Optional.empty();
        }
        String name = resource.get();
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        return files.computeIfAbsent(name, StaticAssets::read)
                .map(bytes -> secured(ServiceResponse.of(200, type, bytes)));
    }

    private Optional<String> resourceFor(String path) {
        if (path.startsWith("/assets/") && ASSET_NAME.matcher(path.substring(8)).matches()) {
            return Optional.of(ROOT + path.substring(8));
        }
        return switch (path) {
            case "/vendor/preact/preact.module.js" -> Optional.of(preactRoot + "dist/preact.module.js");
            case "/vendor/preact/hooks.module.js" -> Optional.of(preactRoot + "hooks/dist/hooks.module.js");
            default -> Optional.empty();
        };
    }

    /** Fields every answer of the UI carries: no sniffing, no framing, no referrer, checked again each time. */
    static ServiceResponse secured(ServiceResponse response) {
        return response.with("X-Content-Type-Options", "nosniff").with("X-Frame-Options", "DENY")
                .with("Referrer-Policy", "no-referrer").with("Cache-Control", "no-cache");
    }

    private static Optional<byte[]> read(String resource) {
        // The UI's own files through its class, which finds them in this module on the module path too (where the
        // class loader hides a named module's resources); Preact's under META-INF, which no module hides.
        try (InputStream in = resource.startsWith(ROOT) ? StaticAssets.class.getResourceAsStream("/" + resource)
                : StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource + " from the jar", e);
        }
    }

    /** The version of the Preact WebJar on the class path, from its Maven properties. */
    private static String preactVersion() {
        try (InputStream in = StaticAssets.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/preact/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the Preact WebJar is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("reading Preact's version", e);
        }
    }

    /** {@code sha256-...} of the page's inline import map, which the policy must name to let it run. */
    static String importMapHash(String html) {
        String open = "<script type=\"importmap\">";
        int start = html.indexOf(open);
        int end = html.indexOf("</script>", start);
        if (start < 0 || end < 0) {
            throw new IllegalStateException("the web UI's index.html has no import map");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(html.substring(start + open.length(), end).getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
