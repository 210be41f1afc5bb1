"""The tenant isolation matrix (issue 11) through the Python binding: every Desk use-case, run
as tenant B (an ADMIN there) against tenant A's ids and ticket number, on every backend.

Each case says what B must get — ``NOT_FOUND``: a ``NotFoundError``; ``NOTHING``: success
that shows none of A's objects; ``REFUSED``: a ``ValidationError``; ``OWN_ONLY``: success that
only creates B's own objects — and for all of them, tenant A's rows in every table (read
straight from the database, not through the Desk) are identical before and after, and no
result names one of A's ids.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import alarm_event, config
from test_alarms import SEED_002_RULE, ont_loss

import faultdesk as fd

NOT_FOUND, NOTHING, REFUSED, OWN_ONLY = "not found", "nothing", "refused", "own only"


#: Dumps a tenant's rows of a SQLite file, pickled to stdout. It runs in a child process: a
#: second SQLite library in this process (Python's ``sqlite3`` next to the binding's own)
#: would release the Desk's POSIX file locks whenever it closes the file, which is what
#: SQLite documents as corrupting (seen here as ``disk I/O error`` on the Desk's next read).
_SQLITE_DUMP = """
import pickle, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
out = {}
for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
    if "tenant_id" in cols:
        rows = con.execute(f'SELECT * FROM "{t}" WHERE tenant_id = ?', (sys.argv[2],)).fetchall()
        out[t] = sorted(rows, key=repr)
con.close()
sys.stdout.buffer.write(pickle.dumps(out))
"""


def dump_rows(url: str, tenant: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tenant`` in every table that has a ``tenant_id``, in a stable order."""
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        done = subprocess.run([sys.executable, "-c", _SQLITE_DUMP, path, tenant], check=True, capture_output=True)
        dumped: dict[str, list[tuple[Any, ...]]] = pickle.loads(done.stdout)
        return dumped
    out: dict[str, list[tuple[Any, ...]]] = {}
    import psycopg

    with psycopg.connect(url) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' "
                "AND table_schema = current_schema()"
            )
        ]
        for t in tables:
            rows = con.execute(f'SELECT * FROM "{t}" WHERE tenant_id = %s', (tenant,)).fetchall()
            out[t] = sorted(rows, key=repr)
    return out


@dataclass
class World:
    """Tenant A's objects and the two actors."""

    desk: fd.Desk
    url: str
    a: fd.Actor
    b: fd.Actor
    alarm: uuid.UUID  # with a note and a ticket
    bare_alarm: uuid.UUID  # active, critical, an hour old, no ticket
    parent: uuid.UUID
    correlation: uuid.UUID
    ticket: uuid.UUID
    number: str
    comment: uuid.UUID
    attachment: uuid.UUID
    rule: uuid.UUID
    window: uuid.UUID
    sla_definition: uuid.UUID
    sla_instance: uuid.UUID  # on olt-1, with the outage of A's olt-1 alarm
    ids: list[str] = field(default_factory=list)

    def leaks(self, result: object) -> list[str]:
        text = repr(result)
        return [i for i in self.ids if i in text]


@pytest.fixture
def world(desk_url: str, tmp_path: Path) -> Iterator[World]:
    desk = fd.Desk.open(desk_url, config(tmp_path))
    tag = uuid.uuid4().hex[:8]
    a = fd.Actor(f"tenant-a-{tag}", "admin-a", roles=["ADMIN"])
    b = fd.Actor(f"tenant-b-{tag}", "admin-b", roles=["ADMIN"])
    rule = desk.create_rule(a, SEED_002_RULE).id
    desk.add_topology_edges(a, [("olt-1", "ont-1")])
    t0 = datetime.now(timezone.utc) - timedelta(minutes=1)
    parent = desk.ingest(a, alarm_event("olt-1", occurred_at=t0)).alarm_ids[0]
    desk.ingest(a, ont_loss("ont-1", t0 + timedelta(seconds=5)))
    correlation = desk.get_alarm(a, parent).correlation_id
    assert correlation is not None
    alarm = desk.ingest(a, alarm_event("router-1", event_type="port_down", severity="major")).alarm_ids[0]
    desk.add_alarm_note(a, alarm, "looked at it")
    hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    bare = desk.ingest(a, alarm_event("olt-2", occurred_at=hour_ago)).alarm_ids[0]
    for i in range(2):  # A's ticket is not its first: B's own first number must not collide
        desk.create_ticket(a, subject=f"filler {i}")
    res = desk.create_ticket_from_alarm(a, alarm)
    comment = desk.add_comment(a, res.ticket_id, "public").id
    desk.add_comment(a, res.ticket_id, "internal", visibility="internal")
    attachment = desk.add_attachment(a, res.ticket_id, "a.txt", b"tenant a", content_type="text/plain").id
    now = datetime.now(timezone.utc)
    window = desk.create_maintenance_window(
        a, title="A's window", start=now + timedelta(days=1), end=now + timedelta(days=2), scope={"resources": ["olt-1"]}
    ).id
    sla_def = desk.create_sla_definition(a, sla_definition("A's Gold")).id
    sla_inst = desk.create_sla_instance(a, sla_def, "cust-a", resource_ids=["olt-1"], at=t0).id
    w = World(desk, desk_url, a, b, alarm, bare, parent, correlation, res.ticket_id, res.ticket_number, comment,
              attachment, rule, window, sla_def, sla_inst)
    w.ids = [str(x) for x in (alarm, bare, parent, correlation, res.ticket_id, comment, attachment, rule, window,
                              sla_def, sla_inst)]
    w.ids.append(res.ticket_number)
    yield w
    desk.close()


def sla_definition(name: str) -> dict[str, Any]:
    return {"name": name, "availability_target": "0.9999", "measurement_period": {"kind": "calendar_month"},
            "monthly_fee": "100.00"}


Case = tuple[str, str, Callable[[World], object]]

CASES: list[Case] = [
    ("ingest", OWN_ONLY, lambda w: w.desk.ingest(w.b, alarm_event("olt-1"))),
    ("ingest_batch", REFUSED, lambda w: w.desk.ingest_batch(w.b, [alarm_event("x"), alarm_event("y", tenant_id=w.a.tenant_id)])),
    ("get_alarm", NOT_FOUND, lambda w: w.desk.get_alarm(w.b, w.alarm)),
    ("list_alarms", NOTHING, lambda w: w.desk.list_alarms(w.b, resource_id="router-1")),
    ("acknowledge_alarm", NOT_FOUND, lambda w: w.desk.acknowledge_alarm(w.b, w.bare_alarm)),
    ("clear_alarm", NOT_FOUND, lambda w: w.desk.clear_alarm(w.b, w.bare_alarm)),
    ("resolve_alarm", NOT_FOUND, lambda w: w.desk.resolve_alarm(w.b, w.bare_alarm)),
    ("assign_alarm", NOT_FOUND, lambda w: w.desk.assign_alarm(w.b, w.bare_alarm, "b-user")),
    ("add_alarm_note", NOT_FOUND, lambda w: w.desk.add_alarm_note(w.b, w.alarm, "b's note")),
    ("list_alarm_notes", NOT_FOUND, lambda w: w.desk.list_alarm_notes(w.b, w.alarm)),
    ("alarm_children", NOT_FOUND, lambda w: w.desk.alarm_children(w.b, w.parent)),
    ("correlation_group", NOTHING, lambda w: w.desk.correlation_group(w.b, w.correlation)),
    ("alarm_stats", NOTHING, lambda w: w.desk.alarm_stats(w.b)),
    ("check_unacknowledged", NOTHING, lambda w: w.desk.check_unacknowledged(w.b)),
    ("archive_cleared", NOTHING, lambda w: w.desk.archive_cleared(w.b, older_than=timedelta(0))),
    ("create_rule", OWN_ONLY, lambda w: w.desk.create_rule(w.b, SEED_002_RULE)),
    ("list_rules", NOTHING, lambda w: w.desk.list_rules(w.b)),
    ("update_rule", NOT_FOUND, lambda w: w.desk.update_rule(w.b, w.rule, SEED_002_RULE)),
    ("delete_rule", NOT_FOUND, lambda w: w.desk.delete_rule(w.b, w.rule)),
    ("add_topology_edges", OWN_ONLY, lambda w: w.desk.add_topology_edges(w.b, [("olt-1", "ont-1")])),
    ("remove_topology_edges", NOTHING, lambda w: w.desk.remove_topology_edges(w.b, [("olt-1", "ont-1")])),
    ("create_maintenance_window", OWN_ONLY, lambda w: w.desk.create_maintenance_window(
        w.b, title="B's", start=datetime.now(timezone.utc), end=datetime.now(timezone.utc) + timedelta(hours=1),
        scope={"resources": ["olt-1"]})),
    ("list_maintenance_windows", NOTHING, lambda w: w.desk.list_maintenance_windows(w.b)),
    ("cancel_maintenance_window", NOT_FOUND, lambda w: w.desk.cancel_maintenance_window(w.b, w.window)),
    ("create_ticket_from_alarm", NOT_FOUND, lambda w: w.desk.create_ticket_from_alarm(w.b, w.alarm)),
    ("create_ticket", OWN_ONLY, lambda w: w.desk.create_ticket(w.b, subject="B's own")),
    ("get_ticket", NOT_FOUND, lambda w: w.desk.get_ticket(w.b, w.ticket)),
    ("get_ticket_by_number", NOT_FOUND, lambda w: w.desk.get_ticket_by_number(w.b, w.number)),
    ("update_ticket", NOT_FOUND, lambda w: w.desk.update_ticket(w.b, w.ticket, subject="hijacked", assignee_id=None)),
    ("delete_ticket", NOT_FOUND, lambda w: w.desk.delete_ticket(w.b, w.ticket)),
    ("assign_ticket", NOT_FOUND, lambda w: w.desk.assign_ticket(w.b, w.ticket, "b-user")),
    ("transition_ticket", NOT_FOUND, lambda w: w.desk.transition_ticket(w.b, w.ticket, "OPEN")),
    ("reopen_ticket", NOT_FOUND, lambda w: w.desk.reopen_ticket(w.b, w.ticket, "because")),
    ("ticket_history", NOT_FOUND, lambda w: w.desk.ticket_history(w.b, w.ticket)),
    ("ticket_sla", NOT_FOUND, lambda w: w.desk.ticket_sla(w.b, w.ticket)),
    ("list_tickets", NOTHING, lambda w: w.desk.list_tickets(w.b, page_size=100)),
    ("search_tickets", NOTHING, lambda w: w.desk.search_tickets(w.b, "ALARM")),
    ("ticket_stats", NOTHING, lambda w: w.desk.ticket_stats(w.b)),
    ("add_comment", NOT_FOUND, lambda w: w.desk.add_comment(w.b, w.ticket, "b's comment")),
    ("edit_comment", NOT_FOUND, lambda w: w.desk.edit_comment(w.b, w.comment, "hijacked")),
    ("delete_comment", NOT_FOUND, lambda w: w.desk.delete_comment(w.b, w.comment)),
    ("get_comment", NOT_FOUND, lambda w: w.desk.get_comment(w.b, w.comment)),
    ("list_comments", NOT_FOUND, lambda w: w.desk.list_comments(w.b, w.ticket)),
    ("add_attachment", NOT_FOUND, lambda w: w.desk.add_attachment(w.b, w.ticket, "b.txt", b"b", content_type="text/plain")),
    ("list_attachments", NOT_FOUND, lambda w: w.desk.list_attachments(w.b, w.ticket)),
    ("open_attachment", NOT_FOUND, lambda w: w.desk.open_attachment(w.b, w.attachment)),
    ("delete_attachment", NOT_FOUND, lambda w: w.desk.delete_attachment(w.b, w.attachment)),
    ("events_since", NOTHING, lambda w: w.desk.events_since(w.b, 0, limit=1000)),
    ("list_notifications", NOTHING, lambda w: w.desk.list_notifications(w.b, limit=1000)),
    ("create_sla_definition", OWN_ONLY, lambda w: w.desk.create_sla_definition(w.b, sla_definition("B's Gold"))),
    ("get_sla_definition", NOT_FOUND, lambda w: w.desk.get_sla_definition(w.b, w.sla_definition)),
    ("list_sla_definitions", NOTHING, lambda w: w.desk.list_sla_definitions(w.b)),
    ("update_sla_definition", NOT_FOUND, lambda w: w.desk.update_sla_definition(
        w.b, w.sla_definition, sla_definition("pwned"))),
    ("delete_sla_definition", NOT_FOUND, lambda w: w.desk.delete_sla_definition(w.b, w.sla_definition)),
    ("create_sla_instance", NOT_FOUND, lambda w: w.desk.create_sla_instance(
        w.b, w.sla_definition, "cust-b", resource_ids=["olt-1"])),
    ("create_sla_instances", NOT_FOUND, lambda w: w.desk.create_sla_instances(
        w.b, [{"definition_id": w.sla_definition, "customer_id": "cust-b"}])),
    ("get_sla_instance", NOT_FOUND, lambda w: w.desk.get_sla_instance(w.b, w.sla_instance)),
    ("list_sla_instances", NOTHING, lambda w: w.desk.list_sla_instances(w.b)),
    ("update_sla_instance", NOT_FOUND, lambda w: w.desk.update_sla_instance(
        w.b, w.sla_instance, monthly_fee=Decimal("1"), metadata={"pwned": True})),
    ("delete_sla_instance", NOT_FOUND, lambda w: w.desk.delete_sla_instance(w.b, w.sla_instance)),
    ("sla_status", NOT_FOUND, lambda w: w.desk.sla_status(w.b, w.sla_instance)),
    ("sla_compliance_report", NOTHING, lambda w: w.desk.sla_compliance_report(
        w.b, datetime.now(timezone.utc) - timedelta(days=60), datetime.now(timezone.utc))),
    ("list_sla_breaches", NOTHING, lambda w: w.desk.list_sla_breaches(w.b)),
    ("list_sla_breaches", NOT_FOUND, lambda w: w.desk.list_sla_breaches(w.b, instance_id=w.sla_instance)),
    ("record_sla_measurements", NOT_FOUND, lambda w: w.desk.record_sla_measurements(
        w.b, w.sla_instance, [{"at": datetime.now(timezone.utc), "latency_ms": 5000}])),
    ("collect_orphan_blobs", OWN_ONLY, lambda w: w.desk.collect_orphan_blobs(w.b.tenant_id, grace=timedelta(0))),
]

#: Desk methods without a tenant's objects to reach: system calls and the lifecycle.
SYSTEM = {"run_due", "deliver_notifications", "migrate", "open", "close", "subscribe"}


def test_every_desk_use_case_is_in_the_matrix() -> None:
    desk_methods = {
        n for n, m in vars(fd.Desk).items() if not n.startswith("_") and (callable(m) or isinstance(m, classmethod))
    }
    assert desk_methods - SYSTEM == {name for name, _, _ in CASES}


def test_tenant_b_against_tenant_a(world: World) -> None:
    before = dump_rows(world.url, world.a.tenant_id)
    assert sum(len(rows) for rows in before.values()) > 20  # the world exists
    failures: list[str] = []
    for name, expect, call in CASES:
        try:
            result = call(world)
            outcome = "ok"
        except fd.NotFoundError as e:
            result, outcome = e, "not found"
        except fd.ValidationError as e:
            result, outcome = e, "refused"
        wanted = {NOT_FOUND: "not found", REFUSED: "refused"}.get(expect, "ok")
        if outcome != wanted:
            failures.append(f"{name}: expected {expect}, got {outcome}: {result!r}")
        leaked = world.leaks(result)
        if leaked and expect != NOT_FOUND:
            failures.append(f"{name}: result names tenant A's {leaked}: {result!r}")
        after = dump_rows(world.url, world.a.tenant_id)
        if after != before:
            changed = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
            failures.append(f"{name}: tenant A's rows changed in {changed}")
            before = after
    assert not failures, "\n".join(failures)
    # What B did see is its own: its ticket, alarm, rule and window exist under B.
    assert world.desk.list_tickets(world.b).total == 1
    assert world.desk.list_alarms(world.b).total == 1
    assert len(world.desk.list_rules(world.b)) == 1


def test_subscriptions_are_per_tenant(world: World) -> None:
    sub_b = world.desk.subscribe(world.b)
    sub_a = world.desk.subscribe(world.a, "ticket.*")
    world.desk.update_ticket(world.a, world.ticket, subject="A changed it")
    assert sub_a.next(timeout=10) is not None
    assert sub_b.next(timeout=0.2) is None
