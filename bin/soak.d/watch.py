"""Watching the proxy during and after the soak: resource samples, the checks of its log, store and HAR, the verdicts
on its resources, and the summary.

`Sampler` samples on a thread of its own (RSS, threads and file descriptors from /proc; wiretap's counters from its
web API; the heap after a full GC through jcmd, less often, as a collection stops the proxy for a moment). The checks
run on the main thread once the traffic has stopped.
"""
import base64
import hashlib
import json
import os
import threading
import time

from proxies import Wiretap, proc_sample
from scenarios import INTERCEPT_NAME, TUNNEL_NAME

MiB = 1048576
# How far the end may lie above the idle level, and the last third of the run above the middle third, before it
# counts as growth: room for what a busy moment leaves (a buffer pool's buffers, the JIT's threads), not for a leak.
FD_SLACK, THREAD_SLACK = 4, 6
HEAP_SLACK = 16 * MiB
FLAT = {"rss": (0.15, 32 * MiB), "heap_less_store": (0.25, 16 * MiB), "fds": (0.5, 40), "threads": (0.25, 10)}


class Sampler:
    def __init__(self, proxy, interval, gc_interval):
        self.proxy, self.interval, self.gc_interval = proxy, interval, gc_interval
        self.samples = []  # during the traffic
        self.last = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def sample(self, gc=False):
        s = {"t": time.time()}
        if self.proxy.pids:
            p = proc_sample(self.proxy.pids)
            if p:
                s.update(p)
        if isinstance(self.proxy, Wiretap):
            try:
                s.update(self.proxy.stats())
            except Exception as e:  # noqa: BLE001 - an API that does not answer is a finding, not a crash
                s["api_error"] = repr(e)
            if gc:
                s["heap"] = self.proxy.heap_after_gc()
                if "store" in s:
                    s["heap_less_store"] = s["heap"] - s["store"]
        return s

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(120)

    def _run(self):
        last_gc = time.monotonic()
        while not self._stop.wait(self.interval):
            gc = time.monotonic() - last_gc >= self.gc_interval
            if gc:
                last_gc = time.monotonic()
            try:
                s = self.sample(gc)
            except Exception as e:  # noqa: BLE001 - keep sampling
                s = {"t": time.time(), "api_error": repr(e)}
            self.samples.append(s)
            self.last = s

    def settle(self, label, verdicts, deadline, idle=None):
        """Waits until the proxy is quiet (no client connections, nothing in flight, no idle upstream connections;
        with `idle`, file descriptors and threads back near it), then samples after a full GC. Past the deadline it
        samples anyway, and at the end that is a violation."""
        end = time.monotonic() + deadline
        quiet_since = None
        while True:
            s = self.sample()
            quiet = is_quiet(s, idle)
            if quiet and quiet_since is None:
                quiet_since = time.monotonic()
            if not quiet:
                quiet_since = None
            if quiet_since and time.monotonic() - quiet_since >= 3:
                break
            if time.monotonic() > end:
                if idle is not None:
                    verdicts.ledger.violation("resources", "not-idle: %ds after the traffic the proxy was still "
                                              "busy: %s" % (deadline, self.describe(s)))
                break
            time.sleep(1)
        s = self.sample(gc=True)
        s["label"] = label
        return s

    @staticmethod
    def describe(s):
        if not s:
            return "(no sample yet)"
        parts = []
        for key, fmt in (("rss", "RSS %.0fM"), ("heap", "heap %.0fM"), ("store", "store %.0fM")):
            if key in s:
                parts.append(fmt % (s[key] / MiB))
        for key, name in (("threads", "threads"), ("fds", "fds"), ("clients", "clients"),
                          ("upstream_idle", "upstream idle"), ("in_flight", "in flight"), ("seen", "flows")):
            if key in s:
                parts.append("%s %d" % (name, s[key]))
        if "api_error" in s:
            parts.append("API: " + s["api_error"])
        return ", ".join(parts)


def is_quiet(s, idle):
    if "api_error" in s:
        return False
    for key in ("clients", "in_flight", "paused", "upstream_idle"):
        if s.get(key, 0) != 0:
            return False
    if idle:
        if "fds" in s and s["fds"] > idle["fds"] + FD_SLACK:
            return False
        if "threads" in s and s["threads"] > idle["threads"] + THREAD_SLACK:
            return False
    return True


class Verdicts:
    """The resource checks, added to the ledger as violations."""

    def __init__(self, ledger):
        self.ledger = ledger
        self.flatness = {}  # metric -> (middle third's peak, last third's peak, verdict)

    def resources(self, sampler, idle, end):
        v = self.ledger.violation
        for key in ("clients", "in_flight", "paused", "upstream_idle"):
            if end.get(key, 0) != 0:
                v("resources", "pool: %s is %d after the traffic (idle: %d)" % (key, end[key], idle.get(key, 0)))
        if "fds" in end and end["fds"] > idle["fds"] + FD_SLACK:
            v("resources", "fds: %d open after the traffic, %d when idle" % (end["fds"], idle["fds"]))
        if "threads" in end and end["threads"] > idle["threads"] + THREAD_SLACK:
            v("resources", "threads: %d after the traffic, %d when idle" % (end["threads"], idle["threads"]))
        if "heap_less_store" in end and "heap_less_store" in idle:
            if end["heap_less_store"] > idle["heap_less_store"] + max(HEAP_SLACK, idle["heap_less_store"] // 4):
                v("resources", "heap: %.1fM beside the flow store after a full GC, %.1fM when idle" % (
                    end["heap_less_store"] / MiB, idle["heap_less_store"] / MiB))
        for metric, (rel, absolute) in FLAT.items():
            pts = [(s["t"], s[metric]) for s in sampler.samples if metric in s]
            if len(pts) < 9:
                self.flatness[metric] = None
                continue
            t0, t1 = pts[0][0], pts[-1][0]
            third = (t1 - t0) / 3
            middle = max(x for t, x in pts if t0 + third <= t < t0 + 2 * third)
            last = max(x for t, x in pts if t >= t0 + 2 * third)
            flat = last <= middle * (1 + rel) + absolute
            self.flatness[metric] = (middle, last, flat)
            if not flat:
                v("resources", "growth: %s peaked at %s in the last third of the run, %s in the middle third" % (
                    metric, fmt(metric, last), fmt(metric, middle)))

    def as_json(self, proxy, sampler, idle, end, minutes, seed):
        led = self.ledger
        return {"proxy": proxy.name, "version": proxy.version, "minutes": minutes, "seed": seed,
                "exchanges": led.exchanges, "byte_checks": led.byte_checks,
                "scenarios": {k: dict(c) for k, c in led.by_scenario.items()},
                "violations": ["%s %s: %d" % (s, k, n) for (s, k), n in led.violations.items()],
                "examples": led.examples, "idle": idle, "end": end, "samples": sampler.samples,
                "flatness": self.flatness}


def fmt(metric, x):
    return "%.1fM" % (x / MiB) if metric in ("rss", "heap", "heap_less_store", "store") else str(x)


# ---------------------------------------------------------------------------------------------------------------------
# the proxy's log, store and HAR against the ledger
# ---------------------------------------------------------------------------------------------------------------------
class LogCheck:
    def __init__(self):
        self.expected = self.matched = self.lost = self.duplicated = 0
        self.tunnels = self.tunnel_records = 0
        self.records = 0
        self.unnamed = {}
        self.refusals = {}
        self.note = ""


def reconcile_log(proxy, ctx, ledger, end, after_stop=False):
    """Every exchange the clients made that the proxy could read as a request must be in its log exactly once."""
    ctx.log_check = c = LogCheck()
    book = proxy.log
    if book is None:
        c.note = "no log to read"
        return
    if isinstance(proxy, Wiretap):
        until = time.monotonic() + 30
        while book.records < end.get("seen", 0) and time.monotonic() < until:
            time.sleep(0.5)
        # wiretap logs the requests it reads inside an intercepted tunnel, not the tunnel, which is a flow of its own
        # (logged only when it fails)
        failed = book.connects.get("%s:%d" % (INTERCEPT_NAME, ctx.https_port), 0)
        if book.records + ctx.intercepted - failed != end.get("seen"):
            ledger.violation("log", "log: %d records and %d intercepted tunnels (%d logged as failed) for the %s "
                             "flows wiretap counted" % (book.records, ctx.intercepted, failed, end.get("seen")))
    elif not after_stop:
        return
    c.records = book.records
    lost, extra = [], []
    with book.lock:
        for xid, n in ledger.expected_flows.items():
            got = book.by_id.get(xid, 0)
            c.expected += n
            c.matched += min(got, n)
            if got < n:
                lost.append(xid)
            elif got > n:
                extra.append(xid)
        c.unnamed = {"%s %s" % k: n for k, n in book.unnamed.items()}
        tunnel = "%s:%d" % (TUNNEL_NAME, ctx.https_port)
        c.tunnel_records = sum(n for (method, _), n in book.unnamed.items() if method == "CONNECT") \
            if not isinstance(proxy, Wiretap) else book.connects.get(tunnel, 0)
        # Refusals before a URL was read are logged without one: what is not in the log by ID must be there without.
        c.refusals = {}
        for key, ids in ledger.maybe_unnamed.items():
            named = sum(1 for xid in ids if book.by_id.get(xid, 0) >= 1)
            unnamed = book.unnamed.get(key, 0)
            c.refusals["%s %s" % key] = (len(ids), named, unnamed)
            if named + unnamed != len(ids) and isinstance(proxy, Wiretap):
                ledger.violation("log", "refusals: %d exchanges refused with %s, %d logged with their URL and %d "
                                 "without" % (len(ids), key[1], named, unnamed))
    c.lost, c.duplicated, c.tunnels = len(lost), len(extra), ctx.tunnels
    for xid in lost[:10]:
        ledger.violation("log", "lost: exchange %s is not in the proxy's log" % xid, xid)
    if len(lost) > 10:
        ledger.violation("log", "lost: and %d more exchanges" % (len(lost) - 10))
    for xid in extra[:10]:
        ledger.violation("log", "duplicate: exchange %s is in the log %d times" % (xid, book.by_id[xid]), xid)
    if isinstance(proxy, Wiretap) and c.tunnel_records != ctx.tunnels:
        ledger.violation("log", "tunnels: %d passthrough tunnels opened, %d logged" % (ctx.tunnels,
                                                                                     c.tunnel_records))


class StoreCheck:
    def __init__(self):
        self.checked = self.evicted = self.skipped = self.differ = 0
        self.held = self.seen = self.evicted_total = None


def check_store(proxy, ctx, ledger):
    """wiretap's counters add up (held + evicted = seen), and the bodies its store kept of recent good exchanges are
    the bytes that flowed."""
    ctx.store_check = c = StoreCheck()
    if not isinstance(proxy, Wiretap):
        return
    s = proxy.stats()
    c.held, c.seen, c.evicted_total = s["held"], s["seen"], s["evicted"]
    if s["held"] + s["evicted"] != s["seen"]:
        ledger.violation("store", "store: %d held + %d let go != %d seen" % (s["held"], s["evicted"], s["seen"]))
    for xid, side, sha, size in list(ctx.recent)[-400:]:
        flow = proxy.log.flow_of.get(xid)
        if flow is None:
            c.skipped += 1  # a tunnel's request: wiretap never saw it
            continue
        try:
            detail = proxy.api("/api/flows/%d" % flow)
        except Exception as e:  # noqa: BLE001 - 404: let go to stay within the budget
            if "404" in str(e):
                c.evicted += 1
            else:
                ledger.violation("store", "api: flow %d: %r" % (flow, e), xid)
            continue
        body = (detail.get(side) or {}).get("body") or {}
        if body.get("truncated") or body.get("codings"):
            c.skipped += 1
            continue
        data = base64.b64decode(body.get("base64") or "")
        c.checked += 1
        if hashlib.sha256(data).hexdigest() != sha or len(data) != size:
            c.differ += 1
            ledger.violation("store", "store: flow %d's %s body (%d bytes) differs from what flowed (%d)" % (
                flow, side, len(data), size), xid)


class HarCheck:
    def __init__(self):
        self.entries = None
        self.note = ""


def check_har(proxy, ledger, listed):
    """The HAR written at exit holds exactly the flows the store held as it stopped, less those HAR leaves out (CONNECT
    tunnels, and requests refused before their URL was read): `listed` is the store's list read just before the
    stop."""
    proxy.har_check = c = HarCheck()
    if not os.path.exists(proxy.har):
        ledger.violation("har", "har: no HAR was written at exit")
        return
    try:
        with open(proxy.har) as f:
            har = json.load(f)
    except ValueError as e:
        ledger.violation("har", "har: the HAR does not parse: %s" % e)
        return
    flows = [e.get("_wiretap", {}).get("flow") for e in har["log"]["entries"]]
    c.entries = len(flows)
    expected = {f for f, (method, url) in listed.items() if method != "CONNECT" and url != "-"}
    c.note = "%d entries for the %d flows held that are neither a CONNECT tunnel nor a request without a URL" % (
        c.entries, len(expected))
    if len(set(flows)) != len(flows):
        ledger.violation("har", "har: a flow is in the HAR twice")
    missing, extra = expected - set(flows), set(flows) - expected
    if missing:
        ledger.violation("har", "har: %d flows held are not in the HAR (%s ...)" % (len(missing), sorted(missing)[:5]))
    if extra:
        ledger.violation("har", "har: %d entries name flows the store did not hold (%s ...)" % (
            len(extra), sorted(extra)[:5]))


def list_held(proxy):
    """The flows the store holds as its list shows them (all but the intercepted tunnels): {flow: (method, url)}."""
    out, before = {}, None
    while True:
        page = proxy.api("/api/flows?limit=10000" + ("&before=%d" % before if before else ""))
        for row in page["flows"]:
            out[row["id"]] = (row["method"], row["url"])
        before = page.get("next")
        if before is None:
            return out


# ---------------------------------------------------------------------------------------------------------------------
# the summary
# ---------------------------------------------------------------------------------------------------------------------
def summary(proxy, ctx, ledger, sampler, idle, end, minutes, seed):
    out = ["", "## soak: %s (%s), %.1f minutes, seed %d" % (proxy.name, proxy.version, minutes, seed), ""]
    out += ["| scenario | exchanges | outcomes | violations |", "|---|---:|---|---:|"]
    viol_by_scenario = {}
    for (scen, _), n in ledger.violations.items():
        viol_by_scenario[scen] = viol_by_scenario.get(scen, 0) + n
    for scen in sorted(ledger.by_scenario):
        c = ledger.by_scenario[scen]
        outs = ", ".join("%s x%d" % (k, n) for k, n in c.most_common())
        out.append("| %s | %d | %s | %d |" % (scen, sum(c.values()), outs, viol_by_scenario.get(scen, 0)))
    out += ["", "Exchanges: %d; bodies and message streams found equal (SHA-256) to the other end's: %d; %.0f MiB up, "
            "%.0f MiB down." % (ledger.exchanges, ledger.byte_checks, ledger.bytes_up / MiB, ledger.bytes_down / MiB)]
    lc = getattr(ctx, "log_check", None)
    if lc and not lc.note:
        out.append("Log: %d records; %d of %d exchanges expected by ID found (%d lost, %d logged twice); %d "
                   "passthrough tunnels, %d CONNECT records; records without an exchange ID: %s." % (
                       lc.records, lc.matched, lc.expected, lc.lost, lc.duplicated, lc.tunnels, lc.tunnel_records,
                       ", ".join("%s x%d" % kv for kv in sorted(lc.unnamed.items())) or "none"))
        for key, (n, named, unnamed) in sorted(lc.refusals.items()):
            out.append("Refused with %s: %d exchanges, %d logged with their URL, %d without (refused before it)."
                       % (key.split()[1], n, named, unnamed))
    elif lc:
        out.append("Log: " + lc.note)
    st = getattr(ctx, "store_check", None)
    if st and st.seen is not None:
        out.append("Store: %d flows seen, %d held, %d let go within the budget; %d recent bodies compared with what "
                   "flowed (%d differ), %d already let go, %d not comparable (tunnelled, coded or cut at the cap)."
                   % (st.seen, st.held, st.evicted_total, st.checked, st.differ, st.evicted, st.skipped))
    hc = getattr(proxy, "har_check", None)
    if hc:
        out.append("HAR at exit: " + (hc.note or "not read"))
    if lc and isinstance(proxy, Wiretap):
        out.append("Intercepted tunnels (flows of their own, not logged): %d." % ctx.intercepted)
    out += ["", "| resource | idle | peak | end | flat over the run |", "|---|---:|---:|---:|---|"]
    for metric, name in (("rss", "RSS"), ("heap", "heap after full GC"), ("heap_less_store", "heap less the store"),
                         ("store", "flow store"), ("threads", "threads"), ("fds", "file descriptors"),
                         ("clients", "client connections"), ("upstream_idle", "idle upstream connections"),
                         ("in_flight", "flows in flight")):
        vals = [s[metric] for s in sampler.samples if metric in s]
        if metric not in idle and not vals:
            continue
        flat = getattr(ctx, "verdicts_flatness", {}).get(metric)
        out.append("| %s | %s | %s | %s | %s |" % (
            name, fmt(metric, idle[metric]) if metric in idle else "-", fmt(metric, max(vals)) if vals else "-",
            fmt(metric, end[metric]) if metric in end else "-", flat_text(flat)))
    out += ["", "Violations: %d" % ledger.total_violations()]
    for (scen, kind), n in sorted(ledger.violations.items()):
        out.append("- %s, %s: %d" % (scen, kind, n))
    if ledger.examples:
        out += ["", "First violations:"] + ["- " + e for e in ledger.examples[:40]]
    return "\n".join(out)


def flat_text(flat):
    if flat is None:
        return "-"
    return "yes" if flat[2] else "NO"
