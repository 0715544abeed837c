package dev.wiretap.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.ChildClassPath;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wiretap as a user's module sees it: a module of the user's ({@code requires dev.wiretap.junit;}) compiled with javac
 * against wiretap's modules on the module path, and run there in a JVM of its own with JUnit's launcher, everything on
 * the module path (so JUnit's platform is not split between the two paths, as it is under surefire). It runs the
 * contract test of {@code junit/contract-test} (the README's), in a package of the user's module, since a named module
 * has no unnamed package; and it shows that such a module cannot reach the engine's unexported packages.
 *
 * <p>The module path is this JVM's class path cut down to the modules that {@code dev.wiretap.junit} and JUnit's
 * launcher need (what they require, transitively), so that the test jars beside them (Selenium, AssertJ, the proxy's
 * test-jar) are left out as a user's build would leave them. The child JVM finds Jupiter's engine as a service there.
 */
class ModulePathConsumerTest {

    private static final Path CONTRACT = Path.of("contract-test", "src", "test", "java", "ContractTest.java");

    @TempDir
    Path dir;

    @Test
    void theContractTestCompilesAndPassesInAModuleOfTheUsersOnTheModulePath() throws Exception {
        String modulePath = modulePath();
        Path src = dir.resolve("src");
        write(src.resolve("module-info.java"), """
                module example.contract {
                    requires dev.wiretap.junit;
                    requires java.net.http;
                    requires org.junit.platform.launcher;
                    // JUnit makes the test class and reads its fields by reflection.
                    opens example.contract to org.junit.platform.commons;
                }
                """);
        write(src.resolve("example/contract/ContractTest.java"),
                "package example.contract;\n\n" + Files.readString(CONTRACT, StandardCharsets.UTF_8));
        write(src.resolve("example/contract/RunContract.java"), """
                package example.contract;

                import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

                import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
                import org.junit.platform.launcher.core.LauncherFactory;
                import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

                public class RunContract {
                    public static void main(String[] args) {
                        SummaryGeneratingListener summary = new SummaryGeneratingListener();
                        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(ContractTest.class)).build(), summary);
                        summary.getSummary().printTo(new java.io.PrintWriter(System.out, true));
                        summary.getSummary().printFailuresTo(new java.io.PrintWriter(System.out, true), 20);
                        System.exit(summary.getSummary().getTotalFailureCount() == 0
                                && summary.getSummary().getTestsSucceededCount() == 1 ? 0 : 1);
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        Compilation compiled = javac(modulePath, classes, src);
        assertEquals(0, compiled.status, "the user's module does not compile on the module path:\n" + compiled.messages);

        Path log = dir.resolve("run.log");
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", classes + File.pathSeparator + modulePath,
                "--module", "example.contract/example.contract.RunContract")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        java.getOutputStream().close();
        if (!java.waitFor(2, TimeUnit.MINUTES)) {
            java.destroyForcibly();
            throw new AssertionError("the contract test on the module path did not end within 2 minutes:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, java.exitValue(), "the contract test failed on the module path:\n" + output);
        assertTrue(output.contains("1 tests successful"), output);
    }

    @Test
    void aModuleOfTheUsersCannotReachTheEnginesInternals() throws Exception {
        for (String internal : List.of("dev.wiretap.proxy.live.LiveFlow", "dev.wiretap.proxy.server.Listener",
                "dev.wiretap.proxy.upstream.UpstreamPool")) {
            Path src = dir.resolve("intruder-" + internal);
            write(src.resolve("module-info.java"), """
                    module example.intruder {
                        requires dev.wiretap.junit;
                    }
                    """);
            write(src.resolve("example/intruder/Reach.java"), """
                    package example.intruder;

                    class Reach {
                        Class<?> internal = %s.class;
                    }
                    """.formatted(internal));
            Compilation compiled = javac(modulePath(), dir.resolve("intruder-classes-" + internal), src);
            String pkg = internal.substring(0, internal.lastIndexOf('.'));
            assertNotEquals(0, compiled.status, internal + " was reachable from a user's module");
            assertTrue(compiled.messages.contains("package " + pkg + " is not visible"), compiled.messages);
        }
    }

    private record Compilation(int status, String messages) {
    }

    private static Compilation javac(String modulePath, Path classes, Path src) throws IOException {
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--module-path", modulePath));
        try (var sources = Files.walk(src)) {
            sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int status = compiler.run(null, messages, messages, args.toArray(String[]::new));
        return new Compilation(status, messages.toString(StandardCharsets.UTF_8));
    }

    /**
     * The locations of the modules {@code dev.wiretap.junit}, JUnit's launcher and Jupiter's engine need, found among
     * this JVM's paths: each entry that is a module (or can be an automatic one) counts once, the first of a name wins.
     */
    private static String modulePath() {
        Map<String, Path> byName = new LinkedHashMap<>();
        Map<String, ModuleReference> modules = new LinkedHashMap<>();
        for (String entry : ChildClassPath.of(WiretapExtension.class).split(File.pathSeparator)) {
            if (entry.isEmpty() || !Files.exists(Path.of(entry))) {
                continue;
            }
            try {
                for (ModuleReference module : ModuleFinder.of(Path.of(entry)).findAll()) {
                    if (byName.putIfAbsent(module.descriptor().name(), Path.of(entry)) == null) {
                        modules.put(module.descriptor().name(), module);
                    }
                }
            } catch (FindException e) {
                // Not a module, and no automatic one either (a jar whose name gives none): not for the module path.
            }
        }
        // What the roots require, transitively (not the JDK's own, which are not in the map). Followed by hand rather
        // than by Configuration.resolve: resolving one automatic module (brotli's, aircompressor) resolves every
        // automatic module in sight, the test jars' included.
        Map<String, ModuleReference> needed = new LinkedHashMap<>();
        java.util.ArrayDeque<String> next = new java.util.ArrayDeque<>(
                List.of("dev.wiretap.junit", "org.junit.platform.launcher", "org.junit.jupiter.engine"));
        while (!next.isEmpty()) {
            String name = next.poll();
            ModuleReference module = modules.get(name);
            if (module == null || needed.putIfAbsent(name, module) != null) {
                continue;
            }
            // Static requires too: javac wants them at compile time (JUnit's annotations module, org.jspecify).
            module.descriptor().requires().forEach(requires -> next.add(requires.name()));
        }
        List<String> path = new ArrayList<>();
        for (String name : needed.keySet()) {
            path.add(byName.get(name).toString());
        }
        return String.join(File.pathSeparator, path);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
