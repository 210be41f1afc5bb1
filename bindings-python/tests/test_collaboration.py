"""Comments and attachments through the binding."""

from __future__ import annotations

import hashlib

import pytest

import faultdesk as fd


def test_comments(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="c")
    c = desk.add_comment(admin, t.id, "hello")
    assert isinstance(c, fd.Comment) and c.ticket_id == t.id and c.visibility == "public"
    assert c.author_id == "admin-1" and c.created_at.tzinfo is not None and c.history == []
    internal = desk.add_comment(admin, t.id, "secret", visibility="internal")
    edited = desk.edit_comment(admin, c.id, "hello again")
    assert edited.body == "hello again" and edited.edited_at is not None and len(edited.history) == 1
    assert desk.get_comment(admin, c.id) == edited
    assert [x.id for x in desk.list_comments(admin, t.id)] == [c.id, internal.id]
    end_user = fd.Actor(admin.tenant_id, "customer-1", roles=["END_USER"])
    with pytest.raises(fd.NotFoundError):
        desk.list_comments(end_user, t.id)  # another user's ticket
    engineer = fd.Actor(admin.tenant_id, "eng-1", roles=["DEVOPS_ENGINEER"])
    assert {x.id for x in desk.list_comments(engineer, t.id)} == {c.id, internal.id}
    desk.delete_comment(admin, internal.id)
    # Moderators (ADMIN) still see a deleted comment, marked deleted; an engineer does not.
    listed = {x.id: x for x in desk.list_comments(admin, t.id)}
    assert listed[internal.id].deleted_at is not None and listed[c.id].deleted_at is None
    assert [x.id for x in desk.list_comments(engineer, t.id)] == [c.id]


def test_internal_comments_hidden_without_permission(desk: fd.Desk, admin: fd.Actor) -> None:
    reporter = fd.Actor(admin.tenant_id, "customer-1", roles=["END_USER"])
    t = desk.create_ticket(reporter, subject="my problem")
    desk.add_comment(admin, t.id, "internal note", visibility="internal")
    public = desk.add_comment(admin, t.id, "we are on it")
    assert [x.id for x in desk.list_comments(reporter, t.id)] == [public.id]
    with pytest.raises(fd.PermissionDeniedError):
        desk.add_comment(reporter, t.id, "sneaky", visibility="internal")


def test_attachments(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="a")
    data = b"hello bytes\x00\xff" * 1000
    a = desk.add_attachment(admin, t.id, "notes.txt", data, content_type="text/plain")
    assert isinstance(a, fd.Attachment) and a.size_bytes == len(data)
    assert a.sha256 == hashlib.sha256(data).hexdigest() and a.file_name == "notes.txt"
    meta, content = desk.open_attachment(admin, a.id)
    assert meta == a and content == data and isinstance(content, bytes)
    b = desk.add_attachment(admin, t.id, "log.txt", bytearray(b"x"), content_type="text/plain")
    assert [x.id for x in desk.list_attachments(admin, t.id)] == [a.id, b.id]
    desk.delete_attachment(admin, a.id)
    assert [x.id for x in desk.list_attachments(admin, t.id)] == [b.id]
    with pytest.raises(fd.NotFoundError):
        desk.open_attachment(admin, a.id)


def test_attachment_policy_is_enforced(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="a")
    with pytest.raises(fd.ValidationError):
        desk.add_attachment(admin, t.id, "virus.exe", b"MZ...")
    assert desk.list_attachments(admin, t.id) == []
