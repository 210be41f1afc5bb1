"""The availability SLA service from Python: definitions and instances (CRUD, validation,
permissions, tenancy), outages from ingested alarms with exact figures, breaches recorded,
credits as Decimal, compliance reports, and the same calls on AsyncDesk."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import faultdesk as fd
from conftest import alarm_event, config

ENTERPRISE: dict[str, Any] = {
    "name": "Enterprise Fiber 99.9%",
    "service_type": "fiber",
    "availability_target": "0.999",
    "measurement_period": {"kind": "calendar_month"},
    "credit_schedule": {
        "tiers": [
            {"below_percent": "99.9", "credit_percent": "10"},
            {"below_percent": "99.5", "credit_percent": "25"},
        ],
        "cap_percent": "50",
    },
    "monthly_fee": "1234.25",
}

# An explicit 30-day period around now: 43,200 measured minutes, 43.2 allowed at 99.9 %.
NOW = datetime.now(timezone.utc).replace(microsecond=0)
PERIOD = (NOW - timedelta(days=1), NOW + timedelta(days=29))


def manager(tenant: str) -> fd.Actor:
    return fd.Actor(tenant, "sla-mgr", roles=["SLA_MANAGER"])


def outage(desk: fd.Desk, actor: fd.Actor, rid: str, start: datetime, minutes: int) -> None:
    """A major device.down on `rid` at `start`, cleared by device.up `minutes` later."""
    desk.ingest(actor, alarm_event(rid, severity="major", occurred_at=start))
    up = alarm_event(rid, event_type="device.up", occurred_at=start + timedelta(minutes=minutes))
    del up["title"]
    desk.ingest(actor, up)


def test_definition_crud_validation_permissions_and_tenancy(desk: fd.Desk, tenant: str, nobody: fd.Actor) -> None:
    mgr = manager(tenant)
    d = desk.create_sla_definition(mgr, ENTERPRISE)
    assert isinstance(d, fd.StoredSlaDefinition) and isinstance(d.id, uuid.UUID)
    assert d.definition["name"] == "Enterprise Fiber 99.9%" and d.enabled
    assert d.created_at.tzinfo is not None
    assert desk.get_sla_definition(mgr, d.id) == d
    assert desk.get_sla_definition(mgr, str(d.id)) == d
    assert [x.id for x in desk.list_sla_definitions(mgr)] == [d.id]
    # A JSON string works too; the replacement is what is stored.
    renamed = desk.update_sla_definition(mgr, d.id, json.dumps({**ENTERPRISE, "name": "Gold"}))
    assert renamed.id == d.id and renamed.definition["name"] == "Gold"

    with pytest.raises(fd.ValidationError) as bad:
        desk.create_sla_definition(mgr, {**ENTERPRISE, "availability_target": "1.5"})
    assert "availability_target" in str(bad.value)
    assert isinstance(bad.value, ValueError)
    with pytest.raises(fd.ValidationError):
        desk.create_sla_definition(mgr, {**ENTERPRISE, "no_such_key": 1})
    with pytest.raises(fd.PermissionDeniedError):
        desk.create_sla_definition(nobody, ENTERPRISE)
    with pytest.raises(fd.PermissionDeniedError):
        desk.list_sla_definitions(nobody)
    # Nothing of the refused calls was stored; another tenant sees nothing.
    assert len(desk.list_sla_definitions(mgr)) == 1
    other = manager(f"t-{uuid.uuid4()}")
    assert desk.list_sla_definitions(other) == []
    with pytest.raises(fd.NotFoundError) as nf:
        desk.get_sla_definition(other, d.id)
    assert str(nf.value) == f"SLA definition {d.id} not found"

    desk.delete_sla_definition(mgr, d.id)
    with pytest.raises(fd.NotFoundError):
        desk.get_sla_definition(mgr, d.id)


def test_outages_from_alarms_exact_figures_breach_credits_and_report(desk: fd.Desk, tenant: str, admin: fd.Actor) -> None:
    mgr = manager(tenant)
    d = desk.create_sla_definition(mgr, ENTERPRISE)
    inst = desk.create_sla_instance(
        mgr, d.id, "cust-1", resource_ids=["olt-a", "olt-b"], period=PERIOD, currency="EUR"
    )
    assert isinstance(inst, fd.StoredSlaInstance)
    assert (inst.period.start, inst.period.end) == PERIOD
    assert inst.scope == fd.SlaScope(customer_id="cust-1", service_id=None, resource_ids=["olt-a", "olt-b"])
    assert inst.monthly_fee == Decimal("1234.25") and inst.currency == "EUR"
    assert inst.status == "active"

    # 30 minutes down: compliant (13.2 of 43.2 allowed minutes left, above the 20 % at-risk line).
    outage(desk, admin, "olt-a", NOW - timedelta(hours=5), 30)
    s = desk.sla_status(admin, inst.id)
    assert isinstance(s, fd.SlaInstanceStatus) and isinstance(s.status, fd.SlaAvailabilityStatus)
    assert s.status.instance_id == inst.id
    assert s.status.measured_ms == 43_200 * 60_000
    assert s.status.unplanned_downtime_ms == 30 * 60_000
    assert s.status.planned_downtime_ms == 0 and s.status.open_outages == 0
    assert s.status.compliance == "compliant"
    assert abs(s.status.availability - Decimal(43_170) / Decimal(43_200)) < Decimal("1e-20")
    assert s.status.credits_owed == Decimal("0") and s.status.breaches == []

    # 30 more on the other resource: 60 of 43.2 allowed minutes, below 99.9 %: breached,
    # 10 % of the fee owed (123.425 rounded half-even to cents).
    outage(desk, admin, "olt-b", NOW - timedelta(hours=3), 30)
    s = desk.sla_status(admin, inst.id)
    assert s.status.compliance == "breached"
    assert s.status.unplanned_downtime_ms == 60 * 60_000
    assert s.status.credit_percent == Decimal("10")
    assert s.status.credits_owed == Decimal("123.42")
    [breach] = s.status.breaches
    assert isinstance(breach, fd.SlaBreach) and breach.kind == "availability"
    assert breach.key == "availability" and breach.start.tzinfo is not None

    # The alarm change recorded the breach, once.
    [rec] = desk.list_sla_breaches(admin, instance_id=inst.id)
    assert isinstance(rec, fd.SlaBreachRecord)
    assert rec.instance_id == inst.id and rec.breach_type == "availability" and rec.breach_key == "availability"
    stored = desk.get_sla_instance(admin, inst.id)
    assert stored.status == "breached" and stored.breach_count == 1
    assert stored.credit_amount == Decimal("123.42")
    assert desk.list_sla_breaches(admin, from_=NOW, to=NOW + timedelta(days=1)) == []

    # A fee change recomputes the credits.
    cheaper = desk.update_sla_instance(mgr, inst.id, monthly_fee=Decimal("1000.00"))
    assert cheaper.monthly_fee == Decimal("1000.00") and cheaper.credit_amount == Decimal("100.00")

    report = desk.sla_compliance_report(admin, PERIOD[0], PERIOD[1], customer_id="cust-1")
    assert isinstance(report, fd.ComplianceReport)
    assert (report.range.start, report.range.end) == PERIOD
    assert report.totals.instance_count == 1 and report.totals.breached == 1
    assert report.totals.total_breaches == 1 and report.totals.total_credits == Decimal("100.00")
    assert report.totals.unplanned_downtime_ms == 60 * 60_000
    [line] = report.instances
    assert line.definition_name == "Enterprise Fiber 99.9%" and line.status.compliance == "breached"
    assert report.to_dict()["totals"]["total_credits"] == Decimal("100.00")
    empty = desk.sla_compliance_report(admin, PERIOD[0], PERIOD[1], customer_id="cust-none")
    assert empty.totals.instance_count == 0 and empty.totals.average_availability is None
    with pytest.raises(fd.ValidationError) as bad:
        desk.sla_compliance_report(admin, PERIOD[1], PERIOD[0])
    assert str(bad.value).startswith("Invalid report range")


def test_instances_list_batch_all_or_nothing_and_errors(desk: fd.Desk, tenant: str, nobody: fd.Actor) -> None:
    mgr = manager(tenant)
    d = desk.create_sla_definition(mgr, ENTERPRISE)
    made = desk.create_sla_instances(
        mgr,
        [
            {"definition_id": d.id, "customer_id": "c-1", "period": PERIOD},
            {"definition_id": str(d.id), "customer_id": "c-2", "service_id": "svc-2", "at": NOW},
        ],
    )
    assert [i.scope.customer_id for i in made] == ["c-1", "c-2"]
    assert made[1].scope.service_id == "svc-2"
    page = desk.list_sla_instances(mgr, customer_id="c-2")
    assert isinstance(page, fd.Page) and page.total == 1 and page.items[0].id == made[1].id
    assert desk.list_sla_instances(mgr, status="active", page_size=1).total == 2
    assert desk.list_sla_instances(mgr, definition_id=d.id).total == 2
    assert desk.list_sla_instances(mgr, from_=PERIOD[0], to=PERIOD[1]).total == 2

    # All or nothing: the second input names an unknown definition.
    with pytest.raises(fd.FaultdeskError):
        desk.create_sla_instances(
            mgr,
            [
                {"definition_id": d.id, "customer_id": "c-3", "period": PERIOD},
                {"definition_id": uuid.uuid4(), "customer_id": "c-4", "period": PERIOD},
            ],
        )
    assert desk.list_sla_instances(mgr).total == 2
    with pytest.raises(fd.ValidationError):
        desk.create_sla_instances(mgr, [])
    with pytest.raises(fd.ValidationError, match="period"):
        desk.create_sla_instance(mgr, d.id, "c-5", period=(NOW,))  # type: ignore[arg-type]
    with pytest.raises(fd.ValidationError):
        desk.list_sla_instances(mgr, status="sleeping")
    with pytest.raises(fd.ValidationError):
        desk.list_sla_instances(mgr, from_=PERIOD[0])
    with pytest.raises(fd.ValidationError):
        desk.create_sla_instance(mgr, d.id, "c-6", at=datetime(2026, 1, 1))
    with pytest.raises(fd.PermissionDeniedError):
        desk.create_sla_instance(nobody, d.id, "c-7")
    missing = uuid.uuid4()
    with pytest.raises(fd.NotFoundError) as nf:
        desk.sla_status(mgr, missing)
    assert str(nf.value) == f"SLA instance {missing} not found"
    with pytest.raises(fd.NotFoundError):
        desk.get_sla_instance(manager(f"t-{uuid.uuid4()}"), made[0].id)

    desk.delete_sla_instance(mgr, made[0].id)
    assert desk.list_sla_instances(mgr).total == 1
    with pytest.raises(fd.NotFoundError):
        desk.delete_sla_instance(mgr, made[0].id)


def test_run_due_reports_sla_figures(desk: fd.Desk) -> None:
    r = desk.run_due()
    assert isinstance(r, fd.RunDueReport)
    assert r.sla_instances >= 0 and r.sla_breaches >= 0 and isinstance(r.sla_tickets, list)


def test_async_desk_sla(desk_url: str, tenant: str, tmp_path: Path) -> None:
    async def main() -> None:
        mgr = manager(tenant)
        async with await fd.AsyncDesk.open(desk_url, config(tmp_path)) as d:
            definition = await d.create_sla_definition(mgr, ENTERPRISE)
            insts = await asyncio.gather(
                *(d.create_sla_instance(mgr, definition.id, f"c-{i}", period=PERIOD) for i in range(5))
            )
            statuses = await asyncio.gather(*(d.sla_status(mgr, i.id) for i in insts))
            assert {s.status.compliance for s in statuses} == {"compliant"}
            assert (await d.list_sla_instances(mgr)).total == 5

    asyncio.run(main())


def test_performance_measurements_open_and_end_a_breach(desk: fd.Desk, tenant: str, nobody: fd.Actor) -> None:
    mgr = manager(tenant)
    d = desk.create_sla_definition(mgr, {**ENTERPRISE, "performance": {"max_latency_ms": "50"}})
    inst = desk.create_sla_instance(mgr, d.id, "cust-p", period=PERIOD)
    t = NOW - timedelta(hours=2)
    out = desk.record_sla_measurements(
        mgr, inst.id, [{"at": t, "latency_ms": 20}, {"at": t + timedelta(minutes=5), "latency_ms": Decimal("80.5")}]
    )
    assert isinstance(out, fd.StoredSlaInstance) and out.id == inst.id
    [rec] = desk.list_sla_breaches(mgr, instance_id=inst.id)
    assert rec.breach_type == "performance" and not rec.resolved
    desk.record_sla_measurements(mgr, inst.id, [{"at": t + timedelta(minutes=10), "latency_ms": "10"}])
    [rec] = desk.list_sla_breaches(mgr, instance_id=inst.id)
    assert rec.resolved and rec.breach_end is not None
    # Bad samples are refused and write nothing.
    with pytest.raises(fd.ValidationError):
        desk.record_sla_measurements(mgr, inst.id, [])
    with pytest.raises(fd.ValidationError):
        desk.record_sla_measurements(mgr, inst.id, [{"at": t + timedelta(minutes=20), "latency_ms": -1}])
    with pytest.raises(fd.ValidationError):
        desk.record_sla_measurements(mgr, inst.id, [{"at": datetime(2026, 1, 1), "latency_ms": 1}])
    with pytest.raises(fd.PermissionDeniedError):
        desk.record_sla_measurements(nobody, inst.id, [{"at": t + timedelta(minutes=30), "latency_ms": 99}])
    assert len(desk.list_sla_breaches(mgr, instance_id=inst.id)) == 1
