package dev.wiretap.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} and {@code --set KEY=VALUE}, as a picocli mixin on {@code wiretap} and on each subcommand,
 * so that they may come before or after the subcommand's name. (Not picocli's inherited options: a list option given
 * after the subcommand would replace the values given before it rather than add to them.) Filled by picocli.
 */
final class ConfigFlags {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read settings and rules from FILE (default: config.yaml in the config dir, if it exists).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set any option (wiretap config --defaults lists them), e.g. timeouts.upstream_read=2m;"
                    + " wins over the file and the flags. Repeatable.")
    List<String> sets = new ArrayList<>();
}
