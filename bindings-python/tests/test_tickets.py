"""Ticket use-cases through the binding, on every backend."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

import faultdesk as fd


def test_create_get_and_types(desk: fd.Desk, admin: fd.Actor) -> None:
    due = datetime(2030, 1, 2, 3, 4, 5, 600_000, tzinfo=timezone.utc)
    t = desk.create_ticket(
        admin,
        subject="Fibre cut on Main St",
        description="Splice closure damaged",
        priority="high",
        ticket_type="outage",
        labels={"contractor_id": "c-9"},
        customer_id="cust-1",
        due_at=due,
        metadata={"k": [1, 2], "nested": {"x": None}},
    )
    assert isinstance(t, fd.Ticket)
    assert isinstance(t.id, uuid.UUID) and t.id.version == 7
    assert t.number.startswith(f"TKT-{datetime.now(timezone.utc).year}-")
    assert (t.priority, t.ticket_type, t.status, t.workflow) == ("high", "outage", "NEW", "itsm")
    assert t.labels == {"contractor_id": "c-9"} and t.customer_id == "cust-1"
    assert t.metadata == {"k": [1, 2], "nested": {"x": None}}
    assert t.due_at == due and t.due_at.tzinfo is not None
    assert t.created_at.tzinfo is not None and t.updated_at >= t.created_at
    assert t.reporter_id == "admin-1" and t.tenant_id == admin.tenant_id
    assert t.assignee_id is None and t.deleted_at is None
    assert desk.get_ticket(admin, t.id) == t
    assert desk.get_ticket(admin, str(t.id)) == t
    assert desk.get_ticket_by_number(admin, t.number) == t
    d = t.to_dict()
    assert d["id"] == t.id and d["subject"] == "Fibre cut on Main St" and d["due_at"] == due
    assert repr(t).startswith("Ticket(id=UUID(")
    assert t != desk.create_ticket(admin, subject="other")


def test_create_from_dict_and_keywords(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, {"subject": "from dict", "priority": "low"}, priority="critical")
    assert (t.subject, t.priority) == ("from dict", "critical")


def test_update_is_a_patch(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(
        admin, subject="s", priority="low", customer_id="c-1", labels={"a": "1", "b": "2"}, assignee_id="eng-1"
    )
    t2 = desk.update_ticket(admin, t.id, priority="critical", subject="s2")
    assert (t2.priority, t2.subject) == ("critical", "s2")
    assert (t2.customer_id, t2.assignee_id, t2.labels) == ("c-1", "eng-1", {"a": "1", "b": "2"})
    # None clears; a label set to None is removed; UNSET (the default) leaves a field alone.
    t3 = desk.update_ticket(admin, t.id, customer_id=None, assignee_id=None, labels={"a": None, "c": "3"})
    assert (t3.customer_id, t3.assignee_id, t3.labels) == (None, None, {"b": "2", "c": "3"})
    assert t3.priority == "critical"
    t4 = desk.update_ticket(admin, t.id, {"description": "from a dict"}, subject=fd.UNSET)
    assert (t4.description, t4.subject) == ("from a dict", "s2")
    history = [h.event_type for h in desk.ticket_history(admin, t.id)]
    assert history[0] == "CREATED" and "PRIORITY_CHANGE" in history


def test_assign_transition_reopen_history(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="flow")
    assert desk.assign_ticket(admin, t.id, "eng-7").assignee_id == "eng-7"
    assert desk.assign_ticket(admin, t.id, None).assignee_id is None
    u = uuid.uuid4()
    assert desk.assign_ticket(admin, t.id, u).assignee_id == str(u)
    wf = fd.Workflow("itsm")
    assert wf.can_transition("NEW", "IN_PROGRESS")
    t2 = desk.transition_ticket(admin, t.id, "in_progress", comment="on it")
    assert t2.status == "IN_PROGRESS"
    t3 = desk.transition_ticket(admin, t.id, "RESOLVED", resolution_note="spliced")
    assert t3.status == "RESOLVED" and t3.resolved_at is not None
    t4 = desk.reopen_ticket(admin, t.id, "customer still offline")
    assert wf.category_of(t4.status) in ("open", "new") and t4.resolved_at is None
    hist = desk.ticket_history(admin, t.id)
    assert all(isinstance(h, fd.AuditEvent) and h.at.tzinfo is not None for h in hist)
    assert [h.at for h in hist] == sorted(h.at for h in hist)
    assert hist[0].event_type == "CREATED" and hist[0].ip == "10.0.0.1" and hist[0].actor_id == "admin-1"
    status_changes = [(h.old_value, h.new_value) for h in hist if h.field == "status"]
    assert ("NEW", "IN_PROGRESS") in status_changes and ("IN_PROGRESS", "RESOLVED") in status_changes


def test_list_search_stats_and_pages(desk: fd.Desk, admin: fd.Actor) -> None:
    for i in range(5):
        desk.create_ticket(
            admin,
            subject=f"ONT {i} offline",
            priority=["low", "high"][i % 2],
            labels={"contractor_id": "c-9" if i < 3 else "c-1"},
        )
    page = desk.list_tickets(
        admin, open_only=True, labels={"contractor_id": "c-9"}, sort=["-priority", "-created_at"], page=1, page_size=2
    )
    assert isinstance(page, fd.Page)
    assert (page.total, len(page), page.page, page.page_size) == (3, 2, 1, 2)
    assert page.items[0].priority == "high" and all(isinstance(x, fd.Ticket) for x in page)
    assert page.next_cursor is not None
    after = desk.list_tickets(
        admin, open_only=True, labels={"contractor_id": "c-9"}, sort=["-priority", "-created_at"], page_size=2,
        cursor=page.next_cursor,
    )
    assert [t.id for t in after] and not {t.id for t in after} & {t.id for t in page}
    rest = desk.list_tickets(admin, labels={"contractor_id": "c-9"}, page=2, page_size=2)
    assert len(rest.items) == 1 and rest.next_cursor is None
    assert desk.list_tickets(admin, priority="high").total == 2
    assert desk.list_tickets(admin, priority=["high", "low"]).total == 5
    assert desk.list_tickets(admin, status="new").total == 5
    assert desk.list_tickets(admin, category=["resolved"]).total == 0
    assert desk.list_tickets(admin, text="ONT 3").total == 1
    assert desk.list_tickets(admin, unassigned=True).total == 5
    hits = desk.search_tickets(admin, "offline", page_size=10)
    assert hits.total == 5 and isinstance(hits.items[0], fd.TicketSearchHit)
    assert isinstance(hits.items[0].ticket, fd.Ticket) and isinstance(hits.items[0].rank, float)
    stats = desk.ticket_stats(admin)
    assert isinstance(stats, fd.TicketStatistics)
    assert (stats.total, stats.open) == (5, 5) and stats.by_priority == {"low": 3, "high": 2}
    assert desk.ticket_stats(admin, labels={"contractor_id": "c-1"}).total == 2
    d = page.to_dict()
    assert d["total"] == 3 and d["items"][0]["id"] == page.items[0].id


def test_created_range_filters_take_aware_datetimes(desk: fd.Desk, admin: fd.Actor) -> None:
    desk.create_ticket(admin, subject="now")
    now = datetime.now(timezone.utc)
    assert desk.list_tickets(admin, created_from=now - timedelta(minutes=5)).total == 1
    assert desk.list_tickets(admin, created_to=now - timedelta(minutes=5)).total == 0
    with pytest.raises(fd.ValidationError, match="naive datetime"):
        desk.list_tickets(admin, created_from=datetime(2026, 1, 1))


def test_delete_then_not_found(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="gone")
    assert desk.delete_ticket(admin, t.id) is None
    with pytest.raises(fd.NotFoundError):
        desk.get_ticket(admin, t.id)
    assert desk.list_tickets(admin).total == 0


def test_ticket_sla(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="sla", priority="critical")
    sla = desk.ticket_sla(admin, t.id)
    assert isinstance(sla, fd.SlaStatus)
    assert (sla.priority, sla.category) == ("critical", "new")
    fr = sla.first_response
    assert isinstance(fr, fd.SlaTargetStatus) and fr.target == "first_response"
    assert isinstance(fr.budget, timedelta) and fr.budget > timedelta(0)
    assert fr.due > t.created_at and fr.due.tzinfo is not None
    assert not fr.breached and not fr.met and fr.completed_at is None and not sla.any_breached
    assert timedelta(0) <= fr.elapsed <= fr.budget
    assert abs(fr.remaining - (fr.budget - fr.elapsed)) <= timedelta(microseconds=1)  # ns truncation
    assert sla.resolution.due >= fr.due


def test_ticket_sla_is_none_without_policy(desk_url: str, admin: fd.Actor, tmp_path: object) -> None:
    with fd.Desk.open(desk_url, {"sla_policy": None}) as d:
        t = d.create_ticket(admin, subject="no sla")
        assert d.ticket_sla(admin, t.id) is None


def test_work_methods(desk: fd.Desk, admin: fd.Actor) -> None:
    desk.create_ticket(admin, subject="due soon", priority="critical")
    r = desk.run_due(datetime.now(timezone.utc) + timedelta(days=30))
    assert isinstance(r, fd.RunDueReport) and r.breaches >= 1 and r.tickets >= 1
    assert isinstance(desk.run_due(), fd.RunDueReport)
    assert isinstance(desk.deliver_notifications(), fd.DeliveryReport)
    assert desk.migrate() is None
    assert desk.list_notifications(admin, limit=10) == []
    report = desk.collect_orphan_blobs(admin.tenant_id, grace=timedelta(hours=1))
    assert report == fd.OrphanReport(content_removed=0, temp_removed=0)
