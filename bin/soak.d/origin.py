"""The soak's origins: one HTTP/1.1 server (plain, and the same behind TLS) whose paths serve the traffic and inject
the faults, plus two that fail at the socket (one never accepts, one port refuses).

Paths are /x/ID/OP?k=v: ID names the exchange in the ledger, OP says what to do:
  dl      a body of n bytes from the seed ID, framed by f (cl, chunked, close), gzip-labelled when z=1
  up      reads the request body (any framing, Expect: 100-continue honoured) and answers its length and SHA-256
  ws      a WebSocket that echoes every data message
  empty   204, no body
  fault   the fault named by k: reset (RST mid-body), fin (FIN mid-body), stall (silence mid-body), noanswer (reads the
          request, says nothing), halfclose (reads the request, FIN without a word), garbage (bytes that are no HTTP),
          badchunk (a good head, then a chunk size that is no number), headreset (RST right after the head)
What each end saw is put in the `Registry` (the hash of what was written or read, and whether it was whole), which the
clients compare with their own. A thread per connection; the registry is safe across them.
"""
import hashlib
import json
import os
import random
import socket
import ssl
import threading
import time
import zlib
from urllib.parse import parse_qs, urlsplit

import websocket as ws
from wire import Cut, Payload, Reader, WHOLE, chunked, close, read_body, read_head, reset


class Registry:
    """What the origins saw, by exchange ID. Thread-safe; `wait` blocks until an entry has a key."""

    def __init__(self):
        self._d = {}
        self._cv = threading.Condition()

    def put(self, xid, **kw):
        with self._cv:
            self._d.setdefault(xid, {}).update(kw)
            self._cv.notify_all()

    def count(self, xid, key):
        with self._cv:
            e = self._d.setdefault(xid, {})
            e[key] = e.get(key, 0) + 1

    def get(self, xid):
        with self._cv:
            return dict(self._d.get(xid, {}))

    def wait(self, xid, key, timeout):
        end = time.monotonic() + timeout
        with self._cv:
            while key not in self._d.get(xid, {}):
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._cv.wait(left)
            return dict(self._d[xid])

    def pop(self, xid):
        with self._cv:
            return self._d.pop(xid, None)


class Origin:
    """A threaded HTTP/1.1 server on 127.0.0.1 (TLS when `tls` is an SSLContext)."""

    def __init__(self, registry, tls=None, stall_seconds=30, name="origin"):
        self.registry, self.tls, self.stall, self.name = registry, tls, stall_seconds, name
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.errors = []
        self._stop = False
        threading.Thread(target=self._accept, name=name + "-accept", daemon=True).start()

    def close(self):
        self._stop = True
        close(self.sock)

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                if self._stop:
                    return
                time.sleep(0.05)
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(120)
        try:
            if self.tls:
                conn = self.tls.wrap_socket(conn, server_side=True, suppress_ragged_eofs=False)
            reader = Reader(conn)
            while self._one(conn, reader):
                pass
        except Cut:
            pass
        except (OSError, ssl.SSLError):
            pass
        except Exception as e:  # noqa: BLE001 - an origin bug must show in the report, not kill the soak
            self.errors.append("%s: %r" % (self.name, e))
        finally:
            close(conn)

    def _one(self, conn, reader):
        """Serves one request; returns whether the connection goes on."""
        head = read_head(reader)
        method, target, version = head.start.split(" ", 2)
        url = urlsplit(target)
        parts = url.path.split("/")
        if len(parts) < 4 or parts[1] != "x":
            return self._answer(conn, 404, b"no such path\n", head, version)
        xid, op = parts[2], parts[3]
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.registry.count(xid, "seen")
        if head.get("expect", "").lower() == "100-continue":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body_sha = hashlib.sha256()
        got = [0]

        def sink(b):
            body_sha.update(b)
            got[0] += len(b)

        framing, length = request_body_framing(head)
        ended = read_body(reader, framing, length, sink)
        if op == "up":
            self.registry.put(xid, up_sha=body_sha.hexdigest(), up_len=got[0], up_ended=ended)
            if ended != WHOLE:
                return False
            out = json.dumps({"sha": body_sha.hexdigest(), "len": got[0]}).encode()
            return self._answer(conn, 200, out, head, version, ctype="application/json")
        if ended != WHOLE:
            self.registry.put(xid, up_ended=ended)
            return False
        if op == "dl":
            return self._download(conn, head, version, xid, method, q)
        if op == "empty":
            return self._answer(conn, 204, b"", head, version)
        if op == "ws":
            return self._websocket(conn, reader, head, xid)
        if op == "fault":
            self._fault(conn, reader, head, version, xid, q)
            return False
        return self._answer(conn, 404, b"no such op\n", head, version)

    def _answer(self, conn, status, body, head, version, ctype="text/plain"):
        keep = keeps_alive(head, version)
        reason = {200: "OK", 204: "No Content", 404: "Not Found"}.get(status, "X")
        fields = ["HTTP/1.1 %d %s" % (status, reason), "Content-Type: " + ctype]
        if status != 204:
            fields.append("Content-Length: %d" % len(body))
        if not keep:
            fields.append("Connection: close")
        conn.sendall(("\r\n".join(fields) + "\r\n\r\n").encode() + body)
        return keep

    def _download(self, conn, head, version, xid, method, q):
        n, f = int(q.get("n", "0")), q.get("f", "cl")
        payload = Payload(xid, n, text=q.get("t") == "1")
        if q.get("z") == "1":
            co = zlib.compressobj(6, zlib.DEFLATED, 31)  # small bodies only: the scenario keeps n modest
            data = co.compress(payload.whole()) + co.flush()
            blocks, coding, size = [data], "gzip", len(data)
        else:
            blocks, coding, size = payload.blocks(), None, n
        keep = keeps_alive(head, version) and f != "close"
        lines = ["HTTP/1.1 200 OK", "Content-Type: " + ("text/plain" if coding else "application/octet-stream")]
        if coding:
            lines.append("Content-Encoding: gzip")
        if f == "cl":
            lines.append("Content-Length: %d" % size)
        elif f == "chunked":
            lines.append("Transfer-Encoding: chunked")
        if not keep:
            lines.append("Connection: close")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        sent = hashlib.sha256()
        if method != "HEAD":
            for b in blocks:
                sent.update(b)
                if f == "chunked":
                    for c in chunked([b], _rnd(xid)):
                        if c != b"0\r\n\r\n":
                            conn.sendall(c)
                else:
                    conn.sendall(b)
            if f == "chunked":
                conn.sendall(b"0\r\n\r\n")
        self.registry.put(xid, dl_sha=sent.hexdigest(), dl_len=size if method != "HEAD" else 0)
        if f == "close":
            conn.shutdown(socket.SHUT_WR)
        return keep

    def _websocket(self, conn, reader, head, xid):
        key = head.get("sec-websocket-key", "")
        conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n" % ws.accept_key(key)).encode())
        got, sent, count = hashlib.sha256(), hashlib.sha256(), 0

        def control(op, payload):
            if op == ws.PING:
                conn.sendall(ws.frame(ws.PONG, payload))

        try:
            while True:
                op, payload = ws.read_message(reader, control)
                if op == ws.CLOSE:
                    conn.sendall(ws.frame(ws.CLOSE, payload[:2]))
                    self.registry.put(xid, ws_got=got.hexdigest(), ws_sent=sent.hexdigest(), ws_count=count,
                                      ws_ended=WHOLE)
                    return False
                got.update(payload)
                count += 1
                ws.send_message(conn, op, payload, mask=False, pieces=1 + count % 3)
                sent.update(payload)
        except Cut as c:
            self.registry.put(xid, ws_got=got.hexdigest(), ws_sent=sent.hexdigest(), ws_count=count, ws_ended=c.how)
            return False

    def _fault(self, conn, reader, head, version, xid, q):
        kind, n, f = q.get("k"), int(q.get("n", "100000")), q.get("f", "cl")
        self.registry.put(xid, fault=kind)
        if kind == "noanswer":
            wait_for_close(conn, reader, self.stall)
            return
        if kind == "halfclose":
            conn.shutdown(socket.SHUT_WR)
            wait_for_close(conn, reader, self.stall)
            return
        if kind == "garbage":
            conn.sendall(os.urandom(int(q.get("g", "300"))).replace(b"\r\n\r\n", b"xxxx") + b"\r\n\r\n")
            wait_for_close(conn, reader, 2)
            return
        lines = ["HTTP/1.1 200 OK", "Content-Type: application/octet-stream"]
        if f == "cl":
            lines.append("Content-Length: %d" % n)
        elif f == "chunked":
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append("Connection: close")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        if kind == "headreset":
            reset(conn)
            return
        if kind == "badchunk":
            conn.sendall(b"10\r\n0123456789abcdef\r\nzz\r\n" + os.urandom(64))
            wait_for_close(conn, reader, self.stall)
            return
        half = b"".join(Payload(xid, n // 2).blocks())
        if f == "chunked":
            conn.sendall(b"%x\r\n" % len(half) + half + b"\r\n")
        else:
            conn.sendall(half)
        if kind == "reset":
            time.sleep(0.05)
            reset(conn)
        elif kind == "fin":
            time.sleep(0.05)
            conn.shutdown(socket.SHUT_WR)
            wait_for_close(conn, reader, self.stall)
        elif kind == "stall":
            wait_for_close(conn, reader, self.stall)


def wait_for_close(conn, reader, seconds):
    """Keeps the connection open, reading and dropping, until the peer closes it or `seconds` pass."""
    conn.settimeout(seconds)
    try:
        reader.drain(lambda b: None)
    except Exception:  # noqa: BLE001 - the peer's end, however it comes, is what we wait for
        pass


def request_body_framing(head):
    te = head.tokens("transfer-encoding")
    if te:
        return "chunked", None
    cl = head.get("content-length")
    if cl is not None:
        return "length", int(cl)
    return "none", 0


def keeps_alive(head, version):
    tokens = head.tokens("connection")
    if version == "HTTP/1.0":
        return "keep-alive" in tokens
    return "close" not in tokens


def _rnd(xid):
    """Chunk sizes that vary by exchange but are the same each time it is asked for."""
    return random.Random("chunks" + xid)


class SilentOrigin:
    """Listens and never accepts: connections complete in the kernel's backlog and nothing ever answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def drain_backlog(self):
        """Accepts and closes what waits, so the backlog never fills (a full one would drop SYNs, a different
        fault)."""
        self.sock.setblocking(False)
        try:
            while True:
                c, _ = self.sock.accept()
                close(c)
        except OSError:
            pass

    def close(self):
        close(self.sock)


def refused_port():
    """A port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def server_tls(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx
