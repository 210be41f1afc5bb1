"""The pure engines without a database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import faultdesk as fd


def test_map_severity_to_priority() -> None:
    assert fd.map_severity_to_priority("Major") == "high"
    assert fd.map_severity_to_priority("critical") == "critical"
    assert fd.map_severity_to_priority("Minor") == "normal"
    assert fd.map_severity_to_priority("warning") == "low"
    assert fd.map_severity_to_priority("info") == "low"
    with pytest.raises(fd.ValidationError):
        fd.map_severity_to_priority("apocalyptic")


def test_workflow() -> None:
    wf = fd.Workflow("itsm")
    assert wf.name == "itsm"
    assert wf.initial_state in wf.states
    nxt = wf.allowed_transitions(wf.initial_state)
    assert nxt and all(wf.can_transition(wf.initial_state, s) for s in nxt)
    assert wf.category_of(wf.initial_state) == "new"
    with pytest.raises(fd.FaultdeskError):
        fd.Workflow("nope")
    with pytest.raises(fd.FaultdeskError):
        wf.allowed_transitions("NO_SUCH_STATE")


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def ev(i: int, **kw: object) -> dict[str, object]:
    e: dict[str, object] = {
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
    kinds = [d["decision"] for d in decisions]
    assert kinds.count("created") == 2
    assert "deduplicated" in kinds
    assert c.active_count == 2 and c.events_ingested == 3
    one = c.ingest(ev(3), now=T0 + timedelta(minutes=1))
    assert one[0]["decision"] == "created"
    with pytest.raises(fd.ValidationError):
        c.ingest(ev(4, occurred_at=datetime(2026, 3, 2, 8, 0)))


def test_correlator_rejects_bad_events_in_batch() -> None:
    c = fd.Correlator()
    _, errors = c.ingest_batch([ev(1, tenant_id="")], now=T0)
    assert len(errors) == 1 and errors[0][0] == 0


def test_business_calendar() -> None:
    cal = fd.BusinessCalendar(
        {"timezone": "Europe/Berlin", "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}}
    )
    assert cal.timezone == "Europe/Berlin"
    mon_10 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # 10:00 Berlin
    assert cal.is_working(mon_10)
    due = cal.add_business_time(mon_10, timedelta(hours=8))
    assert due == datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
    assert cal.business_time_between(mon_10, due) == timedelta(hours=8)
    with pytest.raises(fd.ValidationError):
        fd.BusinessCalendar({"timezone": "Mars/Olympus", "week": {}})
    with pytest.raises(fd.ValidationError):
        cal.is_working(datetime(2026, 3, 2, 9, 0))


def test_sla_policy() -> None:
    p = fd.SlaPolicy("itsm")
    status = p.evaluate(
        [{"at": T0, "kind": {"type": "created", "priority": "high", "category": "new"}}],
        now=T0 + timedelta(minutes=5),
    )
    assert status["priority"] == "high"
    assert status["first_response"]["breached"] is False
