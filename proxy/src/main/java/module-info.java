/**
 * wiretap's engine, as a library. Exported to everyone: the facade ({@code Wiretap}, {@code Wiretap.builder()}), the
 * flow model (read-only), events, addons, HAR and session files, and messages edited as text (the intercept's and
 * replay's edits). Not exported: the engine's writable flow, the codecs (HTTP/1, HTTP/2, WebSocket), the server, the
 * upstream side and the I/O plumbing, which change as the engine does. A few packages that only the command's faces (the web UI, the console) use are exported to those
 * modules alone. (The plan behind this is in docs/architecture.md, "Module boundaries".)
 */
// "module": the faces named below are built after this module, so javac cannot find them yet.
// "requires-automatic": see brotli's and aircompressor's requires.
@SuppressWarnings({"module", "requires-automatic"})
module dev.wiretap.proxy {
    requires transitive dev.wiretap.config;
    requires com.fasterxml.jackson.core;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.eclipse.jetty.http2.hpack;
    // brotli's decoder and aircompressor (zstd) name no module of their own: these are the names the JDK derives from
    // their jars' file names (dec-VERSION.jar, aircompressor-VERSION.jar), which Maven and Gradle keep.
    requires dec;
    requires aircompressor;

    exports dev.wiretap.proxy;
    exports dev.wiretap.proxy.flow;
    exports dev.wiretap.proxy.event;
    exports dev.wiretap.proxy.addon;
    exports dev.wiretap.proxy.export;
    // InterceptAddon's and Wiretap's own signatures take its EditedRequest and EditedResponse.
    exports dev.wiretap.proxy.edit;

    // The web UI's server.
    exports dev.wiretap.proxy.service to dev.wiretap.web;
    // Bodies decoded for display, and flows turned into mock rules: the faces' features, not the library's.
    exports dev.wiretap.proxy.content to dev.wiretap.web, dev.wiretap.cli;
    exports dev.wiretap.proxy.mock to dev.wiretap.web, dev.wiretap.cli;
    // How to trust the CA, for the web UI's CA page; `wiretap ca` makes and loads the CA itself. Users get the CA's
    // certificate through Wiretap.certificateAuthority(), a CaCertificate.
    exports dev.wiretap.proxy.tls to dev.wiretap.web, dev.wiretap.cli;
    // Not exported, to anyone: dev.wiretap.proxy.live, the engine's writable flow (LiveFlow) and the events' publisher
    // behind the read-only Flow and FlowEvents.
}
