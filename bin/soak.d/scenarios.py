"""The soak's traffic: each scenario is one client's conversation with the proxy, checked as it goes.

Good exchanges must end whole with the origin's bytes (SHA-256 compared with what the origin wrote or read). Faulty
ones must end as RFC 9110 and the proxy's promises say (a 502 for an origin that broke its answer before the head,
504 for one that said nothing in time, 400 or 408 for a client's fault, a cut connection once a body has begun),
never as a whole message with a short or wrong body, and never by hanging. Called from the worker threads, each with
its own random generator; everything shared is in `Ctx`.
"""
import collections
import hashlib
import itertools
import json
import os
import socket
import ssl
import subprocess
import tempfile
import threading

import websocket as ws
from wire import Cut, Payload, Reader, WHOLE, EOF, RESET, chunked, close, read_response, request_head


class Ctx:
    """What every scenario needs: where the proxy and the origins are, TLS contexts, the registry and the ledger."""

    def __init__(self, proxy, origins, registry, ledger, intercept, proxy_timeout, tmp, wiretap_ca=None,
                 origin_cert=None, curl="curl"):
        self.proxy = proxy
        self.http_port, self.https_port, self.silent, self.refused = origins
        self.registry, self.ledger = registry, ledger
        self.intercept = intercept
        self.proxy_timeout = proxy_timeout
        self.client_timeout = proxy_timeout * 3 + 15
        self.tmp = tmp
        self.curl = curl
        self.wiretap_ca = wiretap_ca
        self.origin_cert = origin_cert
        self.tunnels = 0  # passthrough tunnels opened (the proxy logs each as one CONNECT flow)
        self.intercepted = 0  # intercepted tunnels opened (wiretap counts each as a flow, and logs what is inside)
        self.tls = {}
        if wiretap_ca:
            c = ssl.create_default_context(cafile=wiretap_ca)
            c.set_alpn_protocols(["http/1.1"])
            self.tls["https"] = c
        c = ssl.create_default_context(cafile=origin_cert)
        c.set_alpn_protocols(["http/1.1"])
        self.tls["tunnel"] = c
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.recent = collections.deque(maxlen=5000)  # (id, "request"/"response", sha, size) of good plain bodies
        self.prefix = os.urandom(2).hex()

    def new_id(self, tag):
        return "%s%s%x" % (tag, self.prefix, next(self._ids))

    def count(self, name, n=1):
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def remember(self, xid, side, sha, size):
        """A good exchange's body, for the check of what the proxy's flow store kept of it."""
        if 0 < size <= 1048576:
            self.recent.append((xid, side, sha, size))

    def vias(self):
        """The roads a request can take: plain HTTP, intercepted HTTPS (when the proxy intercepts), a tunnel."""
        return ["http", "https", "tunnel"] if self.intercept else ["http", "tunnel"]


INTERCEPT_NAME, TUNNEL_NAME = "localhost", "127.0.0.1"


class Channel:
    """A client connection to the proxy on one road: requests in absolute form (http), or origin form inside a
    CONNECT tunnel that the proxy decrypts (https, the client trusting its CA) or relays blind (tunnel, the client
    checking the origin's own certificate)."""

    def __init__(self, ctx, via, port=None):
        self.ctx, self.via = ctx, via
        self.sock = socket.create_connection(ctx.proxy, timeout=ctx.client_timeout)
        self.reader = Reader(self.sock)
        self.connect_response = None
        self.exchanges = 0
        if via == "http":
            self.host = "127.0.0.1:%d" % (port or ctx.http_port)
            self.base = "http://" + self.host
            return
        name = INTERCEPT_NAME if via == "https" else TUNNEL_NAME
        self.host = "%s:%d" % (name, port or ctx.https_port)
        self.base = ""
        self.sock.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (self.host, self.host)).encode())
        r = read_response(self.reader, "CONNECT")
        self.connect_response = r
        if r.status != 200 or r.ended != WHOLE:
            raise TunnelRefused(r.outcome())
        if via == "tunnel":
            ctx.count("tunnels")
        if via == "https":
            ctx.count("intercepted")
        # suppress_ragged_eofs off: a TLS stream that ends without close_notify is an abort, not an end of data
        self.sock = ctx.tls[via].wrap_socket(self.sock, server_hostname=name, suppress_ragged_eofs=False)
        self.reader = Reader(self.sock)

    def target(self, path):
        return self.base + path

    def close(self):
        close(self.sock)


class TunnelRefused(Exception):
    pass


def send_request(ch, method, path, payload=None, chunk=False, fields=(), version="HTTP/1.1", rnd=None,
                 expect=False):
    """Sends a request (its body from `payload`, framed by length or as chunks); returns the response. With expect,
    waits for 100 Continue (or a final answer) before the body."""
    fields = list(fields)
    if payload is not None:
        fields.append(("Transfer-Encoding", "chunked") if chunk else ("Content-Length", str(payload.n)))
        if expect:
            fields.append(("Expect", "100-continue"))
    ch.sock.sendall(request_head(method, ch.target(path), ch.host, fields, version))
    if payload is not None:
        if expect:
            r = read_response(ch.reader, method, interim=True)
            if r.status != 100 and r.status is not None:
                return r  # a final answer before the body: the connection cannot go on
            if r.status is None:
                return r
        blocks = chunked(payload.blocks(), rnd) if chunk else payload.blocks()
        try:
            for b in blocks:
                ch.sock.sendall(b)
        except OSError as e:
            r = read_response(ch.reader, method)
            r.detail += " (sending the body: %s)" % e
            return r
    return read_response(ch.reader, method)


# ---------------------------------------------------------------------------------------------------------------------
# checks of one good exchange
# ---------------------------------------------------------------------------------------------------------------------
def check_download(ctx, xid, r, method="GET", plain=True):
    """None when the response is whole and its body is the origin's, else what is wrong."""
    if r.status != 200 or r.ended != WHOLE:
        return "failed: a good download ended %s %s" % (r.outcome(), r.detail)
    seen = ctx.registry.wait(xid, "dl_sha", 10)
    if seen is None:
        return "unrecorded: the origin has no record of sending it"
    ctx.registry.pop(xid)
    if seen["dl_sha"] != r.digest or seen["dl_len"] != r.body_len:
        return "corrupt: whole response, but %d bytes that differ from the origin's %d" % (r.body_len, seen["dl_len"])
    if plain:
        ctx.remember(xid, "response", r.digest, r.body_len)
    return None


def check_upload(ctx, xid, r, payload):
    if r.status != 200 or r.ended != WHOLE:
        return "failed: a good upload ended %s %s" % (r.outcome(), r.detail)
    seen = ctx.registry.wait(xid, "up_sha", 10)
    ctx.registry.pop(xid)
    if seen is None or seen["up_sha"] != payload.digest or seen["up_len"] != payload.n:
        return "corrupt: the origin read other bytes than the client sent (%s)" % (seen and seen.get("up_len"))
    ctx.remember(xid, "request", payload.digest, payload.n)
    return None


def sizes(rnd, big=False):
    if big:
        return rnd.choice((4, 8, 16, 32)) * 1048576 + rnd.randrange(65536)
    p = rnd.random()
    if p < 0.15:
        return 0
    if p < 0.6:
        return rnd.randrange(1, 16384)
    if p < 0.95:
        return rnd.randrange(16384, 512 * 1024)
    return rnd.randrange(512 * 1024, 3 * 1048576)


def one_good(ctx, rnd, ch, scenario, last=False, kinds=("get", "get", "get", "post", "head", "empty", "gzip")):
    """One good exchange of a random kind on the channel; returns whether the connection may go on."""
    kind = rnd.choice(kinds)
    xid = ctx.new_id("g")
    reused = ch.exchanges > 0
    ch.exchanges += 1
    flows = 0 if ch.via == "tunnel" else 1
    fields = [("Connection", "close")] if last else []
    if kind in ("get", "head", "gzip"):
        n = sizes(rnd) if kind != "gzip" else rnd.randrange(0, 200000)
        f = rnd.choice(("cl", "chunked"))
        method = "HEAD" if kind == "head" else "GET"
        q = "n=%d&f=%s%s" % (n, f, "&z=1&t=1" if kind == "gzip" else "")
        r = send_request(ch, method, "/x/%s/dl?%s" % (xid, q), fields=fields)
        v = check_download(ctx, xid, r, method, plain=kind != "gzip")
        ctx.ledger.add(xid, scenario, r.outcome(), dropped_keepalive(r, reused) or v, flows if r.status else None,
                       checked=1, down=r.body_len)
    elif kind == "post":
        p = Payload(xid, sizes(rnd))
        r = send_request(ch, "POST", "/x/%s/up" % xid, p, chunk=rnd.random() < 0.4, fields=fields, rnd=rnd,
                         expect=rnd.random() < 0.1)
        v = check_upload(ctx, xid, r, p)
        ctx.ledger.add(xid, scenario, r.outcome(), dropped_keepalive(r, reused) or v, flows if r.status else None,
                       checked=1, up=p.n)
    else:
        r = send_request(ch, "GET", "/x/%s/empty" % xid, fields=fields)
        v = None if (r.status == 204 and r.ended == WHOLE) else "failed: %s %s" % (r.outcome(), r.detail)
        ctx.ledger.add(xid, scenario, r.outcome(), dropped_keepalive(r, reused) or v, flows if r.status else None)
        ctx.registry.pop(xid)
    return r.ended == WHOLE and r.status is not None and not last


def dropped_keepalive(r, reused):
    """A kept-alive connection that the proxy closed under the next request, before any answer: the proxy may never
    have read it (a client may retry it), which is not the same failure as one it read and failed."""
    if reused and r.status is None and r.ended in (EOF, RESET):
        return "dropped-keepalive: the kept-alive connection closed (%s) under the next request" % r.ended
    return None


# ---------------------------------------------------------------------------------------------------------------------
# good traffic
# ---------------------------------------------------------------------------------------------------------------------
def keepalive(ctx, rnd, via):
    """2 to 12 exchanges of every kind on one kept-alive connection."""
    name = "keepalive-" + via

    def run(ch):
        for i in range(rnd.randrange(2, 13)):
            if not one_good(ctx, rnd, ch, name):
                return
    with_channel(ctx, name, via, run)


def per_connection(ctx, rnd, via):
    """One exchange, then Connection: close."""
    name = "per-connection-" + via
    with_channel(ctx, name, via, lambda ch: one_good(ctx, rnd, ch, name, last=True))


def http10(ctx, rnd):
    """An HTTP/1.0 client: the response is delimited by the close (or its length)."""
    def run(ch):
        xid = ctx.new_id("o")
        n, f = sizes(rnd), rnd.choice(("cl", "close"))
        r = send_request(ch, "GET", "/x/%s/dl?n=%d&f=%s" % (xid, n, f), version="HTTP/1.0")
        ctx.ledger.add(xid, "http/1.0", r.outcome(), check_download(ctx, xid, r), 1, checked=1, down=r.body_len)
    with_channel(ctx, "http/1.0", "http", run)


def pipelined(ctx, rnd, via):
    """2 to 8 requests written at once, the answers read in order."""
    name = "pipelined-" + via

    def run(ch):
        flows = 0 if ch.via == "tunnel" else 1
        plan, out = [], bytearray()
        for _ in range(rnd.randrange(2, 9)):
            xid = ctx.new_id("p")
            if rnd.random() < 0.3:
                p = Payload(xid, rnd.randrange(0, 20000))
                out += request_head("POST", ch.target("/x/%s/up" % xid), ch.host, [("Content-Length", str(p.n))])
                out += p.whole()
                plan.append((xid, "POST", p))
            else:
                out += request_head("GET", ch.target("/x/%s/dl?n=%d&f=%s" % (xid, rnd.randrange(0, 40000),
                                                                            rnd.choice(("cl", "chunked")))), ch.host)
                plan.append((xid, "GET", None))
        ch.sock.sendall(bytes(out))
        for xid, method, p in plan:
            r = read_response(ch.reader, method)
            v = check_upload(ctx, xid, r, p) if p else check_download(ctx, xid, r)
            ctx.ledger.add(xid, name, r.outcome(), v, flows, checked=1)
    with_channel(ctx, name, via, run)


def big_download(ctx, rnd, via):
    name = "big-download-" + via

    def run(ch):
        xid = ctx.new_id("d")
        f = rnd.choice(("cl", "chunked", "close") if via == "http" else ("cl", "chunked"))
        r = send_request(ch, "GET", "/x/%s/dl?n=%d&f=%s" % (xid, sizes(rnd, True), f))
        ctx.ledger.add(xid, name, r.outcome(), check_download(ctx, xid, r), 0 if via == "tunnel" else 1,
                       checked=1, down=r.body_len)
    with_channel(ctx, name, via, run)


def big_upload(ctx, rnd, via):
    name = "big-upload-" + via

    def run(ch):
        xid = ctx.new_id("u")
        p = Payload(xid, sizes(rnd, True) // 2)
        r = send_request(ch, "POST", "/x/%s/up" % xid, p, chunk=rnd.random() < 0.5, rnd=rnd,
                         expect=rnd.random() < 0.3)
        ctx.ledger.add(xid, name, r.outcome(), check_upload(ctx, xid, r, p), 0 if via == "tunnel" else 1,
                       checked=1, up=p.n)
    with_channel(ctx, name, via, run)


def websocket(ctx, rnd, via):
    """A WebSocket: messages of every size, text and binary, some fragmented, pings between; each echo compared,
    then a clean close. Both ends' hashes of everything sent and received are compared at the end."""
    name = "websocket-" + via

    def run(ch):
        xid = ctx.new_id("w")
        flows = 0 if via == "tunnel" else 1
        r, good = ws.client_handshake(ch.sock, ch.reader, ch.target("/x/%s/ws" % xid), ch.host)
        if not good:
            ctx.ledger.add(xid, name, r.outcome(), "failed: the upgrade was not accepted %s" % r.detail, flows)
            return
        sent, got, count, checked = hashlib.sha256(), hashlib.sha256(), 0, 0
        try:
            for _ in range(rnd.randrange(1, 40)):
                op = rnd.choice((ws.TEXT, ws.BINARY))
                n = rnd.choice((0, 1, 125, 126, 65535, 65536, rnd.randrange(1, 4096), rnd.randrange(1, 300000)))
                payload = Payload(xid + str(count), n, text=op == ws.TEXT).whole()
                if rnd.random() < 0.2:
                    ch.sock.sendall(ws.frame(ws.PING, b"p%d" % count, mask=True))
                ws.send_message(ch.sock, op, payload, mask=True, pieces=rnd.choice((1, 1, 2, 3)))
                sent.update(payload)
                count += 1
                eop, echo = ws.read_message(ch.reader, lambda o, p: None)
                got.update(echo)
                if eop != op or echo != payload:
                    raise Cut("bad", "echo %d differs" % count)
                checked += 1
            ch.sock.sendall(ws.frame(ws.CLOSE, b"\x03\xe8", mask=True))
            while True:
                eop, _ = ws.read_message(ch.reader, lambda o, p: None)
                if eop == ws.CLOSE:
                    break
        except Cut as c:
            ctx.ledger.add(xid, name, "101-cut:" + c.how, "failed: the socket broke: %s" % c, flows, checked)
            return
        seen = ctx.registry.wait(xid, "ws_ended", 10)
        ctx.registry.pop(xid)
        v = None
        if seen is None or seen["ws_got"] != sent.hexdigest() or seen["ws_sent"] != got.hexdigest():
            v = "corrupt: the origin's view of the messages differs (%s)" % (seen and seen.get("ws_count"))
        ctx.ledger.add(xid, name, "101", v, flows, checked + 1)
    with_channel(ctx, name, via, run)


def h2_curl(ctx, rnd):
    """HTTP/2 inside intercepted TLS (curl --http2 through the proxy): parallel downloads and an upload as streams of
    one connection."""
    name = "h2"
    d = tempfile.mkdtemp(dir=ctx.tmp)
    base = "https://%s:%d" % (INTERCEPT_NAME, ctx.https_port)
    common = ["-sS", "--http2", "--proxy", "http://%s:%d" % ctx.proxy, "--cacert", ctx.wiretap_ca,
              "--max-time", str(ctx.client_timeout),
              "-w", "%{urlnum} %{http_code} %{http_version} %{size_download} %{exitcode} %{num_connects}\\n"]
    argv = [ctx.curl, "--parallel"]
    plan = []
    for i in range(rnd.randrange(2, 9)):
        xid = ctx.new_id("h")
        if i:
            argv.append("--next")  # each transfer its own options (a --data-binary would apply to all otherwise)
        argv += common + ["-o", os.path.join(d, "out%d" % i)]
        if rnd.random() < 0.25:
            p = Payload(xid, sizes(rnd))
            path = os.path.join(d, "up%d" % i)
            with open(path, "wb") as f:
                for b in p.blocks():
                    f.write(b)
            argv += ["--data-binary", "@" + path, "-H", "Content-Type: application/octet-stream",
                     base + "/x/%s/up" % xid]
            plan.append((xid, p))
        else:
            argv.append(base + "/x/%s/dl?n=%d&f=%s" % (xid, sizes(rnd), rnd.choice(("cl", "chunked"))))
            plan.append((xid, None))
    try:
        out = subprocess.run(argv, capture_output=True, timeout=ctx.client_timeout + 30)
        lines = out.stdout.decode().split("\n")
    except subprocess.TimeoutExpired:
        lines = []
    results = {}
    for line in lines:
        p = line.split()
        if len(p) == 6:
            results[int(p[0])] = p[:5]
            ctx.count("intercepted", int(p[5]))
    for i, (xid, payload) in enumerate(plan):
        res = results.get(i)
        if res is None:
            ctx.ledger.add(xid, name, "none", "failed: curl gave no result", 1)
            continue
        _, code, version, size, exitcode = res
        outcome = "%s h%s" % (code, version)
        body = open(os.path.join(d, "out%d" % i), "rb").read() if os.path.exists(os.path.join(d, "out%d" % i)) \
            else b""
        if code != "200" or exitcode != "0" or version != "2":
            ctx.ledger.add(xid, name, outcome, "failed: curl exit %s, status %s, HTTP/%s" % (exitcode, code, version),
                           1)
            continue
        if payload:
            seen = ctx.registry.wait(xid, "up_sha", 10)
            ok = seen and seen["up_sha"] == payload.digest and json.loads(body)["sha"] == payload.digest
            if ok:
                ctx.remember(xid, "request", payload.digest, payload.n)
        else:
            seen = ctx.registry.wait(xid, "dl_sha", 10)
            ok = seen and seen["dl_sha"] == hashlib.sha256(body).hexdigest()
            if ok:
                ctx.remember(xid, "response", seen["dl_sha"], len(body))
        ctx.registry.pop(xid)
        v = None if ok else "corrupt: %d bytes that differ from the origin's (%s)" % (len(body), seen and (
            seen.get("dl_len"), seen.get("up_len"), payload and payload.n))
        ctx.ledger.add(xid, name, outcome, v, 1, checked=1)
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)


def with_channel(ctx, name, via, run):
    try:
        ch = Channel(ctx, via)
    except TunnelRefused as e:
        ctx.ledger.add(None, name, "connect:" + str(e), "failed: the tunnel was refused: %s" % e, None)
        return
    except OSError as e:
        ctx.ledger.add(None, name, "connect:error", "failed: opening the connection: %s" % e, None)
        return
    try:
        run(ch)
    except (OSError, Cut) as e:
        ctx.ledger.add(None, name, "error", "failed: %s" % e, None)
    finally:
        ch.close()
