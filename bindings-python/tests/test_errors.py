"""Each exception type: hierarchy, code, exact message, and that a failed call changed nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest

import faultdesk as fd

KINDS = {
    fd.NotFoundError: "NOT_FOUND",
    fd.ConflictError: "CONFLICT",
    fd.PermissionDeniedError: "PERMISSION_DENIED",
    fd.ValidationError: "VALIDATION",
    fd.InvalidTransitionError: "INVALID_TRANSITION",
    fd.StorageError: "STORAGE",
}


def test_hierarchy() -> None:
    for cls in KINDS:
        assert issubclass(cls, fd.FaultdeskError) and issubclass(cls, Exception)
        assert cls.__module__ == "faultdesk" and cls.__doc__
    assert issubclass(fd.ValidationError, ValueError)
    assert not any(issubclass(c, ValueError) for c in KINDS if c is not fd.ValidationError)
    assert len(set(KINDS)) == 6 and not issubclass(fd.FaultdeskError, ValueError)


def test_not_found(desk: fd.Desk, admin: fd.Actor) -> None:
    missing = uuid.uuid4()
    with pytest.raises(fd.NotFoundError) as e:
        desk.create_ticket_from_alarm(admin, missing)
    assert str(e.value) == f"Alarm {missing} not found"
    assert (e.value.code, e.value.retryable) == ("NOT_FOUND", False)
    with pytest.raises(fd.NotFoundError):
        desk.get_ticket_by_number(admin, "TKT-1999-000001")


def test_conflict(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="x")
    a = desk.ingest(admin, {"event_type": "device.down", "source": "network_device", "resource_type": "olt",
                            "resource_id": "o", "title": "t", "occurred_at": t.created_at}).alarm_ids[0]
    desk.create_ticket_from_alarm(admin, a)
    with pytest.raises(fd.ConflictError) as e:
        desk.create_ticket_from_alarm(admin, a)
    assert e.value.code == "CONFLICT" and "already has ticket" in str(e.value)


def test_permission_denied(desk: fd.Desk, admin: fd.Actor, nobody: fd.Actor) -> None:
    with pytest.raises(fd.PermissionDeniedError) as e:
        desk.create_ticket_from_alarm(nobody, uuid.uuid4(), priority="high")
    assert str(e.value) == "Permission denied. Required permission: faults.alarms.write"
    assert e.value.code == "PERMISSION_DENIED"
    with pytest.raises(fd.PermissionDeniedError):
        desk.create_ticket(nobody, subject="x")
    assert desk.list_tickets(admin).total == 0


def test_validation(desk: fd.Desk, admin: fd.Actor) -> None:
    with pytest.raises(fd.ValidationError) as page:
        desk.list_tickets(admin, page_size=101)
    assert page.value.code == "VALIDATION"
    with pytest.raises(ValueError):  # ValidationError is a ValueError
        desk.create_ticket(admin, subject="   ")
    with pytest.raises(fd.ValidationError, match="not a valid UUID"):
        desk.get_ticket(admin, "not-a-uuid")
    with pytest.raises(fd.ValidationError):
        desk.get_ticket(admin, 42)  # type: ignore[arg-type]
    with pytest.raises(fd.ValidationError):
        desk.create_ticket(admin, subject="x", priority="urgent-ish")
    assert desk.list_tickets(admin).total == 0


def test_naive_datetime_is_rejected(desk: fd.Desk, admin: fd.Actor) -> None:
    with pytest.raises(fd.ValidationError) as e:
        desk.create_ticket(admin, subject="x", due_at=datetime(2030, 1, 1))
    assert "naive datetime 2030-01-01T00:00:00 is not accepted" in str(e.value)
    assert desk.list_tickets(admin).total == 0


def test_invalid_transition(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="x")
    with pytest.raises(fd.InvalidTransitionError) as e:
        desk.transition_ticket(admin, t.id, "CLOSED")
    assert e.value.code == "INVALID_TRANSITION" and "CLOSED" in str(e.value).upper()
    assert desk.get_ticket(admin, t.id).status == "NEW"
    assert [h.event_type for h in desk.ticket_history(admin, t.id)] == ["CREATED"]


def test_storage_error_on_unreachable_database() -> None:
    with pytest.raises(fd.StorageError) as e:
        fd.Desk.open("postgres://nobody@127.0.0.1:1/none", {"store": {"acquire_timeout_secs": 1}})
    assert e.value.code == "STORAGE" and str(e.value)


def test_invalid_config() -> None:
    with pytest.raises(fd.ValidationError, match="no_such_key"):
        fd.Desk.open("sqlite::memory:", {"no_such_key": 1})
    with pytest.raises(fd.ValidationError):
        fd.Desk.open("sqlite::memory:", fd.Config(workflow="no-such-workflow"))
    with pytest.raises(fd.ValidationError):
        fd.Desk.open("sqlite::memory:", "{not json")


def test_closed_desk_raises_clearly() -> None:
    d = fd.Desk.open("sqlite::memory:")
    d.close()
    assert d.closed
    d.close()  # idempotent
    with pytest.raises(fd.FaultdeskError, match="this Desk is closed"):
        d.create_ticket(fd.Actor("t", "u", roles=["ADMIN"]), subject="x")


def test_rust_panic_is_an_exception_not_an_abort() -> None:
    with pytest.raises(fd.FaultdeskError) as e:
        fd._faultdesk._panic_for_test("boom")
    assert str(e.value) == "faultdesk internal error (a Rust panic): boom"
    assert e.value.code == "INTERNAL" and type(e.value) is fd.FaultdeskError
    assert fd._faultdesk._panic_for_test("") is None  # the same path without a panic

    async def main() -> None:
        with pytest.raises(fd.FaultdeskError, match="a Rust panic"):
            await fd._faultdesk._panic_for_test("boom async", awaitable=True)

    asyncio.run(main())
    # The runtime survives a panicking task.
    with fd.Desk.open("sqlite::memory:") as d:
        assert d.create_ticket(fd.Actor("t", "u", roles=["ADMIN"]), subject="after panic").number


def test_actor_ids_and_bad_types() -> None:
    u = uuid.uuid4()
    a = fd.Actor(u, u, roles=["ADMIN"], permissions=["faults.alarms.write"], ip="10.0.0.1")
    assert a.tenant_id == str(u) and a.user_id == str(u)
    assert a == fd.Actor(str(u), str(u), ["ADMIN"], ["faults.alarms.write"], "10.0.0.1")
    assert hash(a) == hash(fd.Actor(str(u), str(u), ["ADMIN"], ["faults.alarms.write"], "10.0.0.1"))
    assert a != fd.Actor(str(u), str(u))
    assert a.to_dict() == {
        "tenant_id": str(u), "user_id": str(u), "roles": ["ADMIN"], "permissions": ["faults.alarms.write"],
        "ip": "10.0.0.1",
    }
    assert repr(fd.Actor("t", "u")) == 'Actor(tenant_id="t", user_id="u", roles=[], permissions=[], ip=None)'
    with pytest.raises(fd.ValidationError):
        fd.Actor(123, "u")  # type: ignore[arg-type]
