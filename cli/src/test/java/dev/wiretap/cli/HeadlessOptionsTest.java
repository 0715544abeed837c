package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The headless flags' bad values, refused before wiretap starts with exit code 2 and a clear word. */
class HeadlessOptionsTest {

    @TempDir
    Path dir;

    @Test
    void refusesAnInvalidFilterPointingAtTheColumn() {
        Run run = run("--filter", "host:example.com & (status:5xx");

        assertEquals(2, run.code);
        String nl = System.lineSeparator();
        assertTrue(run.err.startsWith("wiretap: Invalid value for option '--filter': column "), run.err);
        assertTrue(run.err.contains(nl + "  host:example.com & (status:5xx" + nl + "  "), run.err);
        int column = Integer.parseInt(run.err.substring(run.err.indexOf("column ") + 7, run.err.indexOf(':', run.err.indexOf("column "))));
        String caretLine = run.err.lines().filter(l -> l.trim().equals("^")).findFirst().orElseThrow();
        assertEquals(2 + column - 1, caretLine.indexOf('^'), "the caret stands under the column named");
        assertTrue(run.err.contains("wiretap --help"), run.err);
        assertEquals("", run.out);
    }

    @Test
    void refusesAnUnknownLogFormat() {
        Run run = run("--log-format", "xml");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("wiretap: Invalid value for option '--log-format': expected text or json, got 'xml'"), run.err);
    }

    @Test
    void refusesAHarFileInADirectoryThatDoesNotExist() {
        Path har = dir.resolve("missing").resolve("out.har");

        Run run = run("--har", har.toString(), "--config-dir", dir.toString());

        assertEquals(2, run.code);
        assertEquals("wiretap: --har " + har + ": no such directory " + har.getParent() + System.lineSeparator(), run.err);
        assertEquals("", run.out, "wiretap never started");
    }

    @Test
    void refusesAHarFileThatIsADirectory() {
        Run run = run("--har", dir.toString(), "--config-dir", dir.toString());

        assertEquals(2, run.code);
        assertEquals("wiretap: --har " + dir + ": is a directory; give a file name" + System.lineSeparator(), run.err);
    }

    @Test
    void listsTheHeadlessFlagsInTheHelp() {
        Run run = run("--help");

        assertEquals(0, run.code);
        for (String flag : new String[] {"--headless", "--filter=EXPR", "--har=FILE", "--log-format=FORMAT"}) {
            assertTrue(run.out.contains(flag), flag + " in " + run.out);
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
