"""Many threads on one Desk, the GIL released while Rust works, asyncio concurrency."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import alarm_event, config

import faultdesk as fd


def test_many_threads_one_desk(desk: fd.Desk, admin: fd.Actor) -> None:
    def work(i: int) -> list[str]:
        out = []
        for j in range(5):
            t = desk.create_ticket(admin, subject=f"t{i}-{j}")
            desk.add_comment(admin, t.id, "hi")
            out.append(desk.get_ticket(admin, t.id).number)
        desk.ingest(admin, alarm_event(f"olt-{i % 3}"))
        return out

    with ThreadPoolExecutor(max_workers=12) as pool:
        numbers = [n for ns in pool.map(work, range(12)) for n in ns]
    assert len(numbers) == 60 and len(set(numbers)) == 60  # unique numbers under concurrency
    assert desk.list_tickets(admin, page_size=100).total == 60
    alarms = desk.list_alarms(admin).items
    assert len(alarms) == 3 and sum(a.occurrence_count for a in alarms) == 12


def test_the_gil_is_released_while_rust_works(desk: fd.Desk, admin: fd.Actor) -> None:
    """While one thread is inside a Desk call, another thread keeps running Python code. (Were
    the GIL held for the call, the spinner could not advance at all until it returned.)"""
    stop, spinning = threading.Event(), threading.Event()
    ticks = 0

    def spin() -> None:
        nonlocal ticks
        spinning.set()
        while not stop.is_set():
            ticks += 1

    events = [alarm_event(f"olt-{i}") for i in range(1000)]
    th = threading.Thread(target=spin)
    th.start()
    try:
        assert spinning.wait(10)
        before = ticks
        desk.ingest_batch(admin, events)
        during = ticks - before
    finally:
        stop.set()
        th.join()
    assert during > 1000, during


def test_asyncio_concurrency(desk_url: str, admin: fd.Actor, tmp_path: Path) -> None:
    async def main() -> None:
        d = await fd.AsyncDesk.open(desk_url, config(tmp_path))
        tickets = await asyncio.gather(*(d.create_ticket(admin, subject=f"a{i}") for i in range(30)))
        assert len({t.number for t in tickets}) == 30
        page, alarm = await asyncio.gather(d.list_tickets(admin, page_size=100), d.ingest(admin, alarm_event()))
        assert page.total == 30 and alarm.created == 1
        with pytest.raises(fd.NotFoundError):
            await d.get_ticket(admin, "018f0000-0000-7000-8000-000000000000")
        # The event loop keeps running while the Desk works.
        ticker = 0

        async def tick() -> None:
            nonlocal ticker
            while True:
                ticker += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(tick())
        await asyncio.gather(*(d.get_ticket(admin, t.id) for t in tickets))
        task.cancel()
        assert ticker > 0
        await d.close()
        assert d.closed

    asyncio.run(main())


def test_async_desk_across_event_loops(desk_url: str, admin: fd.Actor, tmp_path: Path) -> None:
    """An AsyncDesk is not tied to the loop that opened it (the runtime is the binding's)."""
    d = asyncio.run(fd.AsyncDesk.open(desk_url, config(tmp_path)))
    t = asyncio.run(d.create_ticket(admin, subject="loop 2"))
    assert asyncio.run(d.get_ticket(admin, t.id)) == t
    asyncio.run(d.close())


def test_async_cancellation_is_harmless(desk_url: str, admin: fd.Actor, tmp_path: Path) -> None:
    async def main() -> None:
        async with await fd.AsyncDesk.open(desk_url, config(tmp_path)) as d:
            task = asyncio.ensure_future(d.ingest_batch(admin, [alarm_event(f"o-{i}") for i in range(200)]))
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The Desk still works; the batch either committed as a whole or not at all.
            assert (await d.list_alarms(admin, page_size=100)).total in (0, 200)
            assert (await d.create_ticket(admin, subject="after cancel")).number

    asyncio.run(main())
