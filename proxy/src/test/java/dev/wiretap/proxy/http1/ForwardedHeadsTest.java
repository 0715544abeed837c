package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.io.BufferPool;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.config.Limits;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http1.ForwardedHeads.ClientConnection;
import dev.wiretap.proxy.http1.ForwardedHeads.Reframe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForwardedHeadsTest {

    private static final String VIA = "1.1 wiretap";
    private static final UpstreamProxy PROXY = UpstreamProxy.parse("http://proxy.corp:3128");

    /** A 16-byte output buffer, so that heads are written across many flushes and direct writes. */
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final HttpOutput out = new HttpOutput(sent, new BufferPool(16, 1));

    private static Request request(String wire) throws Exception {
        return new RequestParser(Limits.DEFAULTS).read(Delivery.WHOLE.input(wire)).orElseThrow();
    }

    private static Response response(String wire) throws Exception {
        return new ResponseParser(Limits.DEFAULTS).read(Delivery.WHOLE.input(wire));
    }

    private static Destination destinationOf(Request request) throws ProtocolException {
        return RequestTarget.parse(request.method(), request.target()).destination();
    }

    private String sent() throws IOException {
        out.flush();
        return sent.toString(StandardCharsets.ISO_8859_1);
    }

    private String forward(Request request, Destination destination, UpstreamProxy proxy, String via, boolean upgrade,
                           boolean dropExpect) throws IOException {
        ForwardedHeads.writeRequest(out, request, destination, destination.authority(), proxy, via, upgrade, dropExpect);
        return sent();
    }

    @Test
    void writesHostFirstDropsHopByHopFieldsAndKeepsTheRestByteForByte() throws Exception {
        Request request = request("GET http://Example.com:8080/p?q HTTP/1.1\r\n"
                + "User-Agent: curl/8\r\n"
                + "Host: example.com:8080\r\n"
                + "Connection: keep-alive, X-Hop\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "Proxy-Authorization: Basic d2lyZTp0YXA=\r\n"
                + "x-hop: secret\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-Sum\r\n"
                + "Upgrade: websocket\r\n"
                + "Accept:   */*  \r\n"
                + "X-HOP: again\r\n"
                + "X-Keep: caf\u00e9\r\n"
                + "\r\n");

        assertEquals("GET /p?q HTTP/1.1\r\n"
                + "Host: example.com:8080\r\n"
                + "User-Agent: curl/8\r\n"
                + "Accept:   */*  \r\n"
                + "X-Keep: caf\u00e9\r\n"
                + "Via: 1.1 wiretap\r\n"
                + "\r\n", forward(request, destinationOf(request), null, VIA, false, false));
    }

    @Test
    void writesTheDestinationsAuthorityAsHostWhateverTheClientSent() throws Exception {
        Request request = request("POST /form HTTP/1.0\r\nHost: old.example\r\nContent-Length: 0\r\n\r\n");

        assertEquals("POST /form HTTP/1.1\r\nHost: new.example:8443\r\nContent-Length: 0\r\n\r\n",
                forward(request, new Destination("https", "New.Example", 8443, "/form"), null, null, false, false));
    }

    @Test
    void neverLetsConnectionStripTheFramingOrTheHost() throws Exception {
        Request request = request("POST /p HTTP/1.1\r\nHost: a\r\nConnection: Content-Length, Transfer-Encoding, Host\r\n"
                + "Content-Length: 5\r\n\r\n");

        assertEquals("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
                forward(request, new Destination("http", "a", 80, "/p"), null, null, false, false));
    }

    @Test
    void passesOnOneOfSeveralIdenticalContentLengthFields() throws Exception {
        Request request = request("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX: 1\r\ncontent-length: 5\r\n\r\n");

        assertEquals("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX: 1\r\n\r\n",
                forward(request, new Destination("http", "a", 80, "/p"), null, null, false, false));
    }

    @Test
    void replacesAContentLengthListWithASingleValue() throws Exception {
        // RFC 9110 section 8.6: "5, 5" must be rejected or replaced by one value before forwarding.
        Request request = request("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5 , 5\r\n\r\n");

        assertEquals("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
                forward(request, new Destination("http", "a", 80, "/p"), null, null, false, false));
    }

    @Test
    void forwardsTheTransferCodingsAsFramingReadThemInOneField() throws Exception {
        // An origin that took ",chunked," for no coding, or read two fields differently from one, would frame the
        // body otherwise than wiretap did.
        Request listed = request("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,Chunked,\r\nX: 1\r\n\r\n");
        Request split = request("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: GZIP\r\nX: 1\r\n"
                + "transfer-encoding:  , chunked \r\n\r\n");
        Destination a = new Destination("http", "a", 80, "/p");

        assertEquals("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n",
                forward(listed, a, null, null, false, false));
        sent.reset();
        assertEquals("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\nX: 1\r\n\r\n",
                forward(split, a, null, null, false, false));
    }

    @Test
    void sendsAnOptionsRequestForTheWholeServerAsAsteriskToTheOriginAndWithoutPathToAProxy() throws Exception {
        Request server = request("OPTIONS http://example.org:8001 HTTP/1.1\r\nHost: example.org:8001\r\n\r\n");
        Request root = request("OPTIONS http://example.org:8001/ HTTP/1.1\r\nHost: example.org:8001\r\n\r\n");

        assertEquals("OPTIONS * HTTP/1.1\r\nHost: example.org:8001\r\n\r\n",
                forward(server, destinationOf(server), null, null, false, false));
        sent.reset();
        assertEquals("OPTIONS http://example.org:8001 HTTP/1.1\r\nHost: example.org:8001\r\n\r\n",
                forward(server, destinationOf(server), PROXY, null, false, false));
        sent.reset();
        assertEquals("OPTIONS / HTTP/1.1\r\nHost: example.org:8001\r\n\r\n",
                forward(root, destinationOf(root), null, null, false, false));
    }

    @Test
    void sendsTheAbsoluteFormToAnUpstreamProxy() throws Exception {
        Request request = request("GET /p?q HTTP/1.1\r\nHost: example.com\r\n\r\n");

        assertEquals("GET http://example.com/p?q HTTP/1.1\r\nHost: example.com\r\nVia: 1.1 wiretap\r\n\r\n",
                forward(request, new Destination("http", "example.com", 80, "/p?q"), PROXY, VIA, false, false));
    }

    @Test
    void sendsTheUpstreamProxysOwnCredentialsInPlaceOfTheClients() throws Exception {
        // The client's Proxy-Authorization was for wiretap (RFC 9110 section 11.7.2: consumed by the proxy it names).
        Request request = request("GET /p HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: Basic Y2xpZW50OnNlY3JldA==\r\n"
                + "Accept: */*\r\n\r\n");
        UpstreamProxy corp = UpstreamProxy.parse("http://alice:s%3Acret%40@proxy.corp:3128");

        assertEquals("GET http://example.com/p HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n"
                        + "Proxy-Authorization: Basic YWxpY2U6czpjcmV0QA==\r\nVia: 1.1 wiretap\r\n\r\n",
                forward(request, new Destination("http", "example.com", 80, "/p"), corp, VIA, false, false));
    }

    @Test
    void keepsUpgradeAndSaysSoInConnectionWhenUpgrading() throws Exception {
        Request request = request("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

        assertEquals("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Via: 1.1 wiretap\r\nConnection: upgrade\r\n\r\n",
                forward(request, new Destination("http", "a", 80, "/chat"), null, VIA, true, false));
    }

    @Test
    void dropsExpectOnlyWhenAsked() throws Exception {
        String wire = "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n";
        Destination destination = new Destination("http", "a", 80, "/f");

        assertEquals("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n",
                forward(request(wire), destination, null, null, false, true));
        sent.reset();
        assertEquals("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
                forward(request(wire), destination, null, null, false, false));
    }

    @Test
    void appendsViaAfterAnExistingOne() throws Exception {
        Request request = request("GET / HTTP/1.1\r\nHost: a\r\nVia: 1.0 fred\r\n\r\n");

        assertEquals("GET / HTTP/1.1\r\nHost: a\r\nVia: 1.0 fred\r\nVia: 1.1 wiretap\r\n\r\n",
                forward(request, new Destination("http", "a", 80, "/"), null, VIA, false, false));
    }

    @Test
    void writesFieldsAsChangedByAddons() throws Exception {
        Request request = request("GET / HTTP/1.1\r\nHost: a\r\nCookie: x=1\r\nAccept: */*\r\n\r\n");
        request.headers().removeAll("cookie");
        request.headers().add("X-Added", "yes");
        request.setMethod("HEAD");

        assertEquals("HEAD / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nX-Added: yes\r\n\r\n",
                forward(request, new Destination("http", "a", 80, "/"), null, null, false, false));
    }

    @Test
    void writesAResponseWithoutHopByHopFieldsAndWithOurVersion() throws Exception {
        Response response = response("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Hop\r\n"
                + "Keep-Alive: timeout=5\r\nx-hop: 1\r\nTE: trailers\r\nTrailer: X-Sum\r\nUpgrade: h2c\r\n"
                + "Content-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n");

        ForwardedHeads.writeResponse(out, response, "1.0 wiretap", Reframe.NONE, ClientConnection.NOTHING);

        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\n"
                + "Set-Cookie: b=2\r\nVia: 1.0 wiretap\r\n\r\n", sent());
    }

    @Test
    void tellsTheClientToCloseOrKeepAlive() throws Exception {
        Response response = response("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");

        ForwardedHeads.writeResponse(out, response, null, Reframe.NONE, ClientConnection.CLOSE);
        ForwardedHeads.writeResponse(out, response, null, Reframe.NONE, ClientConnection.KEEP_ALIVE);

        assertEquals("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n", sent());
    }

    @Test
    void dropsFramingFieldsForABodyThatWillRunUntilClose() throws Exception {
        Response response = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n");

        ForwardedHeads.writeResponse(out, response, VIA, Reframe.UNTIL_CLOSE, ClientConnection.CLOSE);

        assertEquals("HTTP/1.1 200 OK\r\nX: 1\r\nVia: 1.1 wiretap\r\nConnection: close\r\n\r\n", sent());
    }

    @Test
    void addsChunkedAfterTheOriginsCodingsWhenChunkingACloseDelimitedBody() throws Exception {
        Response plain = response("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n");
        Response gzipped = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nX: 1\r\nTransfer-Encoding: deflate\r\n\r\n");

        ForwardedHeads.writeResponse(out, plain, null, Reframe.CHUNKED, ClientConnection.NOTHING);
        ForwardedHeads.writeResponse(out, gzipped, null, Reframe.CHUNKED, ClientConnection.NOTHING);

        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nX: 1\r\nTransfer-Encoding: gzip, deflate, chunked\r\n\r\n", sent());
    }

    @Test
    void forwardsAResponsesTransferCodingsAsFramingReadThem() throws Exception {
        Response listed = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: , CHUNKED ,\r\nX: 1\r\n\r\n");
        Response coded = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: Gzip,\r\nX: 1\r\nTransfer-Encoding: ,deflate\r\n\r\n");

        ForwardedHeads.writeResponse(out, listed, null, Reframe.NONE, ClientConnection.NOTHING);
        ForwardedHeads.writeResponse(out, coded, null, Reframe.CHUNKED, ClientConnection.NOTHING);

        assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nX: 1\r\nTransfer-Encoding: gzip, deflate, chunked\r\n\r\n", sent());
    }

    @Test
    void keepsUpgradeOnASwitchingProtocolsResponse() throws Exception {
        Response response = response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");

        ForwardedHeads.writeResponse(out, response, VIA, Reframe.NONE, ClientConnection.UPGRADE);

        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nVia: 1.1 wiretap\r\nConnection: upgrade\r\n\r\n", sent());
    }

    @Test
    void writesAnEmptyOrChangedReasonAsItIs() throws Exception {
        Response response = response("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");

        ForwardedHeads.writeResponse(out, response, null, Reframe.NONE, ClientConnection.NOTHING);
        response.setStatus(403, "Blocked by wiretap");
        ForwardedHeads.writeResponse(out, response, null, Reframe.NONE, ClientConnection.NOTHING);

        assertEquals("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\nHTTP/1.1 403 Blocked by wiretap\r\nContent-Length: 0\r\n\r\n",
                sent());
    }

    @Test
    void replacesAContentLengthListInAResponseWithASingleValue() throws Exception {
        Response response = response("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n");

        ForwardedHeads.writeResponse(out, response, null, Reframe.NONE, ClientConnection.NOTHING);

        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", sent());
    }

    @Test
    void writesAnInterimResponseWithItsEndToEndFieldsAndThisHopsVia() throws Exception {
        Response hints = response("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nConnection: X-Hop\r\n"
                + "X-Hop: 1\r\nKeep-Alive: 5\r\n\r\n");
        Response proceed = response("HTTP/1.1 100 Continue\r\n\r\n");

        ForwardedHeads.writeInterim(out, hints, "1.1 wiretap");
        ForwardedHeads.writeInterim(out, proceed, null);

        assertEquals("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nVia: 1.1 wiretap\r\n\r\n"
                + "HTTP/1.1 100 Continue\r\n\r\n", sent());
    }
}
