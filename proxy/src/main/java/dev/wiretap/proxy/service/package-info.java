/**
 * A small HTTP/1.1 server for local services that wiretap runs beside the proxy (the web UI), on wiretap's own codec
 * and virtual threads, with the proxy's limits, timeouts and bad-input rules. The one public road to the codec from
 * outside the proxy module: a {@link dev.wiretap.proxy.service.ServiceListener} accepts connections and hands each
 * request, as a {@link dev.wiretap.proxy.service.ServiceRequest}, to a
 * {@link dev.wiretap.proxy.service.ServiceHandler}, which answers with a
 * {@link dev.wiretap.proxy.service.ServiceResponse}: whole, or streamed (server-sent events).
 *
 * <pre>{@code
 * ServiceListener listener = ServiceListener.bind(HostPort.parse("127.0.0.1:0"), ServiceOptions.of("wiretap-web", settings));
 * listener.start(request -> ServiceResponse.of(200, "text/plain; charset=utf-8", "hello".getBytes(UTF_8)));
 * ...
 * listener.stop(Duration.ofSeconds(1));
 * }</pre>
 */
package dev.wiretap.proxy.service;
