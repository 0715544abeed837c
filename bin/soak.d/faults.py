"""The soak's faults: origins that break their answers and clients that break their requests.

Each fault scenario knows which endings are right for it (see `origin_fault`), and reports any other as a violation:
a whole response with the wrong body above all, then a hang (the client's timeout, well past the proxy's), then a
wrong status. Called from the worker threads like the scenarios.
"""
import socket
import ssl
import time

from scenarios import Channel, send_request, with_channel, check_download, sizes
from wire import Cut, Payload, WHOLE, EOF, TIMEOUT, RESET, chunked, read_response, request_head, reset

BODY_FAULTS = ("reset", "fin", "stall", "badchunk", "headreset")
# What an origin's fault must become for the client, by kind: the statuses of a whole answer the proxy may give
# when the fault came before the response head went on; and whether a cut response (a head, then the connection
# ended before its framing did) is right, which it is once the head has gone on.
ACCEPT = {
    "reset": ({502}, True), "fin": ({502}, True), "stall": ({502, 504}, True), "badchunk": ({502}, True),
    "headreset": ({502}, True), "noanswer": ({504}, False), "halfclose": ({502}, False), "garbage": ({502}, False),
}


def judge_fault(r, kind, client_sees_close_framing):
    """None when the response ended as the fault allows, else the violation."""
    statuses, cut_ok = ACCEPT[kind]
    if r.ended == TIMEOUT:
        return "hang: the client waited %s with no end (%s)" % ("for an answer" if r.status is None else
                                                              "inside the body", r.outcome())
    if r.status is None:
        if r.ended == RESET and cut_ok:
            return None  # the connection reset before any byte: an abort the client cannot mistake
        return "no-answer: the connection ended (%s) without a status" % r.ended
    if r.ended == WHOLE:
        if r.status in statuses:
            return None
        if r.status == 200 and kind == "garbage":
            return "relayed-garbage: bytes that are no HTTP response reached the client as a 200 (%d bytes)" % (
                r.body_len)
        if r.status == 200:
            how = "as a close-delimited body that ended in a FIN" if client_sees_close_framing else "whole"
            return "short-body: a broken response reached the client %s (%d bytes)" % (how, r.body_len)
        return "status: %d where %s was right" % (r.status, "/".join(map(str, sorted(statuses))))
    return None if cut_ok and r.status == 200 else "status: %s" % r.outcome()


def origin_fault(ctx, rnd):
    """A request to an origin that breaks its answer in one of the ways above, on any road; plain HTTP also with
    HTTP/1.0 clients (who see a close-delimited body: only a reset can tell them it was cut)."""
    via = rnd.choice(ctx.vias())
    kinds = list(ACCEPT)
    if via == "tunnel":  # the proxy relays the origin's bytes as they are: only faults the client can see end
        kinds = ["reset", "fin", "headreset", "garbage", "badchunk"]
    kind = rnd.choice(kinds)
    framing = rnd.choice(("cl", "chunked", "close"))
    if kind == "fin" and framing == "close":
        framing = "cl"  # a FIN is how a close-delimited body ends: no fault at all
    if kind == "badchunk":
        framing = "chunked"
    version = "HTTP/1.0" if via != "tunnel" and rnd.random() < 0.3 else "HTTP/1.1"
    name = "fault-%s-%s" % (kind, via)

    def run(ch):
        xid = ctx.new_id("f")
        n = rnd.choice((1000, 100000, 3000000))
        r = send_request(ch, "GET", "/x/%s/fault?k=%s&f=%s&n=%d" % (xid, kind, framing, n), version=version)
        client_close = version == "HTTP/1.0" and (r.framing == "close")
        if via == "tunnel":
            v = None if (r.ended != WHOLE or r.status != 200) and r.ended != TIMEOUT else \
                "short-body: a broken response reached the client whole through the tunnel"
        else:
            v = judge_fault(r, kind, client_close)
        ctx.ledger.add(xid, name, r.outcome(), v, 0 if via == "tunnel" else 1)
        ctx.registry.pop(xid)
    with_channel(ctx, name, via, run)


def dead_origin(ctx, rnd):
    """An origin that listens and never accepts (504, or 502 when its backlog is emptied under it), or a port where
    nothing listens (502)."""
    silent = rnd.random() < 0.5
    name = "fault-%s-http" % ("never-accepts" if silent else "refused")
    port = ctx.silent.port if silent else ctx.refused

    def run(ch):
        xid = ctx.new_id("n")
        r = send_request(ch, "GET", "/x/%s/dl?n=10" % xid)
        ok = {502, 504} if silent else {502}
        v = None if r.status in ok and r.ended == WHOLE else (
            "hang: no answer" if r.ended == TIMEOUT else "status: %s where %s was right" % (r.outcome(), ok))
        ctx.ledger.add(xid, name, r.outcome(), v, 1)
        if silent:
            ctx.silent.drain_backlog()

    try:
        ch = Channel(ctx, "http", port)
    except OSError as e:
        ctx.ledger.add(None, name, "connect:error", "failed: %s" % e, None)
        return
    try:
        run(ch)
    finally:
        ch.close()


def slowloris(ctx, rnd):
    """A client that sends its request head a byte at a time and never finishes it: the proxy must answer 408 (or
    close) once its head deadline passes, not wait."""
    via = rnd.choice([v for v in ctx.vias() if v != "tunnel"])
    name = "slowloris-" + via

    def run(ch):
        xid = ctx.new_id("s")
        head = request_head("GET", ch.target("/x/%s/dl?n=10" % xid), ch.host, [("User-Agent", "slow")])[:-2]
        trickle = head + b"".join(b"X-Slow-%d: %d\r\n" % (i, i) for i in range(100000))
        deadline = time.monotonic() + ctx.proxy_timeout * 3 + 10
        i = 0
        outcome = None
        while time.monotonic() < deadline:
            if ch.reader.buf or answered(ch):
                break
            try:
                ch.sock.sendall(trickle[i:i + 1])
            except OSError:
                break
            i += 1
            time.sleep(rnd.uniform(0.2, 0.6))
        else:
            outcome = "none:timeout"
        if outcome is None:
            ch.sock.settimeout(10)
            r = read_response(ch.reader)
            outcome = r.outcome()
            v = None if r.status == 408 or (r.status is None and r.ended in (EOF, RESET)) else \
                "status: %s where 408 or a close was right" % outcome
        else:
            v = "hang: the proxy waited %ds for a head that never ends" % (ctx.proxy_timeout * 3 + 10)
        # The head never ended, so no URL was read: the proxy logs a 408 without one.
        ctx.ledger.add(xid, name, outcome, v, None)
        ctx.ledger.maybe_without_url(xid, "-", 408)
    with_channel(ctx, name, via, run)


def answered(ch):
    """Whether the proxy has said something or ended the connection (a quick read; select would not do for TLS,
    whose session tickets make the socket readable without a byte for the client)."""
    ch.sock.settimeout(0.01)
    try:
        data = ch.sock.recv(65536)
        ch.reader.buf += data
        return True  # bytes, or b"": the end
    except (socket.timeout, ssl.SSLWantReadError):
        return False
    except OSError:
        return True
    finally:
        ch.sock.settimeout(ch.ctx.client_timeout)


def abort_upload(ctx, rnd):
    """A client that sends half of its request body and then closes (FIN) or resets, or goes silent. The origin must
    never get the upload whole (a chunked one ended by the proxy's last-chunk, a short one padded), and must be told
    (its read ends) rather than left waiting; a silent client must get 408 or a close once the proxy's body
    deadline passes. The client waits until the origin has the request before it breaks it off (a reset before the
    proxy has read the head discards it in the proxy's kernel: no request at all)."""
    via = rnd.choice([v for v in ctx.vias() if v != "tunnel"])
    how = rnd.choice(("fin", "reset", "silence"))
    chunk = rnd.random() < 0.5
    name = "abort-upload-%s-%s" % (how, via)

    def run(ch):
        xid = ctx.new_id("a")
        p = Payload(xid, rnd.choice((10000, 300000, 4000000)))
        fields = [("Transfer-Encoding", "chunked") if chunk else ("Content-Length", str(p.n))]
        ch.sock.sendall(request_head("POST", ch.target("/x/%s/up" % xid), ch.host, fields))
        sent = 0
        for b in (chunked(p.blocks(4096), rnd) if chunk else p.blocks(4096)):
            if sent + len(b) > p.n // 2:
                break
            ch.sock.sendall(b)
            sent += len(b)
        forwarded = ctx.registry.wait(xid, "seen", 10) is not None
        outcome, v = how, None
        if how == "fin":
            ch.sock.shutdown(socket.SHUT_WR)
        elif how == "reset":
            reset(ch.sock)
        else:
            r = read_response(ch.reader, "POST")
            outcome = r.outcome()
            if not (r.status == 408 or (r.status is None and r.ended in (EOF, RESET))):
                v = ("hang: the proxy waited past its deadline for the body" if r.ended == TIMEOUT else
                     "status: %s where 408 or a close was right" % outcome)
        seen = ctx.registry.wait(xid, "up_ended", ctx.proxy_timeout * 2 + 15) if forwarded else None
        if v is None and forwarded:
            if seen is None:
                v = "origin-waits: the origin was not told the upload ended (it still waits for the body)"
            elif seen["up_ended"] == WHOLE:
                v = "short-body: the origin got a cut upload as whole (%d of %d bytes)" % (seen["up_len"], p.n)
        ctx.registry.pop(xid)
        ctx.ledger.add(xid, name, outcome + ("" if forwarded else " (not forwarded)"), v, 1 if forwarded else None)
    with_channel(ctx, name, via, run)


def abort_download(ctx, rnd):
    """A client that reads part of a large download and then resets or closes: nothing to check but that the proxy
    lets both connections go (see the file descriptors)."""
    via = rnd.choice(ctx.vias())
    name = "abort-download-" + via

    def run(ch):
        xid = ctx.new_id("b")
        ch.sock.sendall(request_head("GET", ch.target("/x/%s/dl?n=%d&f=cl" % (xid, 32 * 1048576)), ch.host))
        got = 0
        limit = rnd.randrange(1, 4 * 1048576)
        while got < limit:
            try:
                ch.reader.fill()
            except Cut:
                break
            got += len(ch.reader.buf)
            ch.reader.buf.clear()
        if rnd.random() < 0.5:
            reset(ch.sock)
        ctx.ledger.add(xid, name, "aborted", None, 0 if via == "tunnel" else 1)
        ctx.registry.pop(xid)
    with_channel(ctx, name, via, run)


# Malformed requests: (bytes, the status that refuses them, whether RFC 9112 also lets a recipient accept them).
# wiretap refuses them all; a proxy that replaces an obs-fold with spaces (section 5.2), takes a bare LF for a line end
# (section 2.2), keeps another control character in a value (RFC 9110 section 5.5) or frames by Transfer-Encoding
# alone when Content-Length comes with it (section 6.1) may serve them instead.
BAD_HEADS = [
    (b"GET %s HTTP/1.1\r\nHost: %s\r\nBad Field\r\n\r\n", 400, False),
    (b"GET %s HTTP/1.1\r\nHost: %s\r\nX-A: 1\r\n folded\r\n\r\n", 400, True),
    (b"GET %s HTTP/1.1\r\nHost: %s\r\nX-A : 1\r\n\r\n", 400, False),
    (b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, True),
    (b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400, False),
    (b"POST %s HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400, False),
    (b"GET %s HTTP/1.1\r\nHost: %s\nX-Bare-LF: 1\r\n\r\n", 400, True),
    (b"GET %s HTTP/1.1\r\nHost: %s\r\nX-Ctl: a\x01b\r\n\r\n", 400, True),
]


def bad_request(ctx, rnd):
    """A malformed request (a field without a colon, obs-fold, smuggling framings, a bad chunk size, a bare LF, a
    control character): 400 and a close, or served where the RFC allows it (see BAD_HEADS)."""
    name = "bad-request-http"

    def run(ch):
        xid = ctx.new_id("r")
        template, status, may_serve = rnd.choice(BAD_HEADS)
        ch.sock.sendall(template % (ch.target("/x/%s/dl?n=10" % xid).encode(), ch.host.encode()))
        r = read_response(ch.reader)
        served = may_serve and r.status == 200 and r.ended == WHOLE
        v = None if (r.status == status and r.ended == WHOLE) or served else (
            "hang: no answer" if r.ended == TIMEOUT else "status: %s where %d was right" % (r.outcome(), status))
        ctx.ledger.add(xid, name, r.outcome() + (" (served, as RFC 9112 allows)" if served else ""), v, None)
        ctx.ledger.maybe_without_url(xid, "-", status)  # with its URL when the refusal came after the request line
        ctx.registry.pop(xid)
    with_channel(ctx, name, "http", run)


def client_halfclose(ctx, rnd):
    """A client that sends its request and at once half-closes its side (FIN): the answer may come whole, or the
    proxy may take the FIN as an abort and close; never a cut body presented as whole. Plain HTTP only (a TLS
    half-close is another matter)."""
    name = "client-halfclose-http"

    def run(ch):
        xid = ctx.new_id("c")
        n = sizes(rnd)
        ch.sock.sendall(request_head("GET", ch.target("/x/%s/dl?n=%d&f=%s" % (xid, n, rnd.choice(("cl", "chunked")))),
                                     ch.host))
        ch.sock.shutdown(socket.SHUT_WR)
        r = read_response(ch.reader)
        if r.status is None and r.ended in (EOF, RESET):
            v = None  # the proxy took the FIN as the client's end
        elif r.status == 200 and r.ended in (EOF, RESET, "bad"):
            v = None  # cut, and the client can tell
        else:
            v = check_download(ctx, xid, r)
        ctx.registry.pop(xid)
        ctx.ledger.add(xid, name, r.outcome(), v, 1)
    with_channel(ctx, name, "http", run)
