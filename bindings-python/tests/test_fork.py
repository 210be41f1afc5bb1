"""Fork safety: in a child after ``os.fork()`` a Desk opened before the fork raises a clear
error, a Desk opened in the child works (blocking and asyncio), and nothing hangs — not even
the child's interpreter shutdown, which drops the parent's objects."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

import faultdesk as fd

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

ACTOR = fd.Actor("t", "u", roles=["ADMIN"])


def wait_for(pid: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    stacks = child_stacks(pid)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"the forked child hung; its threads:\n{stacks}")


def child_stacks(pid: int) -> str:
    """The hung child's native stacks (gdb, when installed), to see which lock it waits on."""
    try:
        out = subprocess.run(
            ["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt 30"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"(no stacks: {e})"
    return "\n".join(line for line in out.stdout.splitlines() if line.startswith(("#", "Thread")))


def in_child(body: Callable[[], int]) -> int:
    """Runs ``body`` in a forked child (which leaves through ``os._exit``, never returning into
    pytest); returns its exit code."""
    pid = os.fork()
    if pid == 0:
        try:
            code = body()
        except BaseException:  # noqa: BLE001 - any escape is a failure code
            traceback.print_exc()
            code = 99
        os._exit(code)
    return wait_for(pid)


def test_parent_desk_raises_in_child_and_child_desk_works(tmp_path: Path) -> None:
    desk = fd.Desk.open(f"sqlite://{tmp_path / 'p.db'}")
    desk.create_ticket(ACTOR, subject="before fork")
    sub = desk.subscribe(ACTOR)

    def child() -> int:
        try:
            desk.create_ticket(ACTOR, subject="in child")
            return 10  # must not silently use the parent's pool
        except fd.FaultdeskError as e:
            if "cannot be used in process" not in str(e) or "os.fork()" not in str(e):
                return 11
        try:
            sub.next(timeout=0.1)
            return 12
        except fd.FaultdeskError:
            pass
        with fd.Desk.open(f"sqlite://{tmp_path / 'c.db'}") as own:
            made = own.create_ticket(ACTOR, subject="child")
            if own.get_ticket(ACTOR, made.id) != made:
                return 13
        return 0

    assert in_child(child) == 0
    assert desk.list_tickets(ACTOR).total == 1  # the parent is unaffected
    assert desk.create_ticket(ACTOR, subject="parent still works").number


def test_async_desk_in_child(tmp_path: Path) -> None:
    async def parent_open() -> fd.AsyncDesk:
        return await fd.AsyncDesk.open(f"sqlite://{tmp_path / 'p.db'}")

    parent = asyncio.run(parent_open())  # the asyncio bridge is initialised before the fork

    def child() -> int:
        async def main() -> int:
            try:
                await parent.create_ticket(ACTOR, subject="x")
                return 20
            except fd.FaultdeskError:
                pass
            async with await fd.AsyncDesk.open(f"sqlite://{tmp_path / 'c.db'}") as own:
                t = await own.create_ticket(ACTOR, subject="async child")
                return 0 if (await own.get_ticket(ACTOR, t.id)) == t else 21

        return asyncio.run(main())

    assert in_child(child) == 0
    assert asyncio.run(parent.list_tickets(ACTOR)).total == 0


def test_child_opens_its_own_desk_while_parent_threads_are_inside_sqlite(tmp_path: Path) -> None:
    """The parent keeps SQLite busy on other threads (reads and writes through its Desk) while
    the main thread forks again and again. A child must never inherit one of SQLite's static
    mutexes locked by a thread it does not have: each child opens its own database and writes
    to it. Without the fork handler most children hang in ``sqlite3_open_v2``."""
    desk = fd.Desk.open(f"sqlite://{tmp_path / 'busy.db'}")
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_busy() -> None:
        try:
            while not stop.is_set():
                desk.create_ticket(ACTOR, subject="busy parent")
                desk.list_tickets(ACTOR, page_size=5)
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(e)

    workers = [threading.Thread(target=keep_busy) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        for i in range(12):
            path = tmp_path / f"child{i}.db"

            def child(path: Path = path) -> int:
                with fd.Desk.open(f"sqlite://{path}", config={"store": {"acquire_timeout_secs": 10}}) as own:
                    made = own.create_ticket(ACTOR, subject="child")
                    return 0 if own.get_ticket(ACTOR, made.id) == made else 31

            assert in_child(child) == 0, f"child {i}"
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert not failures, failures
    assert desk.list_tickets(ACTOR).total > 0


def test_child_interpreter_shutdown_does_not_hang(tmp_path: Path) -> None:
    """A child that exits normally drops the parent's Desk and subscription during interpreter
    shutdown; that must neither hang nor crash."""
    script = tmp_path / "child.py"
    script.write_text(
        "import os, sys, faultdesk as fd\n"
        f"desk = fd.Desk.open('sqlite://{tmp_path / 's.db'}')\n"
        "actor = fd.Actor('t', 'u', roles=['ADMIN'])\n"
        "desk.create_ticket(actor, subject='x')\n"
        "sub = desk.subscribe(actor)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    sys.exit(0)  # full shutdown in the child with the parent's objects alive\n"
        "_, status = os.waitpid(pid, 0)\n"
        "sys.exit(os.waitstatus_to_exitcode(status))\n"
    )
    proc = subprocess.run([sys.executable, str(script)], timeout=60, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
