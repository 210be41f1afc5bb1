"""Seed 000: "create ticket from alarm" through the binding — content, mappings, exact texts."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import alarm_event as event
from conftest import config

import faultdesk as fd


def test_create_ticket_from_alarm(desk: fd.Desk, admin: fd.Actor, operator: fd.Actor) -> None:
    alarm_id = desk.ingest(
        admin,
        event(
            "router-001", event_type="port_down", severity="major", resource_type="device",
            external_alarm_id="ALM-7", title="Port down on router-001", subscriber_count=42,
            description="Port ge-0/0/1 went down", probable_cause="fibre cut",
        ),
    ).alarm_ids[0]
    assignee = uuid.uuid4()
    res = desk.create_ticket_from_alarm(operator, alarm_id, additional_notes="VIP customer", assign_to_user_id=assignee)
    assert isinstance(res, fd.TicketFromAlarm)
    assert res.alarm_id == alarm_id and isinstance(res.ticket_id, uuid.UUID)
    assert res.message == f"Ticket {res.ticket_number} created successfully from alarm"
    assert res.to_dict() == {
        "alarm_id": alarm_id,
        "ticket_id": res.ticket_id,
        "ticket_number": res.ticket_number,
        "message": res.message,
    }
    ticket = desk.get_ticket(admin, res.ticket_id)
    assert ticket.number == res.ticket_number
    assert ticket.priority == "high"  # Major -> High
    assert ticket.ticket_type == "fault"  # neither "outage" nor "maintenance" in the alarm type
    assert ticket.subject == "[ALARM] Port down on router-001"
    assert ticket.assignee_id == str(assignee)
    for text in ("Port ge-0/0/1 went down", "fibre cut", "VIP customer", "42"):
        assert text in ticket.description
    assert ticket.metadata == {
        "alarm_id": str(alarm_id),
        "external_alarm_id": "ALM-7",
        "alarm_severity": "major",
        "alarm_source": "network_device",
        "alarm_type": "port_down",
        "resource_type": "device",
        "resource_id": "router-001",
        "created_from_alarm": True,
        "affected_subscribers": 42,
    }
    assert desk.get_alarm(admin, alarm_id).ticket_id == res.ticket_id
    with pytest.raises(fd.ConflictError) as e:
        desk.create_ticket_from_alarm(operator, alarm_id)
    assert str(e.value) == (
        f"Alarm {alarm_id} already has ticket {res.ticket_id}. Please update the existing ticket instead."
    )
    assert e.value.code == "CONFLICT"


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("critical", "critical"), ("major", "high"), ("minor", "normal"), ("warning", "low"), ("info", "low")],
)
def test_priority_mapping(desk: fd.Desk, admin: fd.Actor, severity: str, priority: str) -> None:
    a = desk.ingest(admin, event(f"r-{severity}", severity=severity)).alarm_ids[0]
    res = desk.create_ticket_from_alarm(admin, a)
    assert desk.get_ticket(admin, res.ticket_id).priority == priority


def test_explicit_priority_and_type_mapping(desk: fd.Desk, admin: fd.Actor) -> None:
    a = desk.ingest(admin, event("r-1", event_type="service.outage", severity="minor")).alarm_ids[0]
    res = desk.create_ticket_from_alarm(admin, a, priority="critical")
    t = desk.get_ticket(admin, res.ticket_id)
    assert (t.priority, t.ticket_type) == ("critical", "outage")
    assert t.metadata["external_alarm_id"] is None


def test_cleared_alarm_keeps_its_raised_severity(desk: fd.Desk, admin: fd.Actor) -> None:
    a = desk.ingest(admin, event("r-2", severity="major")).alarm_ids[0]
    desk.clear_alarm(admin, a)
    res = desk.create_ticket_from_alarm(admin, a)
    assert desk.get_ticket(admin, res.ticket_id).priority == "high"


def test_errors_change_nothing(desk: fd.Desk, admin: fd.Actor, nobody: fd.Actor) -> None:
    a = desk.ingest(admin, event()).alarm_ids[0]
    with pytest.raises(fd.PermissionDeniedError) as denied:
        desk.create_ticket_from_alarm(nobody, a, priority="high")
    assert str(denied.value) == "Permission denied. Required permission: faults.alarms.write"
    with pytest.raises(fd.ValidationError):
        desk.create_ticket_from_alarm(admin, a, priority="urgent-ish")
    missing = uuid.uuid4()
    with pytest.raises(fd.NotFoundError) as nf:
        desk.create_ticket_from_alarm(admin, missing)
    assert str(nf.value) == f"Alarm {missing} not found"
    assert desk.get_alarm(admin, a).ticket_id is None
    assert desk.list_tickets(admin).total == 0


def test_concurrent_calls_create_exactly_one_ticket(desk: fd.Desk, admin: fd.Actor) -> None:
    a = desk.ingest(admin, event("race")).alarm_ids[0]

    def attempt(_: int) -> str:
        try:
            return desk.create_ticket_from_alarm(admin, a).ticket_number
        except fd.ConflictError:
            return "conflict"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert results.count("conflict") == 7
    assert desk.list_tickets(admin).total == 1


def test_async_concurrent_calls_create_exactly_one_ticket(desk_url: str, admin: fd.Actor, tmp_path: Path) -> None:
    async def main() -> list[object]:
        async with await fd.AsyncDesk.open(desk_url, config(tmp_path)) as d:
            a = (await d.ingest(admin, event("race-async"))).alarm_ids[0]
            results = await asyncio.gather(
                *(d.create_ticket_from_alarm(admin, a) for _ in range(6)), return_exceptions=True
            )
            assert (await d.list_tickets(admin)).total == 1
            return results

    results = asyncio.run(main())
    assert sum(isinstance(r, fd.TicketFromAlarm) for r in results) == 1
    assert sum(isinstance(r, fd.ConflictError) for r in results) == 5
