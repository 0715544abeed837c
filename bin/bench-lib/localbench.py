"""What bin/bench-start and bin/bench-footprint share: processes in groups of their own, an nginx origin, ports, and
readings from /proc. Python 3 standard library only; Linux (/proc).

Only processes started here are stopped, each through the process group made for it (SIGTERM, then SIGKILL), also on
Ctrl-C and SIGTERM (install_signal_handlers).
"""
import atexit
import os
import signal
import socket
import subprocess
import time

HOST = "127.0.0.1"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


class Managed:
    """A child in a process group of its own, its output in a log file."""
    started = []

    def __init__(self, name, argv, logpath, env=None, cwd=None):
        self.name, self.logpath = name, logpath
        self.logf = open(logpath, "ab")
        self.p = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=env, cwd=cwd, start_new_session=True)
        self.pid = self.p.pid
        Managed.started.append(self)

    def alive(self):
        return self.p.poll() is None

    def stop(self, grace=15):
        if self.p.poll() is None:
            kill_group(self.pid, signal.SIGTERM)
            try:
                self.p.wait(grace)
            except subprocess.TimeoutExpired:
                kill_group(self.pid, signal.SIGKILL)
                try:
                    self.p.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        self.logf.close()
        if self in Managed.started:
            Managed.started.remove(self)

    def tail(self, n=10):
        try:
            with open(self.logpath, "rb") as f:
                f.seek(max(0, os.path.getsize(self.logpath) - 8192))
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""


def kill_group(pgid, sig):
    try:
        os.killpg(pgid, sig)  # the group start_new_session made for this child alone
    except (ProcessLookupError, PermissionError):
        pass


def stop_all():
    while Managed.started:
        Managed.started[-1].stop()


def install_signal_handlers():
    def on_signal(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the finally blocks and atexit, which stop everything
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    atexit.register(stop_all)


def run(argv, timeout, **kw):
    """Runs a short-lived tool in its own process group, killed as a group at the time limit or on Ctrl-C."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         start_new_session=True, **kw)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        kill_group(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return 124, out.decode("utf-8", "replace"), err.decode("utf-8", "replace") + "\n[killed after %ss]" % timeout
    except BaseException:
        kill_group(p.pid, signal.SIGKILL)
        p.wait()
        raise


def clean_env(**extra):
    """This process's environment without proxies or wiretap's own settings, plus extra (None removes a name)."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
           and not k.startswith("WIRETAP_")}
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
            return True
        except OSError:
            return False


def free_port(low, high, taken=()):
    for port in range(low, high + 1):
        if port not in taken and port_free(port):
            return port
    raise SystemExit("no free port in %d-%d" % (low, high))


def accepts(port, timeout=0.5):
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_port(port, timeout, proc):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and not proc.alive():
            return False
        if accepts(port):
            return True
        time.sleep(0.05)
    return False


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    """User plus system CPU time of the process (all its threads) so far."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


def java_home():
    code, out, err = run([os.path.join(REPO, "bin", "find-jdk")], 30)
    if code != 0:
        raise SystemExit(err.strip())
    return out.strip()


def build(jdk):
    log("building wiretap ...")
    code, out, err = run([os.path.join(REPO, "mvnw"), "-q", "-B", "-ntp", "-DskipTests", "package"], 1800,
                         cwd=REPO, env=dict(os.environ, JAVA_HOME=jdk))
    if code != 0:
        raise SystemExit("build failed:\n" + (out + err)[-3000:])


SMALL_BODY = b"x" * 99 + b"\n"  # ~100 B, as the shared harness's /small


class NginxOrigin:
    """nginx on 127.0.0.1:port serving /small (100 bytes), keep-alive without limits, one worker."""

    def __init__(self, work, port):
        self.port = port
        root = os.path.join(work, "nginx")
        os.makedirs(os.path.join(root, "www"), exist_ok=True)
        os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
        with open(os.path.join(root, "www", "small"), "wb") as f:
            f.write(SMALL_BODY)
        for dirpath, dirnames, filenames in os.walk(work):  # nginx's workers may run as an unprivileged user
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""daemon off;
master_process on;
worker_processes 1;
pid %(root)s/nginx.pid;
error_log %(root)s/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path %(root)s/tmp/body;
    proxy_temp_path %(root)s/tmp/proxy;
    fastcgi_temp_path %(root)s/tmp/fastcgi;
    uwsgi_temp_path %(root)s/tmp/uwsgi;
    scgi_temp_path %(root)s/tmp/scgi;
    sendfile on;
    tcp_nodelay on;
    etag off;
    server_tokens off;
    keepalive_timeout 300s;
    keepalive_requests 100000000;
    server {
        listen %(host)s:%(port)d backlog=4096;
        root %(root)s/www;
        location / { try_files $uri =404; }
    }
}
""" % {"root": root, "host": HOST, "port": port})
        self.proc = Managed("nginx", ["nginx", "-p", root, "-c", conf, "-e", os.path.join(root, "error.log")],
                            os.path.join(work, "nginx.out"))
        if not wait_port(port, 20, self.proc):
            raise SystemExit("nginx did not start: " + self.proc.tail())

    def stop(self):
        self.proc.stop()


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[i]


WRK_LUA = """-- Sends every request to the proxy in absolute form (wrk has no proxy option).
wrk.method = "GET"
wrk.path = os.getenv("BENCH_URL")
wrk.headers["Host"] = os.getenv("BENCH_HOST")
"""


def wrk(work, proxy_port, origin_port, seconds, conns=50, threads=2, path="/small"):
    """wrk through the proxy for `seconds`: requests per second and the latencies it printed, or an error."""
    script = os.path.join(work, "absolute.lua")
    with open(script, "w") as f:
        f.write(WRK_LUA)
    env = dict(os.environ, BENCH_URL="http://%s:%d%s" % (HOST, origin_port, path),
               BENCH_HOST="%s:%d" % (HOST, origin_port))
    code, out, err = run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency", "-s", script,
                          "http://%s:%d/" % (HOST, proxy_port)], seconds + 60, env=env)
    result = {"exit": code}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(parts[1])
        elif len(parts) == 2 and parts[0] in ("50%", "99%"):
            result["p" + parts[0][:-1] + "_ms"] = duration_ms(parts[1])
        elif "Non-2xx" in line or "Socket errors" in line:
            result.setdefault("errors", []).append(line.strip())
    if "rps" not in result:
        result["error"] = (out + err)[-500:]
    return result


def duration_ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * factor
    return None


class IdleConnections:
    """n keep-alive client connections through the proxy, each after one GET answered, then held idle until close()."""

    def __init__(self, proxy_port, origin_port, n, deadline=120):
        import resource
        import selectors
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < n + 100:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1000), hard))
        request = ("GET http://%s:%d/small HTTP/1.1\r\nHost: %s:%d\r\n\r\n"
                   % (HOST, origin_port, HOST, origin_port)).encode()
        self.socks, self.failed = [], 0
        sel = selectors.DefaultSelector()
        pending = {}
        end = time.monotonic() + deadline
        for _ in range(n):
            try:
                s = socket.create_connection((HOST, proxy_port), timeout=10)
                s.sendall(request)
                s.setblocking(False)
                pending[s] = bytearray()
                sel.register(s, selectors.EVENT_READ)
            except OSError:
                self.failed += 1
            if len(pending) >= 200:  # a few hundred in flight at a time
                self._drain(sel, pending, end, 100)
        self._drain(sel, pending, end, 0)
        for s in pending:
            self.failed += 1
            s.close()
        sel.close()

    def _drain(self, sel, pending, end, until):
        while len(pending) > until and time.monotonic() < end:
            for key, _ in sel.select(timeout=1):
                s = key.fileobj
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(s)
                    del pending[s]
                    s.close()
                    self.failed += 1
                    continue
                buf = pending[s]
                buf += data
                head_end = buf.find(b"\r\n\r\n")
                if head_end >= 0 and len(buf) >= head_end + 4 + len(SMALL_BODY):
                    sel.unregister(s)
                    del pending[s]
                    self.socks.append(s)

    def still_open(self):
        """How many of the held connections the proxy has not closed (readable with nothing to read: closed)."""
        import select
        poller = select.poll()
        for s in self.socks:
            poller.register(s, select.POLLIN)
        readable = {fd for fd, _ in poller.poll(0)}
        alive = 0
        for s in self.socks:
            if s.fileno() not in readable:
                alive += 1
                continue
            try:
                if s.recv(1, socket.MSG_PEEK):
                    alive += 1
            except OSError:
                pass
        return alive

    def close(self):
        for s in self.socks:
            s.close()
        self.socks = []
