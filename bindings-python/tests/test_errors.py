"""Each exception type, its hierarchy and its exact message."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

import faultdesk as fd


def test_hierarchy() -> None:
    for cls in (
        fd.NotFoundError,
        fd.ConflictError,
        fd.PermissionDeniedError,
        fd.ValidationError,
        fd.InvalidTransitionError,
        fd.StorageError,
    ):
        assert issubclass(cls, fd.FaultdeskError)
        assert cls.__module__ == "faultdesk"
    assert issubclass(fd.ValidationError, ValueError)
    assert not issubclass(fd.NotFoundError, ValueError)


def test_not_found_message_is_seed_text(desk: fd.Desk, admin: fd.Actor) -> None:
    missing = uuid.uuid4()
    with pytest.raises(fd.NotFoundError) as e:
        desk.create_ticket_from_alarm(admin, missing)
    assert str(e.value) == f"Alarm {missing} not found"
    assert e.value.code == "NOT_FOUND"  # type: ignore[attr-defined]


def test_permission_denied_message(desk: fd.Desk, nobody: fd.Actor) -> None:
    with pytest.raises(fd.PermissionDeniedError) as e:
        desk.create_ticket_from_alarm(nobody, uuid.uuid4(), priority="high")
    assert str(e.value) == "Permission denied. Required permission: faults.alarms.write"


def test_validation(desk: fd.Desk, admin: fd.Actor) -> None:
    with pytest.raises(fd.ValidationError):
        desk.list_tickets(admin, page_size=101)
    with pytest.raises(ValueError):
        desk.create_ticket(admin, subject="   ")
    with pytest.raises(fd.ValidationError) as e:
        desk.get_ticket(admin, "not-a-uuid")
    assert "not a valid UUID" in str(e.value)
    with pytest.raises(fd.ValidationError):
        desk.create_ticket_from_alarm(admin, uuid.uuid4(), priority="urgent-ish")


def test_naive_datetime_is_rejected(desk: fd.Desk, admin: fd.Actor) -> None:
    with pytest.raises(fd.ValidationError) as e:
        desk.create_ticket(admin, subject="x", due_at=datetime(2030, 1, 1))
    assert "naive datetime" in str(e.value)
    assert desk.list_tickets(admin).total == 0


def test_invalid_transition(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="x")
    with pytest.raises(fd.InvalidTransitionError) as e:
        desk.transition_ticket(admin, t.id, "CLOSED")
    assert "CLOSED" in str(e.value).upper()


def test_storage_error_on_unreachable_database() -> None:
    with pytest.raises(fd.StorageError):
        fd.Desk.open("postgres://nobody@127.0.0.1:1/none")


def test_conflict_from_invalid_config() -> None:
    with pytest.raises(fd.ValidationError):
        fd.Desk.open("sqlite::memory:", {"no_such_key": 1})
    with pytest.raises(fd.ValidationError):
        fd.Desk.open("sqlite::memory:", fd.Config(workflow="no-such-workflow"))


def test_actor_ids_and_bad_types() -> None:
    u = uuid.uuid4()
    a = fd.Actor(u, u, roles=["ADMIN"], permissions=["faults.alarms.write"], ip="10.0.0.1")
    assert a.tenant_id == str(u) and a.user_id == str(u)
    assert a == fd.Actor(str(u), str(u), ["ADMIN"], ["faults.alarms.write"], "10.0.0.1")
    assert a.to_dict()["roles"] == ["ADMIN"]
    assert "Actor(" in repr(a)
    with pytest.raises(fd.ValidationError):
        fd.Actor(123, "u")  # type: ignore[arg-type]
