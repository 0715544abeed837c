package dev.wiretap.proxy.addon;

import dev.wiretap.config.rule.RuleAction;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which local file answers a request under a map local rule: the file itself when the rule names a file; under a
 * directory, the request's path (decoded, query dropped, the strip prefix removed) below it, with {@code index.html}
 * for a directory. A path that would leave the directory ({@code ..}) finds nothing, and a file whose real path
 * leaves it (a symbolic link, or a link among its parents, to elsewhere) is refused: the rule offers the directory's
 * files to whoever can reach the proxy, not whatever a link inside it points at. Called on the connection's thread.
 */
final class LocalFiles {

    /** What a request finds under a map local rule. */
    sealed interface Lookup {
    }

    /** The file to answer with, as found inside the rule's path. */
    record Found(Path file) implements Lookup {
    }

    /** No such file. */
    record Missing() implements Lookup {
    }

    /** A file whose real path is outside the rule's directory. */
    record Outside() implements Lookup {
    }

    private LocalFiles() {
    }

    static Lookup resolve(RuleAction.MapLocal rule, String pathAndQuery) {
        Path root = rule.path();
        if (!Files.isDirectory(root)) {
            return Files.isRegularFile(root) ? new Found(root) : new Missing();
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
            return new Missing();
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        if (!Files.isRegularFile(file)) {
            return new Missing();
        }
        try {
            return file.toRealPath().startsWith(root.toRealPath()) ? new Found(file) : new Outside();
        } catch (IOException e) {
            return new Missing(); // gone, or a link to nowhere, since it was seen a moment ago
        }
    }
}
