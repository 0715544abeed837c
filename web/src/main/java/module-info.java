/**
 * The web UI: its server, JSON and event API, and the browser's files (resources under {@code dev/wiretap/web/assets},
 * read by this module itself). Not a library: it exports its one package to the command alone, which starts it.
 */
// "module": the command is built after this module, so javac cannot find it yet.
@SuppressWarnings("module")
module dev.wiretap.web {
    requires dev.wiretap.proxy;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;

    exports dev.wiretap.web to dev.wiretap.cli;
}
