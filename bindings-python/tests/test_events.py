"""Subscriptions (iterator and async iterator) and events_since."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from conftest import config

import faultdesk as fd


def test_subscribe_is_an_iterator_of_typed_events(desk: fd.Desk, admin: fd.Actor) -> None:
    sub = desk.subscribe(admin, "ticket.*")
    assert iter(sub) is sub
    t = desk.create_ticket(admin, subject="e")
    ev = next(sub)
    assert isinstance(ev, fd.Event)
    assert (ev.kind, ev.tenant_id, ev.entity_id, ev.internal) == ("ticket.created", admin.tenant_id, str(t.id), False)
    assert ev.at.tzinfo is not None and ev.seq > 0
    desk.update_ticket(admin, t.id, subject="e2")
    ev2 = sub.next(timeout=10)
    assert ev2 is not None and ev2.kind == "ticket.updated" and ev2.seq > ev.seq
    assert sub.next(timeout=0.05) is None
    assert sub.try_next() is None


def test_filters_tenant_and_visibility(desk: fd.Desk, admin: fd.Actor, tenant: str) -> None:
    reporter = fd.Actor(tenant, "customer-1", roles=["END_USER"])
    other_tenant = fd.Actor(f"{tenant}-other", "admin", roles=["ADMIN"])
    admin_sub = desk.subscribe(admin, ["ticket.commented", "ticket.created"])
    reporter_sub = desk.subscribe(reporter, {"kinds": ["ticket.commented"]})
    other_sub = desk.subscribe(other_tenant)
    t = desk.create_ticket(reporter, subject="mine")
    desk.add_comment(admin, t.id, "internal", visibility="internal")
    desk.add_comment(admin, t.id, "public")
    kinds = [admin_sub.next(timeout=10) for _ in range(3)]
    assert [e.kind for e in kinds if e] == ["ticket.created", "ticket.commented", "ticket.commented"]
    assert [e.internal for e in kinds if e] == [False, True, False]
    seen = reporter_sub.next(timeout=10)
    assert seen is not None and seen.kind == "ticket.commented" and not seen.internal
    assert reporter_sub.next(timeout=0.1) is None  # the internal one is not for an end user
    assert other_sub.next(timeout=0.1) is None  # nothing of another tenant


def test_close_ends_the_iteration(desk_url: str, admin: fd.Actor, tmp_path: Path) -> None:
    d = fd.Desk.open(desk_url, config(tmp_path))
    sub = d.subscribe(admin)
    got: list[str] = []
    done = threading.Event()

    def consume() -> None:
        for ev in sub:  # blocks without the GIL until an event or close()
            got.append(ev.kind)
        done.set()

    th = threading.Thread(target=consume)
    th.start()
    d.create_ticket(admin, subject="one")
    d.close()
    assert done.wait(10), "iteration did not end when the Desk was closed"
    th.join()
    assert got == ["ticket.created"] or got == []  # closing may overtake delivery; never hangs
    with pytest.raises(StopIteration):
        next(sub)


def test_async_iterator(desk_url: str, admin: fd.Actor, tmp_path: Path) -> None:
    async def main() -> list[str]:
        d = await fd.AsyncDesk.open(desk_url, config(tmp_path))
        sub = d.subscribe(admin, "ticket.*")
        assert sub.__aiter__() is sub
        t = await d.create_ticket(admin, subject="a")
        await d.update_ticket(admin, t.id, subject="b")
        kinds = []
        async for ev in sub:
            kinds.append(ev.kind)
            if len(kinds) == 2:
                break
        # Cancelling a pending read loses nothing: the next event still arrives.
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(sub.__anext__(), timeout=0.05)
        await d.delete_ticket(admin, t.id)
        ev = await asyncio.wait_for(sub.__anext__(), timeout=10)
        kinds.append(ev.kind)
        await d.close()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(sub.__anext__(), timeout=10)
        return kinds

    assert asyncio.run(main()) == ["ticket.created", "ticket.updated", "ticket.deleted"]


def test_events_since_resumes_a_consumer(desk: fd.Desk, admin: fd.Actor) -> None:
    t = desk.create_ticket(admin, subject="e")
    desk.update_ticket(admin, t.id, subject="f")
    evs = desk.events_since(admin, 0, limit=100)
    assert [e.kind for e in evs] == ["ticket.created", "ticket.updated"]
    assert desk.events_since(admin, evs[0].seq) == evs[1:]
    assert desk.events_since(admin, evs[-1].seq) == []
    with pytest.raises(fd.ValidationError):
        desk.events_since(admin, 0, limit=0)
