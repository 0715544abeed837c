package dev.wiretap.cli.console;

import dev.wiretap.config.Settings;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** A running wiretap with the console on a scripted terminal, its command loop on a thread of its own. */
final class ConsoleUnderTest implements AutoCloseable {

    final ProxyUnderTest proxy;
    final ScriptedTerminal terminal;
    final Console console;
    private final Thread loop;

    private ConsoleUnderTest(ProxyUnderTest proxy, ScriptedTerminal terminal, List<String> editor, Optional<Path> configFile,
                             String webUi) {
        this.proxy = proxy;
        this.terminal = terminal;
        FlowFeed feed = new FlowFeed();
        proxy.wiretap().events().add(feed); // the tests send their first request once the prompt shows
        this.console = new Console(terminal.terminal(), proxy.wiretap(), feed, configFile, Optional.empty(),
                "127.0.0.1:" + proxy.port(), editor, false);
        if (!webUi.isEmpty()) {
            console.setWebUi(webUi);
        }
        this.loop = Thread.ofPlatform().name("console-under-test").start(console::run);
    }

    static ConsoleUnderTest start(String terminalType, int columns, int rows) throws IOException, InterruptedException {
        return start(terminalType, columns, rows, List.of("false"));
    }

    /** With {@code editor} as the console's $EDITOR (the file's path is added as its last argument). */
    static ConsoleUnderTest start(String terminalType, int columns, int rows, List<String> editor) throws IOException, InterruptedException {
        ConsoleUnderTest c = new ConsoleUnderTest(ProxyUnderTest.start(), new ScriptedTerminal(terminalType, columns, rows), editor, Optional.empty(), "");
        c.terminal.waitFor(0, "wiretap>");
        return c;
    }

    /** With a web UI at {@code webUi}, which the greeting names. */
    static ConsoleUnderTest startWithWebUi(String webUi) throws IOException, InterruptedException {
        ConsoleUnderTest c = new ConsoleUnderTest(ProxyUnderTest.start(), new ScriptedTerminal("xterm-256color", 160, 50),
                List.of("false"), Optional.empty(), webUi);
        c.terminal.waitFor(0, "wiretap>");
        return c;
    }

    static ConsoleUnderTest start() throws IOException, InterruptedException {
        return start("xterm-256color", 160, 50);
    }

    /** On a 160 x 50 xterm, with the proxy's settings changed by {@code tweak}. */
    static ConsoleUnderTest start(UnaryOperator<Settings> tweak) throws IOException, InterruptedException {
        return start(tweak, Optional.empty());
    }

    /** As {@link #start(UnaryOperator)}, with {@code configFile} as the config file wiretap started with. */
    static ConsoleUnderTest start(UnaryOperator<Settings> tweak, Optional<Path> configFile) throws IOException, InterruptedException {
        ConsoleUnderTest c = new ConsoleUnderTest(ProxyUnderTest.start(tweak), new ScriptedTerminal("xterm-256color", 160, 50),
                List.of("false"), configFile, "");
        c.terminal.waitFor(0, "wiretap>");
        return c;
    }

    Wiretap wiretap() {
        return proxy.wiretap();
    }

    /** Types a command and returns the screen text it produced once {@code expected} shows. */
    String run(String command, String expected) throws IOException, InterruptedException {
        int mark = terminal.mark();
        terminal.type(command + "\n");
        return terminal.waitFor(mark, expected);
    }

    /** GETs {@code url} through wiretap with the JDK client. */
    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return proxy.httpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    boolean hasEnded() throws InterruptedException {
        loop.join(5000);
        return !loop.isAlive();
    }

    @Override
    public void close() throws Exception {
        try {
            terminal.close();
            loop.join(5000);
        } finally {
            proxy.close();
        }
    }
}
