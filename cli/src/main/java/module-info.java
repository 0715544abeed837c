/**
 * The {@code wiretap} command: flags, the headless log, the console. Exports nothing: it is run, not used. (The shaded
 * {@code wiretap.jar} runs it from the class path; this descriptor holds for its tests and for anyone who runs it on the
 * module path.)
 */
// JLine's jar has no descriptor, only the module name its manifest gives (org.jline).
@SuppressWarnings("requires-automatic")
module dev.wiretap.cli {
    requires dev.wiretap.proxy;
    requires dev.wiretap.web;
    requires info.picocli;
    requires org.jline;
    requires com.fasterxml.jackson.core;
    // The AOT cache's training run (dev.wiretap.cli.aot) sends real traffic through wiretap: the JDK's HTTP client,
    // and an origin of the JDK's HTTP server.
    requires java.net.http;
    requires jdk.httpserver;

    // picocli reads the commands' annotated fields and sets them by reflection.
    opens dev.wiretap.cli to info.picocli;
}
