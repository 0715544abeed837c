package dev.wiretap.proxy.mock;

import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.file.RulesBlock;
import dev.wiretap.config.rule.Rule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Adds a {@link FlowMock}'s rule to a config file, as text: the body file (when the body is not inline) goes beside
 * the config, under {@code mocks/}, with a name of its own; the rule goes after the file's last rule
 * ({@link RulesBlock}), every other line of the file kept as it was. The result is loaded before the file is
 * touched, so a config that would not load is never written; a file that did not exist is made with the rule alone.
 * The file is written in place (a symbolic link, its owner and permissions stay), which wiretap's config watcher then
 * reloads. Runs on the caller's thread; one writer at a time per file is the caller's business.
 */
public final class MockWriter {

    /**
     * What was written.
     *
     * @param config   the config file
     * @param created  whether it was made for this rule
     * @param bodyFile the file the answer's body went to, if not into the rule
     * @param rules    the file's rules as loaded now, the new one last
     */
    public record Written(Path config, boolean created, Optional<Path> bodyFile, List<Rule> rules) {
    }

    private MockWriter() {
    }

    /**
     * Adds {@code mock}'s rule to {@code config}, making the file (and its directory) if it is not there.
     *
     * @throws IOException              if a file cannot be read or written; the message names it and says why
     * @throws IllegalArgumentException if the config does not load now, or would not with the rule (its rules written in
     *                                  flow style), saying why; nothing is changed then
     */
    public static Written write(FlowMock mock, Path config) throws IOException {
        Path file = config.toAbsolutePath().normalize();
        Path dir = file.getParent();
        boolean exists = Files.exists(file);
        String before = exists ? Files.readString(file, StandardCharsets.UTF_8) : "";
        int rulesBefore = exists ? load(file, file).size() : 0;
        Files.createDirectories(dir);
        Optional<Path> bodyFile = mock.hasInlineBody() ? Optional.empty() : Optional.of(writeBody(mock, dir));
        try {
            String relative = bodyFile.map(b -> dir.relativize(b).toString().replace('\\', '/')).orElse(mock.bodyFileName());
            String after = RulesBlock.withRule(before, mock.rule(relative).yaml());
            List<Rule> rules = check(after, dir, file);
            if (rules.size() != rulesBefore + 1) {
                throw new IllegalArgumentException("the rule did not land in the file's rules (" + rules.size() + " rules where "
                        + (rulesBefore + 1) + " were expected); add it by hand");
            }
            Files.writeString(file, after, StandardCharsets.UTF_8);
            return new Written(file, !exists, bodyFile, rules);
        } catch (IOException | RuntimeException e) {
            if (bodyFile.isPresent()) {
                Files.deleteIfExists(bodyFile.get());
            }
            throw e;
        }
    }

    /** Writes the body to {@code mocks/flow-N.ext} under {@code dir}, or {@code flow-N-2.ext} and so on if taken. */
    private static Path writeBody(FlowMock mock, Path dir) throws IOException {
        Path wanted = dir.resolve(mock.bodyFileName());
        Files.createDirectories(wanted.getParent());
        String name = wanted.getFileName().toString();
        int dot = name.indexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot);
        for (int n = 1; ; n++) {
            Path candidate = n == 1 ? wanted : wanted.resolveSibling(stem + "-" + n + ext);
            try {
                Files.write(candidate, mock.body(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return candidate;
            } catch (FileAlreadyExistsException e) {
                // taken: try the next name
            }
        }
    }

    /** Loads {@code text} as the config in {@code dir} would load (relative paths alike); its rules. */
    private static List<Rule> check(String text, Path dir, Path config) throws IOException {
        Path temp = Files.createTempFile(dir, "." + config.getFileName() + ".", ".check.yaml");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            return load(temp, config);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The rules of {@code file}, whose faults are said as {@code config}'s. */
    private static List<Rule> load(Path file, Path config) {
        try {
            return ConfigLoader.load(Optional.of(file), List.of()).settings().rules();
        } catch (ConfigError e) {
            String message = e.getMessage().replace(file.getFileName().toString(), config.getFileName().toString());
            throw new IllegalArgumentException(file.equals(config) ? config + " does not load as it is (" + message + "); fix it first"
                    : "with the rule, " + config + " would not load (" + message + "); nothing was written");
        }
    }
}
