"""Type conversions at the boundary: ids, instants, enums, containers, records."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import alarm_event

import faultdesk as fd


class Prio(str, enum.Enum):
    HIGH = "high"


class Kind(enum.Enum):
    OUTAGE = "outage"


def test_ids_accept_uuid_or_str(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="ids")
    assert desk.get_ticket(admin, t.id) == desk.get_ticket(admin, str(t.id))
    assert desk.get_ticket(admin, str(t.id).upper()) == t
    assert desk.get_ticket(admin, f"  {t.id} ") == t
    tenant_uuid = uuid.uuid4()
    actor = fd.Actor(tenant_uuid, uuid.uuid4(), roles=["ADMIN"])
    mine = desk.create_ticket(actor, subject="uuid tenant")
    assert mine.tenant_id == str(tenant_uuid)
    assert desk.get_ticket(fd.Actor(str(tenant_uuid), "someone", roles=["ADMIN"]), mine.id) == mine


def test_aware_datetimes_in_any_zone_round_trip(desk: fd.Desk, admin: fd.Actor) -> None:
    plus2 = timezone(timedelta(hours=2))
    due = datetime(2030, 6, 1, 12, 30, 15, 123456, tzinfo=plus2)
    t = desk.create_ticket(admin, subject="tz", due_at=due)
    assert t.due_at == due  # same instant
    assert t.due_at is not None and t.due_at.utcoffset() == timedelta(0)  # returned in UTC
    assert t.due_at.microsecond == 123456


def test_naive_datetimes_are_rejected_everywhere(desk: fd.Desk, admin: fd.Actor) -> None:
    naive = datetime(2030, 1, 1, 12, 0)
    calls = [
        lambda: desk.create_ticket(admin, subject="x", due_at=naive),
        lambda: desk.ingest(admin, alarm_event(occurred_at=naive)),
        lambda: desk.list_tickets(admin, created_to=naive),
        lambda: desk.list_alarms(admin, from_=naive),
        lambda: desk.create_maintenance_window(
            admin, title="w", start=naive, end=naive + timedelta(hours=1), scope={"resources": ["x"]}
        ),
        lambda: desk.run_due(naive),
        lambda: fd.Correlator().ingest(alarm_event(tenant_id="t"), now=naive),
        lambda: fd.BusinessCalendar.always().is_working(naive),
        lambda: fd.Desk.open("sqlite::memory:", fd.Config(not_used=naive)),
    ]
    for call in calls:
        with pytest.raises(fd.ValidationError, match="naive datetime|timezone-aware"):
            call()
    assert desk.list_tickets(admin).total == 0 and desk.list_alarms(admin).total == 0


def test_enums_tuples_mappings_and_dates(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(
        admin,
        OrderedDict(subject="enum"),
        priority=Prio.HIGH,
        ticket_type=Kind.OUTAGE,  # type: ignore[arg-type]
        metadata={"when": date(2026, 1, 2), "id": uuid.UUID(int=1), "amount": Decimal("12.50"), "t": (1, 2)},
    )
    assert (t.priority, t.ticket_type) == ("high", "outage")
    assert t.metadata == {
        "when": "2026-01-02",
        "id": "00000000-0000-0000-0000-000000000001",
        "amount": "12.50",
        "t": [1, 2],
    }


def test_unsupported_values_are_validation_errors(desk: fd.Desk, admin: fd.Actor) -> None:
    for bad in (object(), b"bytes", float("nan"), 10**30):
        with pytest.raises(fd.ValidationError):
            desk.create_ticket(admin, subject="x", metadata={"v": bad})
    with pytest.raises(fd.ValidationError, match="dict keys must be strings"):
        desk.create_ticket(admin, subject="x", metadata={(1, 2): "v"})
    assert desk.list_tickets(admin).total == 0


def test_records_are_frozen_typed_and_comparable(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="rec")
    assert dataclasses.is_dataclass(t)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.subject = "changed"  # type: ignore[misc]
    again = desk.get_ticket(admin, t.id)
    assert again == t and again is not t
    d = t.to_dict()
    assert isinstance(d["id"], uuid.UUID) and isinstance(d["created_at"], datetime)
    assert fd.Ticket(**d) == t
    assert "subject='rec'" in repr(t)
    page = desk.list_tickets(admin)
    assert page.to_dict()["items"] == [d]


def test_event_dicts_accept_records_with_to_dict() -> None:
    @dataclasses.dataclass
    class MyEvent:
        resource_id: str

        def to_dict(self) -> dict[str, object]:
            return alarm_event(self.resource_id, tenant_id="t1")

    ds = fd.Correlator().ingest(MyEvent("olt-1"))  # type: ignore[arg-type]
    assert ds[0].kind == "created"


def test_unset_sentinel() -> None:
    assert repr(fd.UNSET) == "UNSET" and fd.UNSET is fd.Unset.UNSET
