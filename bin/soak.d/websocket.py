"""A minimal WebSocket (RFC 6455) for the soak: the client's handshake and both sides' frames and messages.

No extensions are offered, so frames carry the messages as they are. The client masks its frames, the origin does
not. Control frames (ping, pong, close) may come between the fragments of a message. Used on the thread that owns the
socket.
"""
import base64
import hashlib
import os
import struct

from wire import Cut, BAD, read_response, request_head

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC11B65"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def client_handshake(sock, reader, target, host, extra=()):
    """Sends the upgrade request; returns the Response (status 101 when it was accepted) and whether the accept key
    was right."""
    key = base64.b64encode(os.urandom(16)).decode()
    fields = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
              ("Sec-WebSocket-Version", "13")] + list(extra)
    sock.sendall(request_head("GET", target, host, fields))
    r = read_response(reader)
    good = r.status == 101 and r.head.get("sec-websocket-accept") == accept_key(key)
    return r, good


def frame(opcode, payload, fin=True, mask=False):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + masked(payload, key)


def masked(payload, key):
    if not payload:
        return b""
    # XOR with the repeated key, as one big integer operation rather than byte by byte
    n = len(payload)
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def read_frame(reader):
    """(fin, opcode, payload) of the next frame; raises Cut."""
    b0, b1 = reader.read_exact(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", reader.read_exact(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", reader.read_exact(8))[0]
    if b0 & 0x70:
        raise Cut(BAD, "reserved bits set")
    key = reader.read_exact(4) if b1 & 0x80 else None
    payload = reader.read_exact(n)
    if key:
        payload = masked(payload, key)
    return bool(b0 & 0x80), b0 & 0x0F, payload


def read_message(reader, on_control):
    """(opcode, payload) of the next data message, or (CLOSE, payload); on_control(opcode, payload) sees pings and
    pongs as they come."""
    parts, first = [], None
    while True:
        fin, op, payload = read_frame(reader)
        if op >= 8:
            if op == CLOSE:
                return CLOSE, payload
            on_control(op, payload)
            continue
        if first is None:
            if op == CONT:
                raise Cut(BAD, "continuation without a message")
            first = op
        elif op != CONT:
            raise Cut(BAD, "new message inside a fragmented one")
        parts.append(payload)
        if fin:
            return first, b"".join(parts)


def send_message(sock, opcode, payload, mask, pieces=1):
    """Sends a message as `pieces` frames."""
    if pieces <= 1 or len(payload) < pieces:
        sock.sendall(frame(opcode, payload, True, mask))
        return
    step = len(payload) // pieces
    for i in range(pieces):
        part = payload[i * step:(i + 1) * step] if i < pieces - 1 else payload[i * step:]
        sock.sendall(frame(opcode if i == 0 else CONT, part, i == pieces - 1, mask))
