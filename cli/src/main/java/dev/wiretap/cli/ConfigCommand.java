package dev.wiretap.cli;

import dev.wiretap.config.UpstreamProxies;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.file.ConfigPrinter;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code wiretap config}: prints the settings wiretap would run with (the config file, the flags and {@code --set}
 * applied) as YAML, each value with where it came from; {@code wiretap config --defaults} prints a commented file of
 * every option with its default instead ({@link ConfigPrinter}). Both read back as config files. Exit codes: 0, 2 for
 * bad flags or a broken config (the error names the file, line and key).
 */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Print the settings in force (config file, flags and --set applied) as YAML, each value with"
                + " where it came from; or, with --defaults, a commented file of every option to start from.",
        footer = {"", "Examples:",
                "  wiretap config                      what the file and the flags add up to",
                "  wiretap --listen :9000 config       flags go before config (--config, --set also after)",
                "  wiretap config --defaults > ~/.wiretap/config.yaml"})
final class ConfigCommand implements Callable<Integer> {

    @ParentCommand
    Main parent;

    @CommandLine.Mixin
    ConfigFlags config = new ConfigFlags();

    @Option(names = "--defaults", description = "Print every option with its default and what it does, and an example"
            + " of each kind of rule, as a commented config file.")
    boolean defaults;

    @Override
    public Integer call() {
        PrintStream out = parent.out();
        if (defaults) {
            out.print(ConfigPrinter.defaults());
            out.flush();
            return 0;
        }
        ConfigLoader.Loaded loaded;
        try {
            loaded = parent.loadSettings(config);
        } catch (ConfigError e) {
            parent.err().println("wiretap: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        out.println(loaded.file().map(f -> "# config file: " + f.toAbsolutePath())
                .orElse("# no config file (" + ConfigLoader.defaultFile(loaded.settings().tls().configDir()) + " does not exist)"));
        out.print(ConfigPrinter.effective(loaded.settings(), loaded.sources()));
        if (loaded.settings().upstreamProxies() instanceof UpstreamProxies.Environment env) {
            out.println("# upstream_proxy env: " + env.describe());
        }
        out.flush();
        return 0;
    }
}
