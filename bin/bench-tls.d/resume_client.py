#!/usr/bin/env python3
"""A load generator for bin/bench-tls: a new TCP connection and TLS handshake per request, through an HTTP proxy's
CONNECT or directly, with or without resuming the TLS session as browsers and curl do (each worker offers the session,
a TLS 1.3 ticket, that its last connection got). Each request is one GET with Connection: close, read to its
Content-Length, its body checked against the expected bytes.

  resume_client.py --url https://127.0.0.1:19500/small --cafile CA --expect FILE [--proxy 127.0.0.1:19510]
                   [--resume] --seconds 10 --workers 16

Prints one JSON object: ok (responses that were 200 with the right body), errors (and a few samples), resumed
(handshakes that resumed a session), p50_ms and p99_ms over every request, and the seconds measured. Its CPU is its own
and its workers' (the caller reads it as its child's). Python 3 standard library; OpenSSL does the TLS.
"""
import argparse
import json
import multiprocessing
import socket
import ssl
import time
import urllib.parse


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed before the head ended")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head, rest


def one_request(ctx, url, proxy, session):
    host, port = url.hostname, url.port or 443
    sock = socket.create_connection(proxy or (host, port), timeout=10)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if proxy:
            target = "%s:%d" % (host, port)
            sock.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target, target)).encode())
            head, rest = read_head(sock)
            if not head.split(b"\r\n", 1)[0].split(b" ")[1:2] == [b"200"] or rest:
                raise ConnectionError("CONNECT answered %r" % head[:80])
        tls = ctx.wrap_socket(sock, server_hostname=host, session=session)
        tls.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (url.path, host, port)).encode())
        head, body = read_head(tls)
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            raise ConnectionError("no Content-Length in %r" % head[:120])
        while len(body) < length:
            chunk = tls.recv(65536)
            if not chunk:
                raise ConnectionError("body ended after %d of %d bytes" % (len(body), length))
            body += chunk
        status = head.split(b"\r\n", 1)[0].split(b" ")[1]
        return status, body, tls.session_reused, tls.session
    finally:
        sock.close()


def worker(args, deadline, out):
    url = urllib.parse.urlsplit(args.url)
    proxy = None
    if args.proxy:
        h, p = args.proxy.rsplit(":", 1)
        proxy = (h, int(p))
    with open(args.expect, "rb") as f:
        expect = f.read()
    ctx = ssl.create_default_context(cafile=args.cafile)
    ctx.set_alpn_protocols(["http/1.1"])
    session, ok, resumed, errors, samples, lat = None, 0, 0, 0, [], []
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        try:
            status, body, reused, got = one_request(ctx, url, proxy, session if args.resume else None)
        except (OSError, ValueError, IndexError) as e:
            errors += 1
            if len(samples) < 3:
                samples.append(repr(e)[:200])
            session = None
            continue
        if status == b"200" and body == expect:
            ok += 1
            lat.append(time.perf_counter() - t0)
            resumed += 1 if reused else 0
            session = got
        else:
            errors += 1
            if len(samples) < 3:
                samples.append("status %r, %d body bytes" % (status, len(body)))
    out.put({"ok": ok, "resumed": resumed, "errors": errors, "error_samples": samples, "lat": lat})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--expect", required=True, help="a file holding the body the URL must return")
    ap.add_argument("--proxy", help="HOST:PORT of an HTTP proxy to CONNECT through")
    ap.add_argument("--resume", action="store_true", help="offer each worker's last session")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=16)
    args = ap.parse_args()
    start = time.monotonic()
    deadline = start + args.seconds
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(args, deadline, out)) for _ in range(args.workers)]
    for p in procs:
        p.start()
    results = [out.get(timeout=args.seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.monotonic() - start
    lat = sorted(x for r in results for x in r["lat"])
    pct = lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 3) if lat else None
    print(json.dumps({"ok": sum(r["ok"] for r in results), "resumed": sum(r["resumed"] for r in results),
                      "errors": sum(r["errors"] for r in results),
                      "error_samples": [s for r in results for s in r["error_samples"]][:3],
                      "p50_ms": pct(0.5), "p99_ms": pct(0.99), "total_s": round(elapsed, 3)}))


if __name__ == "__main__":
    main()
