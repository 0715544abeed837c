/**
 * wiretap's configuration: the settings tree and its defaults, the config file's reader and printer, the filter
 * language, and the traffic rules. No sockets and no threads. The settings, filters and rules are exported to everyone:
 * they are the model every face and the library's users build on. The config file's package is exported only to the
 * modules that read and write config files. (The plan for the other modules, and what this one
 * narrows once they are modules too, is in docs/architecture.md, "Module boundaries".)
 */
// "module": the modules named below are built after this one, so javac cannot find them yet.
@SuppressWarnings("module")
module dev.wiretap.config {
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports dev.wiretap.config;
    exports dev.wiretap.config.filter;
    exports dev.wiretap.config.rule;
    // The config file's reader, printer and errors: the engine reads rules with it (the library's addRules(yaml), which
    // answers a bad file with an IllegalArgumentException) and the faces load, print and write config files.
    exports dev.wiretap.config.file to dev.wiretap.proxy, dev.wiretap.web, dev.wiretap.cli;
}
