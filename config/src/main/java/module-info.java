/**
 * wiretap's configuration: the settings tree and its defaults, the config file's reader and printer, the filter
 * language, and the traffic rules. No sockets and no threads. Everything here is exported: the settings, filters and
 * rules are the model every face and the library's users build on. (The plan for the other modules, and what this one
 * narrows once they are modules too, is in docs/architecture.md, "Module boundaries".)
 */
module dev.wiretap.config {
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports dev.wiretap.config;
    exports dev.wiretap.config.filter;
    exports dev.wiretap.config.rule;
    exports dev.wiretap.config.file;
}
