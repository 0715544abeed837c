package dev.wiretap.proxy.addon;

import dev.wiretap.config.rule.RuleAction;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which local file answers a request under a map local rule: the file itself when the rule names a file; under a
 * directory, the request's path (decoded, query dropped, the strip prefix removed) below it, with {@code index.html}
 * for a directory. A path that would leave the directory ({@code ..}) finds nothing.
 */
final class LocalFiles {

    private LocalFiles() {
    }

    static Optional<Path> resolve(RuleAction.MapLocal rule, String pathAndQuery) {
        Path root = rule.path();
        if (!Files.isDirectory(root)) {
            return Files.isRegularFile(root) ? Optional.of(root) : Optional.empty();
        }
        String path = pathAndQuery;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        path = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        path = PathPrefix.strip(path, rule.stripPrefix());
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root.normalize())) {
            return Optional.empty();
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }
}
