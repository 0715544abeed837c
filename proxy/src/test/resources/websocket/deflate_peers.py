"""A permessage-deflate WebSocket echo server and client (Python's websockets, Debian's python3-websockets), the
client going through an HTTP proxy by a CONNECT tunnel, as browsers do. For wiretap's tests of compressed messages.

    python3 deflate_peers.py PROXY_PORT

Starts the echo server on a free loopback port, connects through the proxy, sends the messages below (compressed, as
the server and the client agree to by default, with context takeover), checks that each comes back unchanged, closes,
and prints one line: "ok PORT" (the server's port) or "failed: ...".
"""
import asyncio
import socket
import sys

import websockets

TEXT = "compress me, " * 200
BINARY = bytes(range(256)) * 64
FRAGMENTS = ["frag", "mented ", "and compressed " * 20]


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


def tunnel(proxy_port, host, port):
    sock = socket.create_connection(("127.0.0.1", proxy_port))
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise RuntimeError("the proxy closed the tunnel")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError("the proxy refused the tunnel: " + head.decode(errors="replace"))
    return sock


async def main(proxy_port):
    async with websockets.serve(echo, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        sock = tunnel(proxy_port, "127.0.0.1", port)
        async with websockets.connect(f"ws://127.0.0.1:{port}/deflate", sock=sock) as ws:
            if ws.extensions == []:
                raise RuntimeError("no permessage-deflate agreed")
            for message in [TEXT, BINARY, TEXT]:
                await ws.send(message)
                back = await ws.recv()
                if back != message:
                    raise RuntimeError("a message came back changed")
            await ws.send(FRAGMENTS)
            if await ws.recv() != "".join(FRAGMENTS):
                raise RuntimeError("the fragmented message came back changed")
        return port


if __name__ == "__main__":
    try:
        print("ok", asyncio.run(main(int(sys.argv[1]))), flush=True)
    except Exception as e:
        print("failed:", repr(e), flush=True)
        sys.exit(1)
