"""The proxies the soak can run against, each started (or found) here and sampled from /proc.

`Wiretap` builds and runs this checkout the way ./wiretap does (headless, JSON log on a pipe read here, a HAR at exit,
a CA in a temp config directory, free ports), and reads its web API (counters, flows) and its heap (jcmd). `Squid`
runs /usr/sbin/squid with a minimal config in the temp directory; its log is its access.log. `External` is any
proxy at HOST:PORT, sampled only if its PID is given. Each child runs in a process group of its own and is stopped
through it. The log readers run on a thread of their own.
"""
import collections
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request

ID_IN_URL = re.compile(r"/x/([0-9a-z]+)/")


class LogBook:
    """The proxy's log, read as it is written: flows per exchange ID, and those that name none (tunnels, refusals
    before a URL was read)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_id = collections.Counter()
        self.flow_of = {}  # exchange ID -> the proxy's flow number (the last one logged)
        self.records = 0
        self.unnamed = collections.Counter()  # (method, status or error kind) -> count
        self.errors = collections.Counter()  # error kind -> count
        self.connects = collections.Counter()  # CONNECT authority -> records
        self.unnamed_flows = set()  # flow numbers of the records without an exchange ID

    def add(self, url, method, status, error_kind, flow=None):
        with self.lock:
            self.records += 1
            m = ID_IN_URL.search(url or "")
            if m:
                self.by_id[m.group(1)] += 1
                if flow is not None:
                    self.flow_of[m.group(1)] = flow
            else:
                self.unnamed[(method, status if status is not None else error_kind)] += 1
                if flow is not None:
                    self.unnamed_flows.add(flow)
            if method == "CONNECT":
                self.connects[(url or "").split("://")[-1].rstrip("/")] += 1
            if error_kind:
                self.errors[error_kind] += 1


def proc_sample(pids):
    """RSS (bytes), threads and open file descriptors of the processes, summed; None for a process gone."""
    rss = threads = fds = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Threads:"):
                        threads += int(line.split()[1])
            fds += len(os.listdir("/proc/%d/fd" % pid))
        except OSError:
            return None
    return {"rss": rss, "threads": threads, "fds": fds}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stop_group(p, grace=15):
    if p.poll() is not None:
        return p.returncode
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        return p.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        return p.wait(5)


class Wiretap:
    name = "wiretap"
    intercept = True

    def __init__(self, repo, tmp, java_opts, settings, origin_cert, passthrough):
        self.repo, self.tmp = repo, tmp
        self.har = os.path.join(tmp, "wiretap.har")
        self.config_dir = os.path.join(tmp, "wiretap-config")
        self.ca = os.path.join(self.config_dir, "wiretap-ca.pem")
        self.stderr_path = os.path.join(tmp, "wiretap.stderr")
        self.log = LogBook()
        self.java_home = subprocess.run([os.path.join(repo, "bin", "find-jdk")], capture_output=True, text=True,
                                        check=True).stdout.strip()
        build = subprocess.run([os.path.join(repo, "wiretap"), "--version"], capture_output=True, text=True)
        if build.returncode != 0:
            raise SystemExit("soak: building wiretap failed:\n" + build.stderr[-3000:])
        self.version = build.stdout.strip().splitlines()[0]
        argv = [os.path.join(repo, "wiretap"), "--headless", "--log-format", "json", "--har", self.har,
                "--config-dir", self.config_dir, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0",
                "--upstream-ca", origin_cert, "--passthrough", passthrough]
        for k, v in settings.items():
            argv += ["--set", "%s=%s" % (k, v)]
        self.argv = argv
        env = dict(os.environ, WIRETAP_JAVA_OPTS=java_opts)
        self.stderr = open(self.stderr_path, "wb")
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL,
                                  env=env, start_new_session=True)
        first = json.loads(self.p.stdout.readline() or b"{}")
        if first.get("event") != "start":
            raise SystemExit("soak: wiretap did not start; see " + self.stderr_path)
        host, port = first["proxy"].rsplit("/", 1)[1].rsplit(":", 1)
        self.address = (host, int(port))
        web = first["webUi"]
        self.web = web.split("/?")[0]
        self.token = web.split("token=")[1]
        self.pid = self.p.pid  # ./wiretap execs java
        self.pids = [self.pid]
        self.exit_code = None
        threading.Thread(target=self._read_log, name="wiretap-log", daemon=True).start()

    def _read_log(self):
        copy = open(os.path.join(self.tmp, "wiretap-log.jsonl"), "wb")  # for a look afterwards (--keep)
        for line in self.p.stdout:
            copy.write(line)
            try:
                rec = json.loads(line)
            except ValueError:
                self.log.add("", "?", None, "unreadable log line")
                continue
            err = rec.get("error")
            self.log.add(rec.get("url"), rec.get("method"), rec.get("status"), err and err.get("kind"), rec.get("id"))

    def api(self, path, method="GET"):
        req = urllib.request.Request(self.web + path, method=method,
                                     headers={"Authorization": "Bearer " + self.token})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def stats(self):
        s = self.api("/api/stats")
        return {"clients": s["clients"]["open"], "upstream_idle": s["upstream"]["idle"],
                "in_flight": s["flows"]["inFlight"], "paused": s["flows"]["paused"], "seen": s["flows"]["seen"],
                "held": s["flows"]["held"], "evicted": s["flows"]["evicted"], "store": s["memory"]["storeUsed"]}

    def heap_after_gc(self):
        """The heap in use right after a full collection (jcmd GC.run, then GC.heap_info), in bytes."""
        jcmd = os.path.join(self.java_home, "bin", "jcmd")
        subprocess.run([jcmd, str(self.pid), "GC.run"], capture_output=True, timeout=60)
        out = subprocess.run([jcmd, str(self.pid), "GC.heap_info"], capture_output=True, text=True,
                             timeout=60).stdout
        used = 0
        for line in out.splitlines():
            if "Metaspace" in line or "class space" in line:
                continue
            m = re.search(r"total \d+K, used (\d+)K", line)  # a generation's line (DefNew, Tenured; G1's heap)
            if m:
                used += int(m.group(1)) * 1024
        return used

    def stop(self):
        self.exit_code = stop_group(self.p, 120)
        self.stderr.close()
        return self.exit_code

    def stderr_problems(self):
        """Lines on wiretap's standard error that speak of a bug or an exception (beyond its banner)."""
        with open(self.stderr_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        bad = re.compile(r"wiretap bug|Exception|Error|SEVERE|WARNING|at dev\.wiretap", re.I)
        return [line for line in text.splitlines() if bad.search(line)]


class Squid:
    name = "squid"
    intercept = False

    def __init__(self, tmp, timeout_seconds, binary="/usr/sbin/squid"):
        """`timeout_seconds`: a client's head deadline; an origin's silence may last twice that (as wiretap's are
        set by bin/soak)."""
        self.tmp = os.path.join(tmp, "squid")
        os.makedirs(self.tmp)
        port = free_port()
        self.address = ("127.0.0.1", port)
        self.access_log = os.path.join(self.tmp, "access.log")
        user = "proxy" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            # squid started as root runs as `proxy`, which must reach its directory to write its logs
            os.chmod(tmp, 0o711)
            os.chmod(self.tmp, 0o777)
        conf = os.path.join(self.tmp, "squid.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                "http_port 127.0.0.1:%d" % port,
                "http_access allow all",
                "cache deny all",
                "cache_mem 8 MB",
                "cache_effective_user " + user,
                "access_log stdio:" + self.access_log,
                "cache_log " + os.path.join(self.tmp, "cache.log"),
                "pid_filename " + os.path.join(self.tmp, "squid.pid"),
                "coredump_dir " + self.tmp,
                "netdb_filename none",
                "read_timeout %d seconds" % (2 * timeout_seconds),
                "request_timeout %d seconds" % timeout_seconds,
                "connect_timeout 10 seconds",
                "client_idle_pconn_timeout 10 seconds",
                "server_idle_pconn_timeout 5 seconds",
                "shutdown_lifetime 1 seconds",
                "forwarded_for delete",
                "max_filedescriptors 4096",
                "workers 1",
                ""]))
        self.stderr_path = os.path.join(self.tmp, "stderr")
        self.stderr = open(self.stderr_path, "wb")
        self.p = subprocess.Popen([binary, "-N", "-f", conf], stdout=self.stderr, stderr=self.stderr,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.p.pid
        self.pids = [self.pid]
        self.version = subprocess.run([binary, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
        self.log = LogBook()
        self.exit_code = None
        for _ in range(100):
            try:
                socket.create_connection(self.address, 1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("soak: squid did not start; see " + self.stderr_path)

    def read_log(self):
        """Reads access.log whole (squid writes it as it goes, buffered; the soak reads it after the run)."""
        with open(self.access_log, errors="replace") as f:
            for line in f:
                p = line.split()
                if len(p) < 7:
                    continue
                code = p[3].split("/")
                status = int(code[1]) if len(code) > 1 and code[1].isdigit() else None
                self.log.add(p[6], p[5], status, code[0] if status in (None, 0) else None)

    def stop(self):
        self.exit_code = stop_group(self.p, 30)
        self.stderr.close()
        return self.exit_code

    def stderr_problems(self):
        return []


class External:
    name = "proxy"
    intercept = False

    def __init__(self, address, pid=None):
        host, port = address.rsplit(":", 1)
        self.address = (host, int(port))
        try:
            socket.create_connection(self.address, 5).close()
        except OSError as e:
            raise SystemExit("soak: no proxy at %s: %s" % (address, e)) from None
        self.pid = pid
        self.pids = [pid] if pid else []
        self.version = address
        self.log = None
        self.exit_code = None

    def stop(self):
        return None

    def stderr_problems(self):
        return []
