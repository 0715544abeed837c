package dev.wiretap.proxy.testing;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The class path for a child JVM that runs what this test JVM runs (or a compiler that sees it), for tests that start
 * wiretap in a process of its own or compile code against it. The tests run on the module path, patched into the module
 * under test, so no one property names it all: the test classes (in neither path), the modules ({@code
 * jdk.module.path}) and the rest ({@code java.class.path}). The child sees them all on the class path, as the shaded
 * command does.
 */
public final class ChildClassPath {

    private ChildClassPath() {
    }

    /** The class path, given a class of the tests (whose classes directory or jar goes first). */
    public static String of(Class<?> testClass) {
        try {
            String tests = Path.of(testClass.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            String modules = System.getProperty("jdk.module.path", "");
            String classes = System.getProperty("java.class.path", "");
            return String.join(File.pathSeparator, tests, modules, classes);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the tests' location is not a path", e);
        }
    }
}
