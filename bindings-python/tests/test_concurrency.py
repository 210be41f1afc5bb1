"""Threads sharing one Desk, asyncio concurrency, and fork safety."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import faultdesk as fd


def test_many_threads_one_desk(desk: fd.Desk, admin: fd.Actor) -> None:
    def work(i: int) -> list[str]:
        return [desk.create_ticket(admin, subject=f"t{i}-{j}").number for j in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = [n for ns in pool.map(work, range(8)) for n in ns]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert desk.list_tickets(admin, page_size=100).total == 40


def test_asyncio_concurrency(desk_url: str, admin: fd.Actor, tmp_path: Path) -> None:
    async def main() -> None:
        d = await fd.AsyncDesk.open(desk_url, {"blob_dir": str(tmp_path / "b")})
        tickets = await asyncio.gather(
            *(d.create_ticket(admin, subject=f"a{i}") for i in range(20))
        )
        assert len({t.number for t in tickets}) == 20
        page = await d.list_tickets(admin, page_size=100)
        assert page.total == 20
        with pytest.raises(fd.NotFoundError):
            await d.get_ticket(admin, "018f0000-0000-7000-8000-000000000000")
        sub = d.subscribe(admin, ["ticket.updated"])
        await d.update_ticket(admin, tickets[0].id, subject="changed")
        ev = await asyncio.wait_for(sub.__anext__(), timeout=10)
        assert ev.kind == "ticket.updated"
        await d.close()

    asyncio.run(main())


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child hung")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_parent_desk_raises_child_desk_works(tmp_path: Path) -> None:
    desk = fd.Desk.open(f"sqlite://{tmp_path / 'p.db'}")
    actor = fd.Actor("t", "u", roles=["ADMIN"])
    desk.create_ticket(actor, subject="before fork")
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 0
        try:
            try:
                desk.create_ticket(actor, subject="in child")
                code = 10  # must not work silently on the parent's pool
            except fd.FaultdeskError as e:
                if "os.fork()" not in str(e):
                    code = 11
            child = fd.Desk.open(f"sqlite://{tmp_path / 'c.db'}")
            made = child.create_ticket(actor, subject="child")
            if child.get_ticket(actor, made.id) != made:
                code = 12
            child.close()
        except BaseException:
            code = 13
        os._exit(code)
    assert _wait(pid, 60) == 0
    # The parent is unaffected.
    assert desk.list_tickets(actor).total == 1
