"""The pure engines, without a database."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import SEED_002_RULE

import faultdesk as fd


def test_map_severity_to_priority() -> None:
    assert fd.map_severity_to_priority("Major") == "high"
    assert fd.map_severity_to_priority("critical") == "critical"
    assert fd.map_severity_to_priority("Minor") == "normal"
    assert fd.map_severity_to_priority("WARNING") == "low"
    assert fd.map_severity_to_priority("info") == "low"
    with pytest.raises(fd.ValidationError):
        fd.map_severity_to_priority("apocalyptic")


def test_workflow() -> None:
    wf = fd.Workflow("itsm")
    assert (wf.name, wf.initial_state) == ("itsm", "NEW")
    assert set(wf.states) >= {"NEW", "OPEN", "IN_PROGRESS", "PENDING_INFO", "RESOLVED", "CLOSED", "REOPENED"}
    assert wf.allowed_transitions("new") == ["OPEN", "IN_PROGRESS"]
    assert wf.can_transition("NEW", "open") and not wf.can_transition("NEW", "CLOSED")
    assert wf.required_permission("IN_PROGRESS", "RESOLVED") == "tickets.close"
    assert wf.category_of("PENDING_INFO") == "pending" and wf.category_of("nope") is None
    again = fd.Workflow.from_definition(wf.to_json())
    assert again.states == wf.states and "itsm" in repr(wf)
    assert fd.Workflow("fibreflow").name == "fibreflow" and fd.Workflow("vms").initial_state
    with pytest.raises(fd.ValidationError):
        fd.Workflow("nope")
    with pytest.raises(fd.FaultdeskError):
        wf.allowed_transitions("NO_SUCH_STATE")
    with pytest.raises(fd.FaultdeskError):
        wf.can_transition("NEW", "NO_SUCH_STATE")


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def ev(i: int, **kw: Any) -> dict[str, Any]:
    e: dict[str, Any] = {
        "tenant_id": "acme",
        "event_type": "device.down",
        "source": "network_device",
        "resource_type": "olt",
        "resource_id": f"olt-{i}",
        "title": f"OLT {i} down",
        "occurred_at": T0 + timedelta(seconds=i),
    }
    e.update(kw)
    return e


def test_correlator_batches_and_dedup() -> None:
    c = fd.Correlator()
    decisions, errors = c.ingest_batch([ev(1), ev(2), ev(1)], now=T0 + timedelta(minutes=1))
    assert errors == []
    assert [d.kind for d in decisions] == ["created", "created", "deduplicated"]
    first = decisions[0]
    assert isinstance(first, fd.Decision) and isinstance(first.alarm_id, uuid.UUID)
    assert first["decision"] == "created" and first["alarm"]["resource_id"] == "olt-1"
    # each created alarm's decision carries its full row, built from its own event
    rows = [d["alarm"] for d in decisions if d.kind == "created"]
    assert [(r["resource_id"], r["title"]) for r in rows] == [("olt-1", "OLT 1 down"), ("olt-2", "OLT 2 down")]
    assert decisions[2].alarm_id == first.alarm_id and decisions[2]["occurrence_count"] == 2
    assert fd.Decision.from_dict(first.to_dict()) == first and first != decisions[1]
    assert repr(first) == f"Decision(kind=\"created\", alarm_id=UUID('{first.alarm_id}'))"
    with pytest.raises(KeyError):
        first["no_such_key"]
    assert (c.active_count, c.events_ingested) == (2, 3)
    key = first["alarm"]["reduction_key"]
    assert c.find_by_key(key) == first.alarm_id and c.find_by_key("nope") is None
    state = c.alarm_state(first.alarm_id)
    assert state is not None and state["occurrence_count"] == 2
    one = c.ingest(ev(3), now=T0 + timedelta(minutes=1))
    assert [d.kind for d in one] == ["created"]
    assert one[0]["alarm"]["title"] == "OLT 3 down" and one[0].to_dict()["alarm"]["tenant_id"] == "acme"
    with pytest.raises(fd.ValidationError):
        c.ingest(ev(4, occurred_at=datetime(2026, 3, 2, 8, 0)))
    assert "active_count=3" in repr(c)


def test_correlator_rejects_bad_events_in_batch_without_changing_anything() -> None:
    c = fd.Correlator()
    decisions, errors = c.ingest_batch([ev(1, tenant_id=""), ev(2)], now=T0)
    assert len(errors) == 1 and errors[0][0] == 0 and isinstance(errors[0][1], str)
    assert [d.kind for d in decisions] == ["created"] and c.active_count == 1


class _Event:
    """An event object with `to_dict()`: read by the general (JSON) path, never the direct one."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.d = d

    def to_dict(self) -> dict[str, Any]:
        return dict(self.d)


class _Instant(datetime):
    """A datetime subclass (taken by the general path)."""


def test_correlator_reads_plain_dicts_like_any_other_event_form() -> None:
    # A plain dict is read field by field; objects with to_dict() go through JSON. Both must
    # give the same alarm row, and the same error for a bad event.
    ist = timezone(timedelta(hours=5, minutes=30))
    forms: list[dict[str, Any]] = [
        ev(1),
        ev(2, occurred_at=datetime(2026, 3, 2, 13, 30, 0, 123456, tzinfo=ist)),
        ev(3, occurred_at=datetime(2026, 3, 2, 3, 0, 0, 1, tzinfo=timezone(-timedelta(hours=5)))),
        ev(4, occurred_at="2026-03-02T08:00:04.5Z"),
        ev(5, occurred_at=_Instant(2026, 3, 2, 8, 0, 5, tzinfo=timezone.utc)),
        ev(6, severity="Critical", subscriber_count=12, labels={"contractor_id": "c-9"}, raw={"oid": [1, 3]}),
        ev(7, tenant_id=uuid.UUID(int=7), alarm_type=None, customer_id="cust-1", unknown_key=[1]),
        ev(8, resource_name="OLT eight", description="d", probable_cause="p", recommended_action="r",
           external_alarm_id="x-8", customer_name="C", source="system"),
    ]
    now = T0 + timedelta(minutes=1)
    direct, general = fd.Correlator({"id_seed": 7}), fd.Correlator({"id_seed": 7})
    ds, errs = direct.ingest_batch(forms, now=now)
    gs, gerrs = general.ingest_batch([_Event(f) for f in forms], now=now)
    assert errs == gerrs
    assert [d.to_dict() for d in ds] == [g.to_dict() for g in gs]
    rows = {d["alarm"]["resource_id"]: d["alarm"] for d in ds if d.kind == "created"}
    assert fd.Decision.from_dict(ds[1].to_dict()) == ds[1]
    assert datetime.fromisoformat(rows["olt-2"]["first_occurrence"]) == datetime(
        2026, 3, 2, 8, 0, 0, 123456, tzinfo=timezone.utc
    )
    assert datetime.fromisoformat(rows["olt-3"]["first_occurrence"]) == datetime(
        2026, 3, 2, 8, 0, 0, 1, tzinfo=timezone.utc
    )
    assert rows["olt-6"]["labels"] == {"contractor_id": "c-9"} and rows["olt-6"]["subscriber_count"] == 12
    assert rows["olt-7"]["tenant_id"] == str(uuid.UUID(int=7))
    bad: list[dict[str, Any]] = [
        ev(10, occurred_at=datetime(2026, 3, 2, 8, 0)),  # naive
        ev(11, subscriber_count=True),
        ev(12, subscriber_count=-1),
        ev(13, severity="apocalyptic"),
        ev(14, tenant_id=None),
        ev(15, title=b"bytes"),
        ev(16, occurred_at="yesterday"),
        ev(17, occurred_at=datetime(2026, 3, 2, 8, 0, 9, tzinfo=timezone(timedelta(seconds=30)))),  # not RFC 3339
    ]
    for b in bad:
        with pytest.raises(fd.ValidationError) as plain:
            direct.ingest(b, now=now)
        with pytest.raises(fd.ValidationError) as obj:
            general.ingest(_Event(b), now=now)
        assert str(plain.value) == str(obj.value)
    with pytest.raises(fd.ValidationError, match="naive datetime"):
        direct.ingest(bad[0], now=now)
    assert direct.events_ingested == general.events_ingested == len(forms)


def test_correlator_topology_rule_and_operator_actions() -> None:
    rule = SEED_002_RULE
    c = fd.Correlator({"rules": [rule]})
    c.add_topology_edges("acme", [("olt-1", "ont-1"), {"parent": "olt-1", "child": "ont-2"}])
    with pytest.raises(fd.FaultdeskError):
        c.add_topology_edges("acme", [("ont-1", "olt-1")])
    parent = c.ingest(ev(1), now=T0)[0].alarm_id
    child = ev(5, event_type="cpe.signal_loss", alarm_type="signal.loss", resource_type="ont", resource_id="ont-1")
    kinds = [d.kind for d in c.ingest(child, now=T0)]
    assert "correlated" in kinds
    acked = c.acknowledge(parent, "op-1", at=T0 + timedelta(minutes=1))
    assert [d.kind for d in acked] == ["acknowledged"]
    cleared = c.clear(parent, "op-1", at=T0 + timedelta(minutes=2))
    assert "cleared" in [d.kind for d in cleared]
    with pytest.raises(fd.FaultdeskError):
        c.clear(uuid.uuid4(), "op-1")
    assert c.remove_topology_edges("acme", [("olt-1", "ont-2")]) == 1
    assert isinstance(c.tick(T0 + timedelta(hours=1)), list)


def test_correlator_maintenance_window() -> None:
    c = fd.Correlator()
    w = {
        "id": str(uuid.uuid4()),
        "tenant_id": "acme",
        "title": "splicing",
        "start": T0,
        "end": T0 + timedelta(hours=1),
        "status": "scheduled",
        "scope": {"resources": ["olt-1"]},
    }
    c.add_maintenance_window(w)
    kinds = [d.kind for d in c.ingest(ev(1), now=T0)]
    assert "suppressed" in kinds
    assert isinstance(c.cancel_maintenance_window(w["id"]), list)
    with pytest.raises(fd.ValidationError):
        c.add_maintenance_window({"title": "incomplete"})


def test_correlator_config_errors() -> None:
    with pytest.raises(fd.ValidationError):
        fd.Correlator({"rules": "not a list"})
    with pytest.raises(fd.ValidationError):
        fd.Correlator("{not json")


def test_business_calendar() -> None:
    cal = fd.BusinessCalendar(
        {"timezone": "Europe/Berlin", "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}}
    )
    assert cal.timezone == "Europe/Berlin" and "Europe/Berlin" in repr(cal)
    mon_10 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # 10:00 Berlin
    assert cal.is_working(mon_10) and not cal.is_working(mon_10 + timedelta(hours=8))
    due = cal.add_business_time(mon_10, timedelta(hours=8))
    assert due == datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc) and due.tzinfo is not None
    assert cal.business_time_between(mon_10, due) == timedelta(hours=8)
    assert cal.business_time_between(due, mon_10) == timedelta(0)
    assert cal.add_business_time(mon_10, timedelta(minutes=1, microseconds=5)) == mon_10 + timedelta(
        minutes=1, microseconds=5
    )
    assert fd.BusinessCalendar(cal.to_json()).to_json() == cal.to_json()
    always = fd.BusinessCalendar.always()
    assert always.business_time_between(mon_10, mon_10 + timedelta(days=2)) == timedelta(days=2)
    with pytest.raises(fd.ValidationError):
        fd.BusinessCalendar({"timezone": "Mars/Olympus", "week": {}})
    with pytest.raises(fd.ValidationError):
        cal.is_working(datetime(2026, 3, 2, 9, 0))
    with pytest.raises(fd.ValidationError):
        cal.add_business_time(mon_10, timedelta(hours=-1))
    with pytest.raises(fd.ValidationError):
        cal.add_business_time(mon_10, 3600)  # type: ignore[arg-type]
    # Beyond datetime.max: a clear error, not an overflow or a hang.
    with pytest.raises(fd.ValidationError, match="datetime range"):
        cal.add_business_time(mon_10, timedelta.max)


def test_sla_policy() -> None:
    p = fd.SlaPolicy("itsm")
    status = p.evaluate(
        [{"at": T0, "kind": {"type": "created", "priority": "high", "category": "new"}}],
        now=T0 + timedelta(minutes=5),
    )
    assert isinstance(status, fd.SlaStatus)
    assert (status.priority, status.category) == ("high", "new")
    fr = status.first_response
    assert fr.elapsed == timedelta(minutes=5) and fr.remaining == fr.budget - fr.elapsed
    assert not fr.breached and fr.due == T0 + fr.budget
    late = p.evaluate(
        [{"at": T0, "kind": {"type": "created", "priority": "high", "category": "new"}}],
        now=T0 + timedelta(days=30),
    )
    assert late.any_breached and late.first_response.breached_at == late.first_response.due
    assert fd.SlaPolicy(p.to_json()).name == p.name
    assert fd.SlaPolicy("vms").name
    with pytest.raises(fd.ValidationError):
        p.evaluate([], now=T0)  # no Created event
    with pytest.raises(fd.ValidationError):
        fd.SlaPolicy({"targets": "nope"})
