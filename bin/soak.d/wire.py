"""HTTP/1.1 on a raw socket, for the soak's clients and origins alike.

A `Reader` buffers one socket (plain or TLS); `read_head`, `read_body` and `read_response` read messages from it and
say how each ended: whole, or cut by a FIN, a reset, a timeout or bytes that are not HTTP. Bodies are hashed as they
arrive (SHA-256), never held, so a 64 MiB download costs one buffer. `Payload` makes the deterministic bodies both
ends agree on. Used from many threads, one socket per thread at a time.
"""
import hashlib
import random
import socket
import ssl
import struct

WHOLE, EOF, RESET, TIMEOUT, BAD = "whole", "eof", "reset", "timeout", "bad"
MAX_HEAD = 256 * 1024


class Cut(Exception):
    """The peer's bytes stopped before the message did: `how` is EOF, RESET, TIMEOUT or BAD."""

    def __init__(self, how, detail=""):
        super().__init__("%s %s" % (how, detail))
        self.how, self.detail = how, detail


def cut_of(exc):
    """The Cut kind of a socket-level exception."""
    if isinstance(exc, Cut):
        return exc.how
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return TIMEOUT
    if isinstance(exc, ssl.SSLEOFError):
        return RESET  # TLS ended without close_notify: an abort, not an end of data
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, ssl.SSLError)):
        return RESET
    if isinstance(exc, OSError):
        return RESET
    raise exc


class Reader:
    """A socket with a receive buffer."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def fill(self):
        """Reads more; raises Cut(EOF) at a clean end, Cut(RESET/TIMEOUT) otherwise."""
        try:
            data = self.sock.recv(262144)
        except Exception as e:  # noqa: BLE001 - every failure is classified
            raise Cut(cut_of(e), str(e)) from None
        if not data:
            raise Cut(EOF)
        self.buf += data

    def read_until(self, marker, limit):
        while True:
            i = self.buf.find(marker)
            if i >= 0:
                out = bytes(self.buf[:i + len(marker)])
                del self.buf[:i + len(marker)]
                return out
            if len(self.buf) > limit:
                raise Cut(BAD, "no %r within %d bytes" % (marker, limit))
            self.fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            self.fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def take(self, n, sink):
        """Passes n bytes to sink as they come."""
        while n > 0:
            if not self.buf:
                self.fill()
            k = min(n, len(self.buf))
            sink(self.buf[:k])
            del self.buf[:k]
            n -= k

    def drain(self, sink):
        """Passes everything up to the peer's end to sink; returns EOF or RESET (TIMEOUT) as it ended."""
        while True:
            if self.buf:
                sink(self.buf)
                self.buf = bytearray()
            try:
                self.fill()
            except Cut as c:
                return c.how


class Head:
    """A message head: start line parts and fields in order."""

    def __init__(self, start, fields):
        self.start = start
        self.fields = fields

    def get(self, name, default=None):
        name = name.lower()
        for k, v in self.fields:
            if k.lower() == name:
                return v
        return default

    def tokens(self, name):
        out = []
        for k, v in self.fields:
            if k.lower() == name.lower():
                out += [t.strip().lower() for t in v.split(",") if t.strip()]
        return out


def read_head(reader):
    raw = reader.read_until(b"\r\n\r\n", MAX_HEAD)
    lines = raw[:-4].decode("latin-1").split("\r\n")
    fields = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise Cut(BAD, "field line %r" % line[:60])
        fields.append((name, value.strip()))
    return Head(lines[0], fields)


class Response:
    """What a client saw of one response."""

    def __init__(self):
        self.status = None  # None: no head came
        self.head = None
        self.ended = None  # WHOLE, or how it was cut
        self.framing = None  # "none", "length", "chunked", "close"
        self.body_len = 0
        self.sha = hashlib.sha256()
        self.detail = ""

    @property
    def digest(self):
        return self.sha.hexdigest()

    def outcome(self):
        """A short word for the ledger: '200', '502', 'cut:reset', 'none:eof' ..."""
        if self.status is None:
            return "none:" + self.ended
        if self.ended == WHOLE:
            return str(self.status)
        return "%d-cut:%s" % (self.status, self.ended)


def body_framing(head, request_method, status):
    if request_method == "HEAD" or status in (204, 304) or 100 <= status < 200 or (
            request_method == "CONNECT" and 200 <= status < 300):
        return "none", 0
    te = head.tokens("transfer-encoding")
    if te:
        return ("chunked", None) if te[-1] == "chunked" else ("close", None)
    cl = head.get("content-length")
    if cl is not None:
        return "length", int(cl.split(",")[0].strip())
    return "close", None


def read_chunked(reader, sink):
    while True:
        line = reader.read_until(b"\r\n", 8192)
        size_text = line[:-2].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Cut(BAD, "chunk size %r" % line[:40]) from None
        if size == 0:
            while reader.read_until(b"\r\n", 65536) != b"\r\n":
                pass  # trailer fields
            return
        reader.take(size, sink)
        if reader.read_exact(2) != b"\r\n":
            raise Cut(BAD, "chunk without CRLF")


def read_body(reader, framing, length, sink):
    """Reads a body; returns WHOLE or how it was cut (close-delimited: EOF is whole, a reset is not)."""
    try:
        if framing == "none":
            return WHOLE
        if framing == "length":
            reader.take(length, sink)
            return WHOLE
        if framing == "chunked":
            read_chunked(reader, sink)
            return WHOLE
        how = reader.drain(sink)
        return WHOLE if how == EOF else how
    except Cut as c:
        return c.how


def read_response(reader, method="GET", interim=False):
    """Reads one response (skipping interim 1xx but 101, unless `interim`: then a 1xx is returned as it is); never
    raises for what the peer did."""
    r = Response()
    while True:
        try:
            head = read_head(reader)
            version, status, reason = (head.start.split(" ", 2) + ["", ""])[:3]
            r.status = int(status)
            r.version = version
        except Cut as c:
            r.status, r.ended, r.detail = None, c.how, c.detail
            return r
        except ValueError:
            r.status, r.ended, r.detail = None, BAD, "status line %r" % head.start[:60]
            return r
        r.head = head
        if 100 <= r.status < 200 and r.status != 101:
            if interim:
                r.ended, r.framing = WHOLE, "none"
                return r
            continue
        break
    if r.status == 101:
        r.framing, r.ended = "none", WHOLE
        return r
    try:
        r.framing, length = body_framing(head, method, r.status)
    except ValueError:
        r.ended, r.detail = BAD, "content-length %r" % head.get("content-length")
        return r

    def sink(b):
        r.sha.update(b)
        r.body_len += len(b)

    r.ended = read_body(reader, r.framing, length, sink)
    return r


def request_head(method, target, host, fields=(), version="HTTP/1.1"):
    lines = ["%s %s %s" % (method, target, version), "Host: " + host]
    lines += ["%s: %s" % kv for kv in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Payload:
    """A body of n bytes made from a seed, as blocks; `sha` is known once all blocks were made."""

    BLOCK = 65536

    def __init__(self, seed, n, text=False):
        self.seed, self.n, self.text = seed, n, text
        self.sha = hashlib.sha256()

    def blocks(self, block=BLOCK):
        rnd = random.Random(self.seed)
        left = self.n
        while left > 0:
            k = min(block, left)
            b = rnd.randbytes(k)
            if self.text:
                b = b.translate(_LETTERS)
            self.sha.update(b)
            left -= k
            yield b

    def whole(self):
        return b"".join(self.blocks())

    @property
    def digest(self):
        return self.sha.hexdigest()


_LETTERS = bytes(0x61 + (x % 26) for x in range(256))


def chunked(blocks, rnd):
    """Frames blocks as chunks of uneven sizes, then the last chunk."""
    for b in blocks:
        mv = memoryview(b)
        while mv:
            k = min(len(mv), rnd.choice((1, 7, 500, 4096, 16384, 65536)))
            yield b"%x\r\n" % k + bytes(mv[:k]) + b"\r\n"
            mv = mv[k:]
    yield b"0\r\n\r\n"


def reset(sock):
    """Closes with a RST rather than a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    close(sock)


def close(sock):
    try:
        sock.close()
    except OSError:
        pass
