package dev.wiretap.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.wiretap.proxy.testing.ChildClassPath;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The README's library section, read from the README itself so that the two cannot drift apart: the dependency it
 * shows names the project's version, and each Java example marked {@code compiled and run by ReadmeExamplesTest} is
 * compiled as it stands and run as a JUnit test, which must pass. The Selenium example drives Debian's Chromium through
 * /usr/bin/chromedriver (skipped where either is missing; .ci/run installs both).
 */
class ReadmeExamplesTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern EXAMPLE = Pattern.compile(
            "<!-- compiled and run by ReadmeExamplesTest -->\\n```java\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void theDependencyShownIsThisVersion() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String version = System.getProperty("wiretap.version");
        assertTrue(readme.contains("""
                <dependency>
                  <groupId>dev.wiretap</groupId>
                  <artifactId>wiretap-junit</artifactId>
                  <version>%s</version>
                  <scope>test</scope>
                </dependency>""".formatted(version)), "the README's <dependency> does not name version " + version);
    }

    @Test
    void theContractTestIsTheIssuesAndTheContractProjectsToo() throws IOException {
        String contract = example("ContractTest");
        Path project = Path.of("contract-test", "src", "test", "java", "ContractTest.java");
        assertEquals(contract + "\n", Files.readString(project, StandardCharsets.UTF_8),
                "junit/contract-test runs another test than the README shows");
    }

    @Test
    void theContractTestCompilesAndPasses() throws Exception {
        run("ContractTest");
    }

    @Test
    void theSeleniumExampleCompilesAndPasses() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "/usr/bin/chromium is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromedriver")), "/usr/bin/chromedriver is not installed");
        // Selenium would otherwise look for a driver and a browser of its own (and download them).
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        run("ShopPageTest");
        assertTrue(Files.size(Path.of("target", "shop-page.har")) > 0);
    }

    /** Compiles the README's example class {@code name} and runs it as a JUnit test class; fails unless it passes. */
    private void run(String name) throws Exception {
        Path source = dir.resolve("src").resolve(name + ".java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, example(name), StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int status = javac.run(null, messages, messages, "-d", classes.toString(), "-classpath",
                ChildClassPath.of(ReadmeExamplesTest.class), source.toString());
        assertEquals(0, status, "the README's " + name + " does not compile:\n" + messages);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> example = loader.loadClass(name);
            EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(example)).execute();
            List<String> failures = new ArrayList<>();
            results.testEvents().failed().stream().forEach(event -> failures.add(event.getTestDescriptor().getDisplayName()
                    + ": " + event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                    .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).map(Throwable::toString).orElse("")));
            assertEquals(List.of(), failures, "the README's " + name + " failed");
            assertEquals(1, results.testEvents().succeeded().count(), "the README's " + name + " ran no test");
        }
    }

    /** The README's Java example that declares {@code class NAME}. */
    private static String example(String name) throws IOException {
        Matcher m = EXAMPLE.matcher(Files.readString(README, StandardCharsets.UTF_8));
        while (m.find()) {
            if (m.group(1).contains("\nclass " + name + " {")) {
                return m.group(1);
            }
        }
        throw new AssertionError("the README has no example class " + name);
    }
}
