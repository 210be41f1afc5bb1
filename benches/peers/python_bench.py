#!/usr/bin/env python3
"""The Python binding's benchmark: faultdesk vs its Python peers, side by side in one run.

1. ``create_ticket_from_alarm`` (seed 000's flow) — faultdesk ``Desk`` vs idiomatic SQLAlchemy
   2.0 (``sqlalchemy_seed000.py``) on the same SQLite file, and on the same PostgreSQL database
   with ``--pg URL`` / ``FAULTDESK_TEST_PG_URL``. Target: >= 5x.
2. De-duplicating ingest — a storm of events over a tenth as many resources, in batches:
   ``Desk.ingest_batch`` vs SQLAlchemy select-by-reduction-key-then-update-or-insert. Target:
   >= 10x.
3. ``fd.Correlator`` fed from Python in batches vs the pure-Python dict engine of
   ``correlator_baseline.py`` on the same mixed storm (100,000-node topology, seed 002's
   OLT -> ONT rule, flapping), conversion included: both sides start from the same events,
   built beforehand as the baseline takes them (``correlator_baseline.build_events``: kind,
   resource id string, alarm type, ms). Two faultdesk lines: ``Correlator.ingest_columns``
   (inside the timed region, each batch of tuples becomes columns: event type and resource
   type from the kind, epoch milliseconds from the offset; the decisions are counted by kind
   with ``DecisionBatch.counts()``), and ``Correlator.ingest_batch`` (each tuple becomes an
   event dict with an aware ``datetime``; each ``Decision`` is counted). Target: >= 3x.
4. Binding overhead of a pure call: ``fd.map_severity_to_priority("Major")``. Target: <= 1 us.

Prints raw figures and ratios (measure on a quiet machine; the ratios are what compare).
Build the wheel with ``--release`` first: ``scripts/bench-python.sh`` does all of it.

Usage: python benches/peers/python_bench.py [--tickets 300] [--storm 200000] [--batch 1000]
       [--pg URL] [--correlator-only]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import faultdesk as fd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sqlalchemy_seed000 import PRIORITY, Alarm, Base, sa_create_ticket_from_alarm, sa_ingest  # noqa: E402

#: The pure-Python engine and its storm generator (an untyped script, used as is).
baseline: Any = importlib.import_module("correlator_baseline")


def rate(n: int, secs: float) -> float:
    return n / secs if secs > 0 else float("inf")


def timed(f: Callable[[], object]) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def line(what: str, ours: float, theirs: float, peer: str, target: float) -> None:
    ratio = ours / theirs
    verdict = "met" if ratio >= target else "NOT MET"
    print(
        f"{what:26s} faultdesk {ours:11.0f}/s   {peer} {theirs:11.0f}/s   "
        f"ratio {ratio:6.2f}x  (target >= {target:g}x: {verdict})"
    )


def storm_events(tenant: str, n: int, resources: int, t0: datetime) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": tenant,
            "event_type": "device.down",
            "source": "network_device",
            "severity": "major",
            "resource_type": "olt",
            "resource_id": f"olt-{i % resources}",
            "title": f"OLT {i % resources} down",
            "occurred_at": t0 + timedelta(milliseconds=i),
        }
        for i in range(n)
    ]


def bench_backend(label: str, fd_url: str, sa_url: str, n: int) -> None:
    print(f"\n== {label} ==")
    engine = create_engine(sa_url)
    Base.metadata.create_all(engine)
    desk = fd.Desk.open(fd_url)
    user = str(uuid.uuid4())
    now = datetime.now(timezone.utc)

    # 1. create_ticket_from_alarm: n alarms each, created beforehand (not timed).
    tenant = f"bench-{uuid.uuid4()}"
    actor = fd.Actor(tenant, user, roles=["ADMIN"])
    events = storm_events(tenant, n, n, now - timedelta(minutes=5))
    alarm_ids = desk.ingest_batch(actor, events).alarm_ids
    with Session(engine) as s:
        sa_ingest(s, tenant, events)
        sa_ids = list(s.execute(select(Alarm.id).where(Alarm.tenant_id == tenant)).scalars())
    assert len(alarm_ids) == len(sa_ids) == n

    def fd_tickets() -> None:
        for a in alarm_ids:
            desk.create_ticket_from_alarm(actor, a, additional_notes="bench")

    def sa_tickets() -> None:
        with Session(engine) as s:
            for a in sa_ids:
                sa_create_ticket_from_alarm(s, tenant, user, a, "bench")

    line("create_ticket_from_alarm", rate(n, timed(fd_tickets)), rate(n, timed(sa_tickets)), "SQLAlchemy", 5)

    # 2. de-duplicating ingest: 10 n events over n resources, batches of 500.
    tenant2 = f"bench-{uuid.uuid4()}"
    actor2 = fd.Actor(tenant2, user, roles=["ADMIN"])
    storm = storm_events(tenant2, 10 * n, n, now - timedelta(minutes=4))
    batches = [storm[i : i + 500] for i in range(0, len(storm), 500)]

    def fd_ingest() -> None:
        for b in batches:
            desk.ingest_batch(actor2, b)

    def sa_ingest_all() -> None:
        with Session(engine) as s:
            for b in batches:
                sa_ingest(s, tenant2, b)

    line("dedup ingest_batch", rate(len(storm), timed(fd_ingest)), rate(len(storm), timed(sa_ingest_all)), "SQLAlchemy", 10)
    assert desk.list_alarms(actor2).total == n
    desk.close()
    engine.dispose()


T0 = datetime(2026, 1, 14, tzinfo=timezone.utc)
T0_MS = int(T0.timestamp()) * 1000
RULE: dict[str, Any] = {
    "name": "OLT to ONT Correlation",
    "type": "correlation",
    "conditions": {
        "parent": {"alarm_type": "device.down", "resource_type": "olt"},
        "child": {"alarm_type": "signal.loss", "resource_type": "ont"},
    },
    "actions": {"mark_parent_as_root_cause": True, "suppress_child_alarms": True, "create_correlation_id": True},
    "time_window": 300,
}


def storm_correlator() -> fd.Correlator:
    """fault-core's correlator set up like the baseline engine: the rule and the topology."""
    c = fd.Correlator({"rules": [RULE]})
    edges = [(f"olt-{s % baseline.N_OLT}", f"sp-{s}") for s in range(baseline.N_SP)]
    edges += [(f"sp-{o % baseline.N_SP}", f"ont-{o}") for o in range(baseline.N_ONT)]
    c.add_topology_edges("t1", edges)
    return c


def bench_correlator(n: int, batch: int) -> None:
    print(f"\n== pure engines (mixed storm, {n} events) ==")
    # The events as the baseline engine takes them: (kind, resource id, alarm type, ms). (Fed
    # the generator's raw integer tuples instead, the baseline never matched the OLT -> ONT
    # rule nor walked the topology: its string checks and parent lookups all missed.)
    storm: list[tuple[int, str, str | None, int]] = baseline.build_events(baseline.generate(n))

    # --- faultdesk, columns: each batch of tuples becomes columns, one ingest_columns call.
    event_types = ("device.down", "device.up", "cpe.signal_loss")  # by kind (0 raise, 1 clear, 2 ONT)
    resource_types = ("olt", "olt", "ont")
    kind_of, rid_of, type_of, ms_of = (itemgetter(j) for j in range(4))
    cc = storm_correlator()
    col_counts: dict[str, int] = {}
    col_rejected = 0

    def columns_run() -> None:
        nonlocal col_rejected
        for i in range(0, len(storm), batch):
            chunk = storm[i : i + batch]
            kinds = list(map(kind_of, chunk))
            now = T0 + timedelta(milliseconds=chunk[-1][3])
            decisions, errors = cc.ingest_columns(
                tenant_id="t1",
                event_type=[event_types[k] for k in kinds],
                resource_type=[resource_types[k] for k in kinds],
                resource_id=list(map(rid_of, chunk)),
                alarm_type=list(map(type_of, chunk)),
                occurred_at_ms=[T0_MS + ms for ms in map(ms_of, chunk)],
                now=now,
            )
            col_rejected += len(errors)
            for k, v in decisions.counts().items():
                col_counts[k] = col_counts.get(k, 0) + v
            for d in cc.tick(now):
                col_counts[d.kind] = col_counts.get(d.kind, 0) + 1

    # --- faultdesk, dicts: each tuple becomes an event dict with an aware datetime.
    def to_event(ev: tuple[int, str, str | None, int]) -> dict[str, Any]:
        kind, rid, alarm_type, ms = ev
        at = T0 + timedelta(milliseconds=ms)
        if kind == 2:
            return {
                "tenant_id": "t1", "event_type": "cpe.signal_loss", "alarm_type": alarm_type,
                "resource_type": "ont", "resource_id": rid, "title": f"{rid} {alarm_type}",
                "occurred_at": at,
            }
        return {
            "tenant_id": "t1", "event_type": "device.up" if kind == 1 else "device.down",
            "resource_type": "olt", "resource_id": rid, "occurred_at": at,
        }

    c = storm_correlator()
    counts: dict[str, int] = {}
    rejected = 0

    def dicts_run() -> None:
        nonlocal rejected
        for i in range(0, len(storm), batch):
            chunk = storm[i : i + batch]
            now = T0 + timedelta(milliseconds=chunk[-1][3])
            decisions, errors = c.ingest_batch([to_event(e) for e in chunk], now=now)
            decisions += c.tick(now)
            rejected += len(errors)
            for d in decisions:
                k = d.kind
                counts[k] = counts.get(k, 0) + 1

    engine = baseline.Engine()

    def python_run() -> None:
        for ev in storm:
            engine.ingest(ev)

    ours_columns = rate(n, timed(columns_run))
    ours_dicts = rate(n, timed(dicts_run))
    theirs = rate(n, timed(python_run))
    line(f"ingest_columns (batch {batch})", ours_columns, theirs, "pure Python", 3)
    line(f"ingest_batch (batch {batch})", ours_dicts, theirs, "pure Python", 3)

    def show(counted: dict[str, int]) -> str:
        return " ".join(f"{k}={v}" for k, v in sorted(counted.items()))

    print(f"  faultdesk decisions (columns): {show(col_counts)} rejected={col_rejected}")
    print(f"  faultdesk decisions (dicts):   {show(counts)} rejected={rejected}")
    print(f"  pure-Python decisions:         {show(engine.decisions)}")
    for what, got, bad in (("columns", col_counts, col_rejected), ("dicts", counts, rejected)):
        if got != engine.decisions or bad:
            print(f"  WARNING: the {what} run's decisions differ from the pure-Python engine's")


def bench_pure_call(reps: int) -> None:
    f = fd.map_severity_to_priority
    empty = timed(lambda: [None for _ in range(reps)])
    call = timed(lambda: [f("Major") for _ in range(reps)])

    def py_map(severity: str) -> str:
        return PRIORITY[severity.lower()]

    py = timed(lambda: [py_map("Major") for _ in range(reps)])

    def per(secs: float) -> float:
        return secs / reps * 1e9

    print(
        f"pure call overhead         fd.map_severity_to_priority {per(call):5.0f} ns/call "
        f"({per(call - empty):5.0f} ns without the loop; a pure-Python function {per(py):4.0f} ns) "
        f"(target <= 1000 ns: {'met' if per(call) <= 1000 else 'NOT MET'})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tickets", type=int, default=300, help="alarms -> tickets per backend (the ingest storm is 10x)")
    ap.add_argument("--storm", type=int, default=200_000, help="events of the correlator storm")
    ap.add_argument("--batch", type=int, default=1000, help="events per Correlator ingest_columns / ingest_batch call")
    ap.add_argument("--pg", default=os.environ.get("FAULTDESK_TEST_PG_URL"), help="PostgreSQL URL (postgres://...)")
    ap.add_argument("--correlator-only", action="store_true", help="only the Correlator vs pure-Python part")
    args = ap.parse_args()
    print(f"faultdesk {fd.__version__}, Python {sys.version.split()[0]}, load average {os.getloadavg()}")
    if args.correlator_only:
        bench_correlator(args.storm, args.batch)
        print(f"load average after: {os.getloadavg()}")
        return
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "seed000.db")
        bench_backend("SQLite (same file)", f"sqlite://{path}", f"sqlite:///{path}", args.tickets)
    if args.pg:
        sa = args.pg.replace("postgres://", "postgresql+psycopg://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
        bench_backend("PostgreSQL (same database)", args.pg, sa, args.tickets)
    bench_correlator(args.storm, args.batch)
    bench_pure_call(1_000_000)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
