"""The soak's ledger: every exchange the clients made, how it ended, and what was wrong with it.

Scenarios add to it from many threads (one lock). An exchange is named by its ID (also in its URL, so the proxy's log
can be matched to it), its scenario, its outcome word ('200', '502', '200-cut:reset', 'none:eof'...), a violation
(None when it ended as it should) and how many flows the proxy must log for it (None: not checked by ID).
"""
import collections
import threading
import time


class Ledger:
    def __init__(self):
        self._lock = threading.Lock()
        self.by_scenario = collections.OrderedDict()  # name -> Counter of outcomes
        self.violations = collections.Counter()  # (scenario, kind) -> count
        self.examples = []  # first violations, whole
        self.expected_flows = {}  # id -> count the proxy must log
        # Exchanges the proxy may log with their URL or, refused before it read one, without: (method, status) of the
        # record without a URL -> the IDs of such exchanges
        self.maybe_unnamed = collections.defaultdict(set)
        self.exchanges = 0
        self.byte_checks = 0  # bodies or message streams found equal, by SHA-256, to what the other end had
        self.bytes_up = 0
        self.bytes_down = 0

    def add(self, xid, scenario, outcome, violation=None, flows=1, checked=0, up=0, down=0):
        with self._lock:
            self.exchanges += 1
            self.by_scenario.setdefault(scenario, collections.Counter())[outcome] += 1
            self.byte_checks += 0 if violation else checked  # comparisons that found the bytes equal
            self.bytes_up += up
            self.bytes_down += down
            if flows is not None and xid is not None:
                self.expected_flows[xid] = self.expected_flows.get(xid, 0) + flows
            if violation:
                kind = violation.split(":")[0]
                self.violations[(scenario, kind)] += 1
                self._example("%s %s %s: %s (outcome %s)" % (time.strftime("%H:%M:%S"), scenario, xid, violation,
                                                             outcome))

    def maybe_without_url(self, xid, method, status):
        with self._lock:
            self.maybe_unnamed[(method, status)].add(xid)

    def violation(self, scenario, text, xid=None):
        """A violation that is not one exchange's outcome (a check after the fact)."""
        with self._lock:
            self.violations[(scenario, text.split(":")[0])] += 1
            self._example("%s %s %s: %s" % (time.strftime("%H:%M:%S"), scenario, xid, text))

    def _example(self, text):
        """Keeps the first violations whole, and says the first few as they happen (under the lock)."""
        if len(self.examples) < 200:
            self.examples.append(text)
        if len(self.examples) <= 20:
            print("soak: violation:", text, flush=True)

    def total_violations(self):
        with self._lock:
            return sum(self.violations.values())
