"""Alarm use-cases and seed 000's create_ticket_from_alarm through the binding."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import faultdesk as fd


def event(rid: str = "olt-7", **kw: Any) -> dict[str, Any]:
    e: dict[str, Any] = {
        "event_type": "device.down",
        "source": "network_device",
        "resource_type": "olt",
        "resource_id": rid,
        "title": f"OLT {rid} down",
        "occurred_at": datetime.now(timezone.utc),
    }
    e.update(kw)
    return e


def test_ingest_dedup_and_get(desk: fd.Desk, admin: fd.Actor) -> None:
    first = desk.ingest(admin, event())
    assert isinstance(first, fd.IngestOutcome)
    assert first.created == 1 and isinstance(first.alarm_ids[0], uuid.UUID)
    again = desk.ingest(admin, event())
    assert again.alarm_ids == first.alarm_ids
    alarm = desk.get_alarm(admin, first.alarm_ids[0])
    assert isinstance(alarm, fd.Alarm)
    assert alarm.occurrence_count == 2
    assert alarm.first_occurrence.tzinfo is not None
    assert alarm.ticket_id is None
    assert desk.get_alarm(admin, str(alarm.id)) == alarm


def test_ingest_batch_all_or_nothing(desk: fd.Desk, admin: fd.Actor) -> None:
    out = desk.ingest_batch(admin, [event("a"), event("b"), event("a")])
    assert out.events == 3 and out.created == 2
    with pytest.raises(fd.ValidationError):
        desk.ingest_batch(admin, [event("c"), event("d", occurred_at=datetime(2026, 1, 1))])
    with pytest.raises(fd.ValidationError):
        desk.ingest_batch(admin, [event("c"), event("d", tenant_id="someone-else")])
    assert desk.list_alarms(admin).total == 2


def test_create_ticket_from_alarm_seed_000(desk: fd.Desk, admin: fd.Actor) -> None:
    alarm_id = desk.ingest(admin, event(severity="major")).alarm_ids[0]
    op = fd.Actor(admin.tenant_id, uuid.uuid4(), permissions=["faults.alarms.write"])
    res = desk.create_ticket_from_alarm(op, alarm_id, additional_notes="VIP", assign_to_user_id=uuid.uuid4())
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
    assert ticket.priority == "high"  # Major -> high
    assert ticket.subject.startswith("[ALARM] ")
    assert ticket.metadata["created_from_alarm"] is True
    assert desk.get_alarm(admin, alarm_id).ticket_id == res.ticket_id
    with pytest.raises(fd.ConflictError) as e:
        desk.create_ticket_from_alarm(op, alarm_id)
    assert str(e.value) == (
        f"Alarm {alarm_id} already has ticket {res.ticket_id}. Please update the existing ticket instead."
    )


def test_alarm_actions_notes_and_queries(desk: fd.Desk, admin: fd.Actor) -> None:
    a = desk.ingest(admin, event("x", severity="critical")).alarm_ids[0]
    desk.ingest(admin, event("y", severity="minor"))
    acked = desk.acknowledge_alarm(admin, a)
    assert acked.acknowledged_at is not None and acked.acknowledged_by == admin.user_id
    assert desk.assign_alarm(admin, a, "eng-1").assigned_to == "eng-1"
    note = desk.add_alarm_note(admin, a, "checked the splice")
    assert isinstance(note, fd.AlarmNote) and note.content == "checked the splice"
    assert [n.id for n in desk.list_alarm_notes(admin, a)] == [note.id]
    cleared = desk.clear_alarm(admin, a)
    assert cleared.cleared_at is not None and cleared.status == "cleared"
    # A cleared alarm's severity is "cleared"; the severity it had while raised is kept.
    assert (cleared.severity, cleared.raised_severity) == ("cleared", "critical")
    assert desk.list_alarms(admin, severity="cleared").total == 1
    assert desk.list_alarms(admin, severity="minor").total == 1
    assert desk.list_alarms(admin, severity=["cleared", "minor"], page_size=1).total == 2
    stats = desk.alarm_stats(admin)
    assert isinstance(stats, fd.AlarmStats) and stats.total == 2
    assert desk.alarm_children(admin, a) == []
    assert isinstance(desk.check_unacknowledged(admin), list)
    with pytest.raises(fd.ValidationError):
        desk.list_alarms(admin, severity="apocalyptic")


def test_rules_topology_maintenance(desk: fd.Desk, admin: fd.Actor) -> None:
    assert desk.add_topology_edges(admin, [{"parent": "olt-1", "child": "ont-1"}]) == 1
    assert desk.remove_topology_edges(admin, [{"parent": "olt-1", "child": "ont-1"}]) == 1
    assert desk.list_rules(admin) == []
    now = datetime.now(timezone.utc)
    w = desk.create_maintenance_window(
        admin,
        title="Splicing",
        start=now + timedelta(hours=1),
        end=now + timedelta(hours=2),
        scope={"resources": ["olt-1"]},
    )
    assert isinstance(w, fd.MaintenanceWindow) and w.start.tzinfo is not None
    assert [x.id for x in desk.list_maintenance_windows(admin)] == [w.id]
    desk.cancel_maintenance_window(admin, w.id)


def test_alarm_not_found_text(desk: fd.Desk, admin: fd.Actor) -> None:
    missing = uuid.uuid4()
    with pytest.raises(fd.NotFoundError) as e:
        desk.get_alarm(admin, missing)
    assert str(e.value) == f"Alarm {missing} not found"
