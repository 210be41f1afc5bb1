"""Ticket use-cases through the binding, on every backend."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

import faultdesk as fd


def test_create_get_and_types(desk: fd.Desk, admin: fd.Actor) -> None:
    due = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    t = desk.create_ticket(
        admin,
        subject="Fibre cut on Main St",
        description="Splice closure damaged",
        priority="high",
        labels={"contractor_id": "c-9"},
        due_at=due,
        metadata={"k": [1, 2]},
    )
    assert isinstance(t, fd.Ticket)
    assert isinstance(t.id, uuid.UUID)
    assert t.number.startswith("TKT-")
    assert t.priority == "high"
    assert t.labels == {"contractor_id": "c-9"}
    assert t.metadata == {"k": [1, 2]}
    assert t.due_at == due
    assert t.created_at.tzinfo is not None
    assert t.reporter_id == "admin-1"
    again = desk.get_ticket(admin, t.id)
    assert again == t
    assert desk.get_ticket(admin, str(t.id)) == t
    assert desk.get_ticket_by_number(admin, t.number) == t
    d = t.to_dict()
    assert d["id"] == t.id and d["subject"] == "Fibre cut on Main St"
    assert "Ticket(" in repr(t)


def test_update_assign_transition_history(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, {"subject": "s", "priority": "low"})
    t2 = desk.update_ticket(admin, t.id, priority="critical", subject="s2")
    assert (t2.priority, t2.subject) == ("critical", "s2")
    t3 = desk.assign_ticket(admin, t.id, "eng-7")
    assert t3.assignee_id == "eng-7"
    t4 = desk.assign_ticket(admin, t.id, None)
    assert t4.assignee_id is None
    wf = fd.Workflow("itsm")
    nxt = wf.allowed_transitions(t.status)
    assert nxt
    t5 = desk.transition_ticket(admin, t.id, nxt[0], comment="go")
    assert t5.status.lower() == nxt[0].lower()
    hist = desk.ticket_history(admin, t.id)
    assert [h.event_type for h in hist][0] == "CREATED"
    assert all(isinstance(h, fd.AuditEvent) and h.at.tzinfo for h in hist)
    assert any(h.event_type == "PRIORITY_CHANGE" for h in hist)
    assert hist[0].ip == "10.0.0.1"


def test_list_search_stats_and_pages(desk: fd.Desk, admin: fd.Actor) -> None:
    for i in range(5):
        desk.create_ticket(
            admin,
            subject=f"ONT {i} offline",
            priority=["low", "high"][i % 2],
            labels={"contractor_id": "c-9" if i < 3 else "c-1"},
        )
    page = desk.list_tickets(
        admin,
        open_only=True,
        labels={"contractor_id": "c-9"},
        sort=["-priority", "-created_at"],
        page=1,
        page_size=2,
    )
    assert isinstance(page, fd.Page)
    assert page.total == 3 and len(page.items) == 2 and page.page == 1
    assert page.items[0].priority == "high"
    assert all(isinstance(x, fd.Ticket) for x in page)
    rest = desk.list_tickets(admin, labels={"contractor_id": "c-9"}, page=2, page_size=2)
    assert len(rest.items) == 1 and rest.next_cursor is None
    assert desk.list_tickets(admin, priority="high").total == 2
    hits = desk.search_tickets(admin, "ONT 3")
    assert hits.total >= 1 and isinstance(hits.items[0], fd.TicketSearchHit)
    stats = desk.ticket_stats(admin)
    assert isinstance(stats, fd.TicketStatistics)
    assert stats.total == 5 and stats.by_priority == {"low": 3, "high": 2}
    assert page.to_dict()["total"] == 3


def test_delete_then_not_found(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="gone")
    assert desk.delete_ticket(admin, t.id) is None
    with pytest.raises(fd.NotFoundError):
        desk.get_ticket(admin, t.id)


def test_tenant_isolation(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="mine")
    other = fd.Actor(uuid.uuid4(), "admin-2", roles=["ADMIN"])
    with pytest.raises(fd.NotFoundError):
        desk.get_ticket(other, t.id)


def test_comments(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="c")
    c = desk.add_comment(admin, t.id, "hello")
    assert isinstance(c, fd.Comment) and c.ticket_id == t.id and c.visibility == "public"
    internal = desk.add_comment(admin, t.id, "secret", visibility="internal")
    edited = desk.edit_comment(admin, c.id, "hello again")
    assert edited.body == "hello again" and edited.edited_at is not None
    assert desk.get_comment(admin, c.id).body == "hello again"
    assert {x.id for x in desk.list_comments(admin, t.id)} == {c.id, internal.id}
    desk.delete_comment(admin, internal.id)
    # Moderators (ADMIN) still see a deleted comment, marked deleted; an agent does not.
    listed = {x.id: x for x in desk.list_comments(admin, t.id)}
    assert listed[internal.id].deleted_at is not None and listed[c.id].deleted_at is None
    agent = fd.Actor(admin.tenant_id, "agent-1", roles=["DEVOPS_ENGINEER"])
    assert [x.id for x in desk.list_comments(agent, t.id)] == [c.id]


def test_attachments(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="a")
    a = desk.add_attachment(admin, t.id, "notes.txt", b"hello bytes", content_type="text/plain")
    assert isinstance(a, fd.Attachment) and a.size_bytes == 11
    meta, content = desk.open_attachment(admin, a.id)
    assert meta == a and content == b"hello bytes"
    assert [x.id for x in desk.list_attachments(admin, t.id)] == [a.id]
    desk.delete_attachment(admin, a.id)
    assert desk.list_attachments(admin, t.id) == []


def test_events_since_and_subscribe(desk: fd.Desk, admin: fd.Actor) -> None:
    sub = desk.subscribe(admin, "ticket.*")
    t = desk.create_ticket(admin, subject="e")
    ev = sub.next(timeout=10)
    assert isinstance(ev, fd.Event)
    assert ev.kind == "ticket.created" and ev.tenant_id == admin.tenant_id
    assert ev.at.tzinfo is not None
    evs = desk.events_since(admin, 0, limit=100)
    assert any(e.kind == "ticket.created" and e.entity_id == str(t.id) for e in evs)
    assert sub.next(timeout=0.05) is None


def test_work_methods(desk: fd.Desk) -> None:
    r = desk.run_due(datetime.now(timezone.utc) + timedelta(days=1))
    assert isinstance(r, fd.RunDueReport)
    d = desk.deliver_notifications()
    assert isinstance(d, fd.DeliveryReport)
    desk.migrate()


def test_notifications_list(desk: fd.Desk, admin: fd.Actor) -> None:
    assert desk.list_notifications(admin, limit=10) == []
