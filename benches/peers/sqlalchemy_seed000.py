"""Seed 000's flow written idiomatically in SQLAlchemy 2.0 (the seeds' own stack): the peer that
``python_bench.py`` times faultdesk against, on the same SQLite file and PostgreSQL database
(its tables are prefixed ``sa_``).

- ``sa_create_ticket_from_alarm``: DotMac's ``AlarmService.create_ticket_from_alarm`` — load the
  alarm (locked), check it has no ticket, allocate the per-tenant/year ticket number (locked
  counter row), insert the ticket (seed 000 subject/body/metadata), link the alarm, append an
  audit row, commit.
- ``sa_ingest``: a de-duplicating ingest — select the active alarm by reduction key, update it
  or insert one, all events of a batch in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


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
        ticket_id = ticket.id  # read inside the transaction: after commit the object is expired
    return {
        "alarm_id": alarm_id,
        "ticket_id": ticket_id,
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
