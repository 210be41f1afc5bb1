#!/usr/bin/env python3
"""Seed 000 side by side: idiomatic SQLAlchemy 2.0 (the seeds' own stack) vs faultdesk.

Runs in one process and prints throughput and ratios for:

1. ``create_ticket_from_alarm`` — load the alarm (locked), check it has no ticket, allocate
   the per-tenant/year ticket number, insert the ticket (seed 000 subject/body/metadata),
   link the alarm, append an audit row, commit. Target: faultdesk >= 5x.
2. De-duplicating ingest — a storm of events over fewer resources; SQLAlchemy selects the
   active alarm by reduction key and updates it or inserts one; faultdesk ``ingest_batch``.
   Target: >= 10x.
3. ``fd.Correlator`` fed from Python in batches vs a straightforward pure-Python dict engine
   on the same storm, conversion included. Target: >= 3x.
4. Binding overhead of a pure call (``fd.map_severity_to_priority``). Target: <= 1 us.

Both stacks use the same SQLite file (SQLAlchemy's tables are prefixed ``sa_``) and, with
``--pg URL`` or ``FAULTDESK_TEST_PG_URL``, the same PostgreSQL database.

Usage: python benches/peers/sqlalchemy_seed000.py [--n 500] [--pg postgres://...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, UniqueConstraint, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import faultdesk as fd


class Base(DeclarativeBase):
    pass


class Alarm(Base):
    __tablename__ = "sa_alarms"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(255), index=True)
    reduction_key: Mapped[str] = mapped_column(String(512), index=True)
    external_alarm_id: Mapped[str | None] = mapped_column(String(255))
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    source: Mapped[str] = mapped_column(String(50))
    alarm_type: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    resource_type: Mapped[str | None] = mapped_column(String(50))
    resource_id: Mapped[str | None] = mapped_column(String(255))
    first_occurrence: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_occurrence: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    occurrence_count: Mapped[int] = mapped_column(Integer, default=1)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)


class TicketCounter(Base):
    __tablename__ = "sa_ticket_counters"
    tenant_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "sa_tickets"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[str] = mapped_column(String(255), index=True)
    number: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    ticket_type: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default="NEW")
    assignee_id: Mapped[str | None] = mapped_column(String(255))
    reporter_id: Mapped[str] = mapped_column(String(255))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class TicketEvent(Base):
    __tablename__ = "sa_ticket_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(String(50))
    actor_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


PRIORITY = {"critical": "critical", "major": "high", "minor": "normal", "warning": "low", "info": "low"}


class TicketAlreadyExists(Exception):
    pass


def sa_create_ticket_from_alarm(session: Session, tenant: str, user: str, alarm_id: uuid.UUID, notes: str | None) -> dict[str, Any]:
    """DotMac's AlarmService.create_ticket_from_alarm, written the idiomatic SQLAlchemy way."""
    with session.begin():
        alarm = session.execute(
            select(Alarm).where(Alarm.id == alarm_id, Alarm.tenant_id == tenant).with_for_update()
        ).scalar_one_or_none()
        if alarm is None:
            raise LookupError(f"Alarm {alarm_id} not found")
        if alarm.ticket_id is not None:
            raise TicketAlreadyExists(
                f"Alarm {alarm_id} already has ticket {alarm.ticket_id}. Please update the existing ticket instead."
            )
        now = datetime.now(timezone.utc)
        counter = session.execute(
            select(TicketCounter).where(TicketCounter.tenant_id == tenant, TicketCounter.year == now.year).with_for_update()
        ).scalar_one_or_none()
        if counter is None:
            counter = TicketCounter(tenant_id=tenant, year=now.year, last=0)
            session.add(counter)
        counter.last += 1
        number = f"TKT-{now.year}-{counter.last:06d}"
        body = "\n".join(
            [
                "## Alarm Details",
                f"- **Alarm ID:** {alarm.id}",
                f"- **Severity:** {alarm.severity}",
                f"- **Source:** {alarm.source}",
                f"- **Type:** {alarm.alarm_type}",
                f"- **Status:** {alarm.status}",
                "",
                "## Description",
                alarm.description or "",
                "",
                "## Affected Resource",
                f"- **Type:** {alarm.resource_type}",
                f"- **ID:** {alarm.resource_id}",
                "",
                "## Additional Notes",
                notes or "",
                "",
                "## Timing",
                f"- **First Occurrence:** {alarm.first_occurrence}",
                f"- **Last Occurrence:** {alarm.last_occurrence}",
                f"- **Occurrence Count:** {alarm.occurrence_count}",
            ]
        )
        t = alarm.alarm_type.lower()
        ticket = Ticket(
            id=uuid.uuid4(),
            tenant_id=tenant,
            number=number,
            subject=f"[ALARM] {alarm.title}"[:255],
            description=body,
            ticket_type="outage" if "outage" in t else "maintenance" if "maintenance" in t else "fault",
            priority=PRIORITY.get(alarm.severity, "normal"),
            reporter_id=user,
            metadata_={
                "alarm_id": str(alarm.id),
                "external_alarm_id": alarm.external_alarm_id,
                "alarm_severity": alarm.severity,
                "alarm_source": alarm.source,
                "alarm_type": alarm.alarm_type,
                "resource_type": alarm.resource_type,
                "resource_id": alarm.resource_id,
                "created_from_alarm": True,
            },
            created_at=now,
        )
        session.add(ticket)
        session.flush()
        alarm.ticket_id = ticket.id
        session.add(TicketEvent(ticket_id=ticket.id, event_type="CREATED", actor_id=user, payload={"number": number}, at=now))
    return {
        "alarm_id": alarm_id,
        "ticket_id": ticket.id,
        "ticket_number": number,
        "message": f"Ticket {number} created successfully from alarm",
    }


def sa_ingest(session: Session, tenant: str, events: list[dict[str, Any]]) -> None:
    """Select the active alarm by reduction key, update it or insert one (one transaction)."""
    with session.begin():
        for e in events:
            key = f"{tenant}:{e['event_type']}:{e['resource_type']}:{e['resource_id']}"
            alarm = session.execute(
                select(Alarm).where(Alarm.tenant_id == tenant, Alarm.reduction_key == key, Alarm.status == "active")
            ).scalar_one_or_none()
            if alarm is None:
                session.add(
                    Alarm(
                        tenant_id=tenant,
                        reduction_key=key,
                        severity=e.get("severity", "major"),
                        source=e["source"],
                        alarm_type=e["event_type"],
                        title=e["title"],
                        resource_type=e["resource_type"],
                        resource_id=e["resource_id"],
                        first_occurrence=e["occurred_at"],
                        last_occurrence=e["occurred_at"],
                        occurrence_count=1,
                    )
                )
                session.flush()
            else:
                alarm.occurrence_count += 1
                alarm.last_occurrence = e["occurred_at"]


def py_dict_engine(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A straightforward pure-Python correlator core: dedup by reduction key."""
    active: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for e in events:
        key = f"{e['tenant_id']}:{e['event_type']}:{e['resource_type']}:{e['resource_id']}"
        a = active.get(key)
        if a is None:
            a = {"id": uuid.uuid4(), "count": 1, "first": e["occurred_at"], "last": e["occurred_at"], "severity": e.get("severity", "major")}
            active[key] = a
            out.append({"decision": "created", "alarm_id": a["id"], "reduction_key": key})
        else:
            a["count"] += 1
            a["last"] = e["occurred_at"]
            out.append({"decision": "deduplicated", "alarm_id": a["id"], "occurrence_count": a["count"]})
    return out


def storm(tenant: str, n: int, resources: int, t0: datetime) -> list[dict[str, Any]]:
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


def rate(n: int, secs: float) -> float:
    return n / secs if secs > 0 else float("inf")


def run_backend(label: str, fd_url: str, sa_url: str, n: int) -> None:
    print(f"\n== {label} ==")
    engine = create_engine(sa_url)
    Base.metadata.create_all(engine)
    desk = fd.Desk.open(fd_url)
    tenant = f"bench-{uuid.uuid4()}"
    user = str(uuid.uuid4())
    actor = fd.Actor(tenant, user, roles=["ADMIN"])
    now = datetime.now(timezone.utc)

    # --- create_ticket_from_alarm ---
    ev = storm(tenant, n, n, now - timedelta(minutes=5))
    alarm_ids = desk.ingest_batch(actor, ev).alarm_ids
    with Session(engine) as s:
        sa_ingest(s, tenant, ev)
        sa_ids = list(s.execute(select(Alarm.id).where(Alarm.tenant_id == tenant)).scalars())
    t = time.perf_counter()
    for a in alarm_ids:
        desk.create_ticket_from_alarm(actor, a, additional_notes="bench")
    fd_secs = time.perf_counter() - t
    t = time.perf_counter()
    with Session(engine) as s:
        for a in sa_ids:
            sa_create_ticket_from_alarm(s, tenant, user, a, "bench")
    sa_secs = time.perf_counter() - t
    f, q = rate(n, fd_secs), rate(n, sa_secs)
    print(f"create_ticket_from_alarm: faultdesk {f:10.0f}/s   SQLAlchemy {q:10.0f}/s   ratio {f / q:5.2f}x (target >= 5x)")

    # --- de-duplicating ingest (storm over 10% as many resources) ---
    tenant2 = f"bench-{uuid.uuid4()}"
    actor2 = fd.Actor(tenant2, user, roles=["ADMIN"])
    big = storm(tenant2, n * 10, max(1, n), now - timedelta(minutes=4))
    t = time.perf_counter()
    for i in range(0, len(big), 500):
        desk.ingest_batch(actor2, big[i : i + 500])
    fd_secs = time.perf_counter() - t
    t = time.perf_counter()
    with Session(engine) as s:
        for i in range(0, len(big), 500):
            sa_ingest(s, tenant2, big[i : i + 500])
    sa_secs = time.perf_counter() - t
    f, q = rate(len(big), fd_secs), rate(len(big), sa_secs)
    print(f"dedup ingest_batch:       faultdesk {f:10.0f}/s   SQLAlchemy {q:10.0f}/s   ratio {f / q:5.2f}x (target >= 10x)")
    desk.close()
    engine.dispose()


def run_pure(n: int) -> None:
    print("\n== pure engines ==")
    now = datetime.now(timezone.utc)
    events = storm("acme", n, max(1, n // 10), now - timedelta(minutes=3))
    c = fd.Correlator()
    t = time.perf_counter()
    for i in range(0, len(events), 1000):
        c.ingest_batch(events[i : i + 1000], now=now)
    fd_secs = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, len(events), 1000):
        py_dict_engine(events[i : i + 1000])
    py_secs = time.perf_counter() - t
    f, q = rate(n, fd_secs), rate(n, py_secs)
    print(f"Correlator batches:       faultdesk {f:10.0f}/s   pure Python {q:10.0f}/s   ratio {f / q:5.2f}x (target >= 3x)")
    reps = 200_000
    t = time.perf_counter()
    for _ in range(reps):
        fd.map_severity_to_priority("Major")
    call = (time.perf_counter() - t) / reps
    t = time.perf_counter()
    for _ in range(reps):
        PRIORITY.get("major")
    base = (time.perf_counter() - t) / reps
    print(f"pure call overhead:       map_severity_to_priority {call * 1e9:6.0f} ns/call (dict.get baseline {base * 1e9:4.0f} ns; target <= 1000 ns)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="alarms per run (ingest storm is 10x)")
    ap.add_argument("--pg", default=os.environ.get("FAULTDESK_TEST_PG_URL"), help="PostgreSQL URL (postgres://...)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "seed000.db")
        run_backend("SQLite (same file)", f"sqlite://{path}", f"sqlite:///{path}", args.n)
    if args.pg:
        sa = args.pg.replace("postgres://", "postgresql+psycopg://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
        run_backend("PostgreSQL (same database)", args.pg, sa, args.n)
    run_pure(args.n * 100)


if __name__ == "__main__":
    main()
