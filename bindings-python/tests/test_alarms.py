"""Alarm, rule, topology and maintenance use-cases through the binding."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import SEED_002_RULE
from conftest import alarm_event as event

import faultdesk as fd



def ont_loss(rid: str, at: datetime) -> dict[str, Any]:
    return event(
        rid, event_type="cpe.signal_loss", alarm_type="signal.loss", resource_type="ont", source="cpe",
        title=f"{rid} signal loss", occurred_at=at,
    )


def test_ingest_dedup_and_get(desk: fd.Desk, admin: fd.Actor) -> None:
    first = desk.ingest(admin, event(external_alarm_id="ALM-1", subscriber_count=12))
    assert isinstance(first, fd.IngestOutcome)
    assert (first.events, first.created, first.updated, first.tickets) == (1, 1, 0, [])
    assert isinstance(first.alarm_ids[0], uuid.UUID)
    assert [d.kind for d in first.decisions][0] == "created"
    assert all(isinstance(d, fd.Decision) for d in first.decisions)
    again = desk.ingest(admin, event())
    assert again.alarm_ids == first.alarm_ids and again.created == 0 and again.updated == 1
    assert again.decisions[0].kind == "deduplicated" and again.decisions[0]["occurrence_count"] == 2
    alarm = desk.get_alarm(admin, first.alarm_ids[0])
    assert isinstance(alarm, fd.Alarm)
    assert (alarm.occurrence_count, alarm.severity, alarm.status) == (2, "critical", "active")
    assert (alarm.alarm_type, alarm.event_type, alarm.external_alarm_id) == ("device.down", "device.down", "ALM-1")
    assert alarm.subscriber_count == 12 and alarm.tenant_id == admin.tenant_id
    assert alarm.first_occurrence.tzinfo is not None and alarm.last_occurrence >= alarm.first_occurrence
    assert alarm.ticket_id is None and alarm.parent_alarm_id is None
    assert desk.get_alarm(admin, str(alarm.id)) == alarm


def test_ingest_batch_all_or_nothing(desk: fd.Desk, admin: fd.Actor) -> None:
    out = desk.ingest_batch(admin, [event("a"), event("b"), event("a")])
    assert out.events == 3 and out.created == 2 and out.alarm_ids[0] == out.alarm_ids[2]
    with pytest.raises(fd.ValidationError, match=r"events\[1\]"):
        desk.ingest_batch(admin, [event("c"), event("d", occurred_at=datetime(2026, 1, 1))])
    with pytest.raises(fd.ValidationError):
        desk.ingest_batch(admin, [event("c"), event("d", tenant_id="someone-else")])
    with pytest.raises(fd.ValidationError):
        desk.ingest_batch(admin, [event("c"), {"title": "no event type"}])
    assert desk.list_alarms(admin).total == 2


def test_event_type_outside_the_mapping_needs_a_severity(desk: fd.Desk, admin: fd.Actor) -> None:
    with pytest.raises(fd.ValidationError):
        desk.ingest(admin, event(event_type="custom.thing"))
    out = desk.ingest(admin, event(event_type="custom.thing", severity="minor"))
    assert desk.get_alarm(admin, out.alarm_ids[0]).severity == "minor"


def test_alarm_actions_notes_and_queries(desk: fd.Desk, admin: fd.Actor) -> None:
    a = desk.ingest(admin, event("x", severity="critical")).alarm_ids[0]
    b = desk.ingest(admin, event("y", severity="minor")).alarm_ids[0]
    acked = desk.acknowledge_alarm(admin, a)
    assert acked.status == "acknowledged" and acked.acknowledged_by == admin.user_id
    assert acked.acknowledged_at is not None and acked.acknowledged_at.tzinfo is not None
    assert desk.assign_alarm(admin, a, "eng-1").assigned_to == "eng-1"
    note = desk.add_alarm_note(admin, a, "checked the splice", note_type="investigation")
    assert isinstance(note, fd.AlarmNote) and (note.content, note.note_type) == ("checked the splice", "investigation")
    assert [n.id for n in desk.list_alarm_notes(admin, a)] == [note.id]
    cleared = desk.clear_alarm(admin, a)
    assert cleared.cleared_at is not None and cleared.status == "cleared"
    # A cleared alarm's severity is "cleared"; the severity it had while raised is kept.
    assert (cleared.severity, cleared.raised_severity) == ("cleared", "critical")
    assert desk.resolve_alarm(admin, b).status == "resolved"
    assert desk.list_alarms(admin, severity="cleared").total == 1
    assert desk.list_alarms(admin, status=["cleared", "resolved"], page_size=1).total == 2
    assert desk.list_alarms(admin, resource_id="y").items[0].id == b
    assert desk.list_alarms(admin, source="network_device", alarm_type="device.down").total == 2
    now = datetime.now(timezone.utc)
    assert desk.list_alarms(admin, from_=now - timedelta(hours=1), to=now + timedelta(hours=1)).total == 2
    assert desk.list_alarms(admin, from_=now + timedelta(hours=1)).total == 0
    stats = desk.alarm_stats(admin)
    assert isinstance(stats, fd.AlarmStats) and stats.total == 2
    assert stats.by_status == {"cleared": 1, "resolved": 1}
    assert stats.mean_time_to_acknowledge_secs is not None
    with pytest.raises(fd.ValidationError):
        desk.list_alarms(admin, severity="apocalyptic")
    with pytest.raises(fd.ValidationError):
        desk.list_alarms(admin, page_size=101)


def test_correlation_children_and_group(desk: fd.Desk, admin: fd.Actor) -> None:
    rule = desk.create_rule(admin, SEED_002_RULE)
    assert isinstance(rule, fd.StoredRule) and rule.rule["name"] == "OLT to ONT Correlation"
    assert desk.add_topology_edges(admin, [{"parent": "olt-1", "child": "ont-1"}, ("olt-1", "ont-2")]) == 2
    t0 = datetime.now(timezone.utc) - timedelta(minutes=2)
    parent = desk.ingest(admin, event("olt-1", occurred_at=t0)).alarm_ids[0]
    out = desk.ingest_batch(admin, [ont_loss("ont-1", t0 + timedelta(seconds=10)), ont_loss("ont-2", t0 + timedelta(seconds=20))])
    kinds = [d.kind for d in out.decisions]
    assert kinds.count("correlated") == 2
    corr = next(d for d in out.decisions if d.kind == "correlated")
    assert corr["parent_id"] == str(parent) and corr.get("no_such_field", 7) == 7
    children = desk.alarm_children(admin, parent)
    assert {c.id for c in children} == set(out.alarm_ids)
    assert all(c.status == "suppressed" and c.parent_alarm_id == parent for c in children)
    p = desk.get_alarm(admin, parent)
    assert p.is_root_cause and p.child_count == 2 and isinstance(p.correlation_id, uuid.UUID)
    group = desk.correlation_group(admin, p.correlation_id)
    assert {a.id for a in group} == {parent, *out.alarm_ids}
    assert desk.list_alarms(admin, root_cause_only=True).items[0].id == parent
    assert desk.list_alarms(admin, correlation_id=p.correlation_id).total == 3


def test_rules_crud(desk: fd.Desk, admin: fd.Actor) -> None:
    assert desk.list_rules(admin) == []
    r = desk.create_rule(admin, SEED_002_RULE)
    changed = dict(SEED_002_RULE, name="renamed", time_window=60)
    import json

    r2 = desk.update_rule(admin, r.id, json.dumps(changed))
    assert r2.id == r.id and r2.rule["name"] == "renamed" and r2.updated_at >= r.updated_at
    assert [x.id for x in desk.list_rules(admin)] == [r.id]
    desk.delete_rule(admin, r.id)
    assert desk.list_rules(admin) == []
    with pytest.raises(fd.ValidationError):
        desk.create_rule(admin, {"name": "x", "type": "correlation", "conditions": {"parent": {"bogus": 1}}})
    with pytest.raises(fd.ValidationError):
        desk.create_rule(admin, "{not json")
    assert desk.list_rules(admin) == []


def test_topology_and_maintenance(desk: fd.Desk, admin: fd.Actor) -> None:
    assert desk.add_topology_edges(admin, [{"parent": "olt-1", "child": "ont-1"}]) == 1
    assert desk.add_topology_edges(admin, [{"parent": "olt-1", "child": "ont-1"}]) == 0
    with pytest.raises(fd.ValidationError):
        desk.add_topology_edges(admin, [("ont-1", "olt-1")])  # a cycle
    assert desk.remove_topology_edges(admin, [("olt-1", "ont-1")]) == 1
    now = datetime.now(timezone.utc)
    w = desk.create_maintenance_window(
        admin, title="Splicing", start=now - timedelta(minutes=1), end=now + timedelta(hours=2),
        scope={"resources": ["olt-9"]}, description="planned",
    )
    assert isinstance(w, fd.MaintenanceWindow) and w.start.tzinfo is not None and w.title == "Splicing"
    assert [x.id for x in desk.list_maintenance_windows(admin)] == [w.id]
    out = desk.ingest(admin, event("olt-9"))
    assert "suppressed" in [d.kind for d in out.decisions]
    assert desk.get_alarm(admin, out.alarm_ids[0]).status == "suppressed"
    cancelled = desk.cancel_maintenance_window(admin, w.id)
    assert cancelled.status == "cancelled"
    assert desk.get_alarm(admin, out.alarm_ids[0]).status == "active"
    with pytest.raises(fd.ValidationError):
        desk.create_maintenance_window(admin, title="bad", start=now, end=now - timedelta(hours=1), scope={"resources": ["x"]})


def test_check_unacknowledged_and_archive(desk: fd.Desk, admin: fd.Actor) -> None:
    old = datetime.now(timezone.utc) - timedelta(minutes=30)
    a = desk.ingest(admin, event("old-olt", occurred_at=old, external_alarm_id="ALM-2024-001234")).alarm_ids[0]
    findings = desk.check_unacknowledged(admin)
    assert [f.alarm_id for f in findings] == [a]
    f = findings[0]
    assert isinstance(f, fd.UnacknowledgedFinding) and f.event == "alarm.unacknowledged.manual_action_required"
    assert f.message == "Alarm ALM-2024-001234 requires manual ticket creation" and f.age_minutes >= 29.9
    desk.clear_alarm(admin, a)
    assert desk.check_unacknowledged(admin) == []
    assert desk.archive_cleared(admin, older_than=timedelta(days=1)) == 0
    assert desk.archive_cleared(admin, older_than=timedelta(0)) == 1
    with pytest.raises(fd.NotFoundError):
        desk.get_alarm(admin, a)
    with pytest.raises(fd.ValidationError):
        desk.archive_cleared(admin, older_than=-timedelta(days=1))


def test_alarm_not_found_text(desk: fd.Desk, admin: fd.Actor) -> None:
    missing = uuid.uuid4()
    with pytest.raises(fd.NotFoundError) as e:
        desk.get_alarm(admin, missing)
    assert str(e.value) == f"Alarm {missing} not found"
