#!/usr/bin/env python3
"""Plain pure-Python dict engine baseline for the fault-core "mixed storm" benchmark.

Generates the same storm as benches/correlator_workload/mod.rs (same xorshift64* generator):
  topology: 100 OLTs -> 2,000 splitters -> 97,900 ONTs (100,000 nodes)
  1,000,000 events, 1 ms apart: 5 % OLT raises/clears (device.down / device.up toggles),
  25 % new ONT alarms (signal.loss / signal.degraded / ont.dying_gasp), 70 % repeats of an
  already created ONT alarm; seed 002's OLT->ONT rule (300 s window), flapping on (3 in 600 s,
  600 s quiet period).
The engine does what the Rust correlator does for this workload: dedup by reduction key,
clear-keys, flap counting, topology parent search (earliest raised wins), order-independent
adoption of children, release of children when a parent clears. It prints events/s.
The timed loop runs over events built beforehand (resource id strings included), as the Rust
engine-only benchmark ingests events filled before its clock starts.

Usage: python3 correlator_baseline.py [events]
"""
import heapq
import sys
import time

MASK = (1 << 64) - 1
N_OLT, N_SP, N_ONT = 100, 2000, 97_900
TYPES = ("signal.loss", "signal.degraded", "ont.dying_gasp")
WINDOW = 300_000  # ms
FLAP_WINDOW = 600_000
FLAP_QUIET = 600_000
FLAP_THRESHOLD = 3
RAISED = ("active", "acknowledged", "suppressed")


class Rng:
    def __init__(self, seed):
        self.x = seed & MASK

    def next(self):
        x = self.x
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        self.x = x
        return (x * 0x2545F4914F6CDD1D) & MASK


def generate(n_events, seed=0x5EED_2026):
    """Returns a list of (kind, a, b, ms): kind 0 raise OLT a, 1 clear OLT a, 2 ONT alarm (ont a, type b)."""
    rng = Rng(seed)
    olt_down = [False] * N_OLT
    created = []
    new_count = 0
    out = []
    for i in range(n_events):
        r = rng.next() % 100
        if r < 5:
            o = rng.next() % N_OLT
            out.append((1 if olt_down[o] else 0, o, 0, i))
            olt_down[o] = not olt_down[o]
        elif r < 30 or not created:
            k = new_count
            new_count += 1
            ev = (2, (k // 3) % N_ONT, k % 3, i)
            created.append(ev)
            out.append(ev)
        else:
            c = created[rng.next() % len(created)]
            out.append((2, c[1], c[2], i))
    return out


class Engine:
    def __init__(self):
        self.parent_of = {}  # node -> parent node
        for s in range(N_SP):
            self.parent_of["sp-%d" % s] = "olt-%d" % (s % N_OLT)
        for o in range(N_ONT):
            self.parent_of["ont-%d" % o] = "sp-%d" % (o % N_SP)
        self.alarms = {}  # key -> alarm dict
        self.by_node = {}  # node -> [key]
        self.pending = {}  # ancestor node -> [child key]
        self.flap_hist = {}  # key -> [clear ms]
        self.timers = []
        self.seq = 0
        self.decisions = {}

    def decide(self, kind):
        self.decisions[kind] = self.decisions.get(kind, 0) + 1

    def ancestors(self, node):
        p = self.parent_of.get(node)
        while p is not None:
            yield p
            p = self.parent_of.get(p)

    def raise_(self, tenant, source, alarm_type, rtype, rid, severity, t):
        key = (tenant, source, alarm_type, rtype, rid)
        a = self.alarms.get(key)
        if a is not None:
            a["count"] += 1
            if t > a["last"]:
                a["last"] = t
            if a["status"] in RAISED:
                a["severity"] = severity
                self.decide("deduplicated")
            else:
                a["status"] = "active"
                a["severity"] = severity
                a["raised"] = t
                a["last_flap"] = t
                self.decide("flapping")
                if a["is_parent"]:
                    self.adopt(a)
            return
        self.seq += 1
        hist = self.flap_hist.get(key)
        flaps = len([c for c in hist if c > t - FLAP_WINDOW]) if hist else 0
        a = {
            "id": self.seq, "key": key, "node": rid, "alarm_type": alarm_type, "rtype": rtype,
            "severity": severity, "status": "active", "first": t, "last": t, "raised": t,
            "count": 1, "parent": None, "children": set(), "root": False, "corr": None,
            "flapping": False, "flap_count": flaps, "last_flap": t,
            "is_child": alarm_type == "signal.loss" and rtype == "ont",
            "is_parent": alarm_type == "device.down" and rtype == "olt",
        }
        self.alarms[key] = a
        self.by_node.setdefault(rid, []).append(key)
        self.decide("created")
        if a["is_child"]:
            p = self.find_parent(a)
            if p is not None:
                self.attach(a, p)
            for anc in self.ancestors(rid):
                pl = self.pending.get(anc)
                if pl is None:
                    pl = self.pending[anc] = {"refs": [], "cursors": {}, "limit": 16}
                refs = pl["refs"]
                if len(refs) >= pl["limit"]:
                    # prune on growth: dead children and children raised two windows ago; the
                    # next prune waits until the list doubled again (amortized O(1) appends)
                    pl["refs"] = refs = [k for k in refs if k in self.alarms
                                         and self.alarms[k]["raised"] >= t - 2 * WINDOW]
                    pl["cursors"] = {}
                    pl["limit"] = max(16, 2 * len(refs))
                refs.append(key)
        if a["is_parent"]:
            self.adopt(a)

    def eligible(self, p, c):
        return (p is not c and p["is_parent"] and p["status"] in RAISED and p["parent"] is None
                and abs(p["raised"] - c["raised"]) <= WINDOW)

    def find_parent(self, c):
        best = None
        for anc in self.ancestors(c["node"]):
            for k in self.by_node.get(anc, ()):
                p = self.alarms[k]
                if self.eligible(p, c) and (best is None or (p["first"], p["key"]) < (best["first"], best["key"])):
                    best = p
        return best

    def attach(self, c, p):
        old = c["parent"]
        if old is p:
            return
        if old is not None:
            old["children"].discard(c["key"])
            self.decide("reparented")
        else:
            self.decide("correlated")
        c["parent"] = p
        p["children"].add(c["key"])
        if p["corr"] is None:
            self.seq += 1
            p["corr"] = self.seq
        if not p["root"]:
            p["root"] = True
            self.decide("root_cause")
        c["corr"] = p["corr"]
        if c["status"] != "suppressed":
            c["restore"] = c["status"]
            c["status"] = "suppressed"

    def adopt(self, p):
        pl = self.pending.get(p["node"])
        if not pl:
            return
        refs = pl["refs"]
        # a parent only rescans children registered since its previous scan
        for i in range(pl["cursors"].get(p["id"], 0), len(refs)):
            c = self.alarms.get(refs[i])
            if c is None or c["status"] not in RAISED or c["root"] or not self.eligible(p, c):
                continue
            cur = c["parent"]
            if cur is None or (p["first"], p["key"]) < (cur["first"], cur["key"]):
                self.attach(c, p)
        pl["cursors"][p["id"]] = len(refs)

    def clear(self, tenant, source, alarm_type, rtype, rid, t):
        key = (tenant, source, alarm_type, rtype, rid)
        a = self.alarms.get(key)
        if a is None or a["status"] not in RAISED:
            return
        hist = self.flap_hist.setdefault(key, [])
        hist.append(t)
        hist[:] = [c for c in hist if c > t - FLAP_WINDOW]
        n = len(hist)
        a["flap_count"] = n
        if a["flapping"] or n >= FLAP_THRESHOLD:
            a["status"] = "cleared"
            a["severity"] = "cleared"
            if not a["flapping"]:
                a["flapping"] = True
                heapq.heappush(self.timers, (t + FLAP_QUIET, a["id"], key))
            a["last_flap"] = t
            self.decide("flapping")
            return
        self.decide("cleared")
        self.release(a)
        self.remove(a)

    def release(self, p):
        saved = p["status"]
        p["status"] = "cleared"
        kids = sorted((self.alarms[k] for k in p["children"]), key=lambda c: (c["first"], c["key"]))
        p["children"] = set()
        for c in kids:
            c["parent"] = None
            if c["status"] not in RAISED:
                continue
            np = self.find_parent(c)
            if np is not None:
                c["parent"] = p
                self.attach(c, np)
            else:
                c["status"] = c.get("restore", "active")
                self.decide("unsuppressed")
        p["status"] = saved

    def remove(self, a):
        del self.alarms[a["key"]]
        lst = self.by_node[a["node"]]
        lst.remove(a["key"])
        if not lst:
            del self.by_node[a["node"]]
        if a["parent"] is not None:
            a["parent"]["children"].discard(a["key"])

    def run_timers(self, t):
        while self.timers and self.timers[0][0] <= t:
            due, aid, key = heapq.heappop(self.timers)
            a = self.alarms.get(key)
            if a is None or a["id"] != aid:
                continue
            if a["last_flap"] + FLAP_QUIET > due:
                heapq.heappush(self.timers, (a["last_flap"] + FLAP_QUIET, aid, key))
                continue
            a["flapping"] = False
            self.decide("flapping_ended")
            if a["status"] not in RAISED:
                self.release(a)
                self.remove(a)

    def ingest(self, ev):
        kind, rid, alarm_type, ms = ev
        if self.timers and self.timers[0][0] <= ms:
            self.run_timers(ms)
        if kind == 0:
            self.raise_("t1", "network_device", "device.down", "olt", rid, "critical", ms)
        elif kind == 1:
            # device.up clears device.down and device.degraded (clear-keys)
            self.clear("t1", "network_device", "device.down", "olt", rid, ms)
            self.clear("t1", "network_device", "device.degraded", "olt", rid, ms)
        else:
            self.raise_("t1", "cpe", alarm_type, "ont", rid, "major", ms)


def build_events(raw):
    """The events as the engine receives them: (kind, resource id, alarm type, ms)."""
    return [
        (k, ("olt-%d" if k < 2 else "ont-%d") % a, TYPES[b] if k == 2 else None, ms)
        for (k, a, b, ms) in raw
    ]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    events = build_events(generate(n))
    eng = Engine()
    start = time.perf_counter()
    for ev in events:
        eng.ingest(ev)
    secs = time.perf_counter() - start
    print("decisions: " + " ".join("%s=%d" % kv for kv in sorted(eng.decisions.items())))
    print("active alarms: %d" % sum(1 for a in eng.alarms.values() if a["status"] in RAISED))
    print("python baseline: %d events in %.3f s = %.0f events/s" % (n, secs, n / secs))


if __name__ == "__main__":
    main()
