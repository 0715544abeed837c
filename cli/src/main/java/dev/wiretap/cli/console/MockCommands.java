package dev.wiretap.cli.console;

import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.file.RulesBlock;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.mock.FlowMock;
import dev.wiretap.proxy.mock.MockWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code mock N [--write]}: a recorded flow as a rule that answers its request with its response ({@link FlowMock}),
 * printed as config text, or added to the config file in use ({@link MockWriter}), whose reload then applies it. Without
 * a config file, {@code --write} makes {@code config.yaml} in the config directory (the file wiretap reads at start)
 * and applies its rules at once, as no watcher follows a file that was not there at start. Run on the console's thread.
 */
final class MockCommands {

    private final Wiretap wiretap;
    private final ViewCommands view;
    private final Screen screen;
    private final Optional<Path> configFile;

    /** @param configFile the config file wiretap started with (and watches), if any */
    MockCommands(Wiretap wiretap, ViewCommands view, Screen screen, Optional<Path> configFile) {
        this.wiretap = wiretap;
        this.view = view;
        this.screen = screen;
        this.configFile = configFile;
    }

    void addTo(CommandTable table) {
        table.add(new ConsoleCommand("mock", List.of("m"), "mock N [--write]", "a rule that answers flow N's request with its response",
                """
                Prints a rule (config YAML) that answers the request of flow N (same method, host, path and query,
                and port unless the scheme's own) with its recorded response, without the origin: the status, the
                fields (less those of the connection and its framing, and Date) and the body as it flowed (a
                compressed body stays compressed, with its Content-Encoding). Text up to 8k goes into the rule; any
                other body into a file beside the
                config (mocks/flow-N.ext). With --write (-w) the rule is added after the last rule of the config
                file in use (the file's other lines stay as they are) and the reload applies it; with no config file,
                config.yaml in the config directory is made (or added to) and the rule applies at once.
                  mock 12
                  mock 12 --write
                """, ConsoleCommand.Argument.FLOW, this::mock));
    }

    private void mock(String argument) throws CommandException {
        boolean write = false;
        String number = null;
        for (String word : argument.split("\\s+")) {
            if (word.equals("--write") || word.equals("-w")) {
                write = true;
            } else if (word.startsWith("-")) {
                throw new CommandException("mock has no option " + word + ": mock N [--write]");
            } else if (!word.isEmpty()) {
                if (number != null) {
                    throw new CommandException("mock takes one flow number: mock N [--write]");
                }
                number = word;
            }
        }
        if (number == null) {
            throw new CommandException("which flow? mock N [--write], e.g. mock 12");
        }
        Flow flow = view.flow(number);
        FlowMock mock;
        try {
            mock = FlowMock.of(flow);
        } catch (IllegalArgumentException e) {
            throw new CommandException("no mock for " + e.getMessage());
        }
        if (write) {
            write(mock);
        } else {
            print(mock);
        }
    }

    private void print(FlowMock mock) {
        // Printed whole, never cut to the terminal's width: it is there to be copied under rules:.
        for (String line : RulesBlock.withRule("", mock.rule(mock.bodyFileName()).yaml()).split("\n")) {
            screen.println(line);
        }
        if (!mock.hasInlineBody()) {
            screen.notice("the body is not short text: mock --write puts it in " + mock.bodyFileName() + " beside the config");
        }
    }

    private void write(FlowMock mock) throws CommandException {
        Path target = configFile.orElseGet(() -> ConfigLoader.defaultFile(wiretap.settings().tls().configDir()));
        MockWriter.Written written;
        try {
            written = MockWriter.write(mock, target);
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandException("mock not written to " + target + ": " + e.getMessage());
        }
        String body = written.bodyFile().map(f -> " (its body in " + f + ")").orElse("");
        if (configFile.isPresent()) {
            screen.notice("added rule '" + mock.ruleName() + "' to " + written.config() + body + "; the config reload applies it");
            return;
        }
        wiretap.updateRules(written.rules());
        screen.notice((written.created() ? "made " : "added rule '" + mock.ruleName() + "' to ") + written.config()
                + (written.created() ? " with rule '" + mock.ruleName() + "'" : "") + body
                + "; in force now. wiretap started without a config file: it reads this one from its next start on");
    }
}
