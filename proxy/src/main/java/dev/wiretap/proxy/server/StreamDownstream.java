package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http2.ErrorCode;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.http2.Http2Stream;
import dev.wiretap.proxy.upstream.ReservedConnection;
import java.io.IOException;

/**
 * An HTTP/2 stream as the client's side of an {@link Exchange}: wiretap's own answers go out as HEADERS and DATA, a
 * cut-off is a reset (RST_STREAM), and the stream never "carries on" to another exchange (each stream is one). The
 * tunnel's reserved connection and TLS name are the connection's ({@link ClientSession}'s).
 *
 * <p>Used on the stream's own thread.
 */
final class StreamDownstream implements Downstream {

    private final ClientHttp2 connection;
    private final Http2Stream stream;

    StreamDownstream(ClientHttp2 connection, Http2Stream stream) {
        this.connection = connection;
        this.stream = stream;
    }

    Http2Stream stream() {
        return stream;
    }

    @Override
    public long bytesWritten() {
        return stream.bytesSent();
    }

    @Override
    public void send(LocalResponse response, LiveFlow flow, boolean close) throws IOException {
        Headers fields = new Headers();
        response.fields().forEach(fields::add);
        fields.removeAll("Content-Length");
        if (!fields.contains("Cache-Control")) {
            fields.add("Cache-Control", "no-store");
        }
        byte[] body = response.body();
        Headers head = Http2Fields.responseHead(response.status(), fields, body.length, null);
        Response recorded = new Response(HttpVersion.HTTP_2, response.status(), "", head, new byte[0]);
        recorded.setBody(Body.of(body));
        flow.setResponse(recorded);
        boolean hasBody = body.length > 0 && !flow.request().isMethod("HEAD");
        stream.sendHeaders(head, !hasBody);
        if (hasBody) {
            stream.sendData(body, 0, body.length, true);
        }
    }

    @Override
    public void abort() {
        stream.reset(ErrorCode.INTERNAL_ERROR);
    }

    @Override
    public boolean mayCarryOn(Request request) {
        return !connection.isDraining();
    }

    @Override
    public Outcome closing(Request request) {
        return Outcome.CLOSE;
    }

    @Override
    public ReservedConnection reserved() {
        return connection.session().reserved();
    }

    @Override
    public void closeReserved() {
        connection.session().closeReserved();
    }

    @Override
    public String tlsNameFor(Destination destination) {
        return connection.session().tlsNameFor(destination);
    }
}
