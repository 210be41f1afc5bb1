"""Generates python/faultdesk/_desk.py: Desk and AsyncDesk with the same methods.

Usage: python3 gen_desk.py python/faultdesk/_desk.py
"""
M = [
 # name, params, args-dict, return type, converter, doc
 ("create_ticket_from_alarm", "alarm_id: IdLike, *, priority: str | None = None, additional_notes: str | None = None, assign_to_user_id: IdLike | None = None",
  '{"alarm_id": alarm_id, "request": {"priority": priority, "additional_notes": additional_notes, "assign_to_user_id": None if assign_to_user_id is None else str(assign_to_user_id)}}',
  "TicketFromAlarm", "TicketFromAlarm.from_raw", "Seed 000: creates a ticket from an alarm (requires ``faults.alarms.write``)."),
 ("create_ticket", "input: Mapping[str, Any] | None = None, *, subject: str | None = None, description: str | None = None, ticket_type: str | None = None, priority: str | None = None, assignee_id: str | None = None, customer_id: str | None = None, due_at: datetime | None = None, labels: Mapping[str, str] | None = None, metadata: Any = None",
  '{"input": _merge(input, subject=subject, description=description, ticket_type=ticket_type, priority=priority, assignee_id=assignee_id, customer_id=customer_id, due_at=due_at, labels=labels, metadata=metadata)}',
  "Ticket", "Ticket.from_raw", "Creates a ticket (input as a dict and/or keyword arguments)."),
 ("get_ticket", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "Ticket", "Ticket.from_raw", "Reads a ticket."),
 ("get_ticket_by_number", "number: str", '{"number": number}', "Ticket", "Ticket.from_raw", "Reads a ticket by its number (``TKT-2026-000001``)."),
 ("update_ticket", "ticket_id: IdLike, patch: Mapping[str, Any] | None = None, **fields: Any", '{"ticket_id": ticket_id, "patch": _merge(patch, **fields)}', "Ticket", "Ticket.from_raw",
  "Applies a PATCH (only the given fields change; ``assignee_id=None`` unassigns)."),
 ("delete_ticket", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "None", "_none", "Soft-deletes a ticket."),
 ("assign_ticket", "ticket_id: IdLike, assignee_id: IdLike | None", '{"ticket_id": ticket_id, "assignee_id": None if assignee_id is None else str(assignee_id)}', "Ticket", "Ticket.from_raw", "Assigns (``None`` unassigns)."),
 ("transition_ticket", "ticket_id: IdLike, to_state: str, *, resolution_note: str | None = None, comment: str | None = None", '{"ticket_id": ticket_id, "to_state": to_state, "options": {"resolution_note": resolution_note, "comment": comment}}', "Ticket", "Ticket.from_raw", "Moves the ticket to ``to_state`` through its workflow."),
 ("reopen_ticket", "ticket_id: IdLike, reason: str", '{"ticket_id": ticket_id, "reason": reason}', "Ticket", "Ticket.from_raw", "Reopens a resolved or closed ticket."),
 ("ticket_history", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "list[AuditEvent]", "_list(AuditEvent.from_raw)", "The ticket's audit log, oldest first."),
 ("list_tickets", "*, status: str | Sequence[str] | None = None, category: str | Sequence[str] | None = None, open_only: bool = False, priority: str | Sequence[str] | None = None, ticket_type: str | Sequence[str] | None = None, assignee: str | None = None, unassigned: bool = False, reporter: str | None = None, customer_id: str | None = None, labels: Mapping[str, str] | None = None, created_from: datetime | None = None, created_to: datetime | None = None, text: str | None = None, sort: Sequence[str] | None = None, page: int | None = None, page_size: int | None = None, cursor: str | None = None",
  '{"query": _query(locals())}', "Page[Ticket]", "_page(Ticket.from_raw)", "Lists tickets with filters, sort and pages."),
 ("search_tickets", "text: str, *, status: str | Sequence[str] | None = None, category: str | Sequence[str] | None = None, open_only: bool = False, priority: str | Sequence[str] | None = None, labels: Mapping[str, str] | None = None, page: int | None = None, page_size: int | None = None",
  '{"text": text, "query": _query(locals(), skip=("text",))}', "Page[TicketSearchHit]", "_page(TicketSearchHit.from_raw)", "Full-text search over subject and description."),
 ("ticket_stats", "*, status: str | Sequence[str] | None = None, category: str | Sequence[str] | None = None, open_only: bool = False, priority: str | Sequence[str] | None = None, assignee: str | None = None, customer_id: str | None = None, labels: Mapping[str, str] | None = None, created_from: datetime | None = None, created_to: datetime | None = None",
  '{"query": _query(locals())}', "TicketStatistics", "TicketStatistics.from_raw", "Ticket counts by status, category, priority and type."),
 ("add_comment", "ticket_id: IdLike, body: str, *, visibility: str = \"public\"", '{"ticket_id": ticket_id, "body": body, "visibility": visibility}', "Comment", "Comment.from_raw", "Adds a public or internal comment."),
 ("edit_comment", "comment_id: IdLike, body: str", '{"comment_id": comment_id, "body": body}', "Comment", "Comment.from_raw", "Edits a comment (the previous text is kept in its history)."),
 ("delete_comment", "comment_id: IdLike", '{"comment_id": comment_id}', "None", "_none", "Deletes a comment."),
 ("get_comment", "comment_id: IdLike", '{"comment_id": comment_id}', "Comment", "Comment.from_raw", "Reads a comment."),
 ("list_comments", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "list[Comment]", "_list(Comment.from_raw)", "The ticket's comments visible to the actor."),
 ("list_attachments", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "list[Attachment]", "_list(Attachment.from_raw)", "The ticket's attachments."),
 ("delete_attachment", "attachment_id: IdLike", '{"attachment_id": attachment_id}', "None", "_none", "Deletes an attachment."),
 ("list_notifications", "*, ticket_id: IdLike | None = None, limit: int = 100", '{"ticket_id": ticket_id, "limit": limit}', "list[Notification]", "_list(Notification.from_raw)", "Recorded notifications of the tenant (optionally of one ticket)."),
 ("events_since", "after_seq: int = 0, *, limit: int = 100", '{"after_seq": after_seq, "limit": limit}', "list[Event]", "_list(Event.from_raw)", "Committed events after ``after_seq`` (resume a consumer)."),
]
# methods without actor
NA = [
 ("run_due", "now: datetime | None = None", '{"now": now}', "RunDueReport", "RunDueReport.from_raw", "Runs due SLA work (warnings, breaches, escalations) up to ``now``."),
 ("deliver_notifications", "", "{}", "DeliveryReport", "DeliveryReport.from_raw", "Delivers pending notifications."),
 ("migrate", "", "{}", "None", "_none", "Applies pending migrations (also done by ``open``)."),
]
EV = "Mapping[str, Any]"
ALQ = ("*, severity: str | Sequence[str] | None = None, status: str | Sequence[str] | None = None, "
       "source: str | Sequence[str] | None = None, alarm_type: str | None = None, resource_type: str | None = None, "
       "resource_id: str | None = None, customer_id: str | None = None, correlation_id: IdLike | None = None, "
       "root_cause_only: bool = False, from_: datetime | None = None, to: datetime | None = None")
ALARMS: list[tuple[str, str, str, str, str, str]] = [
 ("ingest", f"event: {EV}", '{"event": event}', "IngestOutcome", "IngestOutcome.from_raw", "Ingests one alarm event (dict: ``event_type``, ``source``, ``resource_type``, ``resource_id``, ``title``, ``occurred_at``...; ``tenant_id`` defaults to the actor's)."),
 ("ingest_batch", f"events: Sequence[{EV}]", '{"events": list(events)}', "IngestOutcome", "IngestOutcome.from_raw", "Ingests a batch in one transaction, all-or-nothing."),
 ("get_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw", "Reads an alarm (``Alarm {id} not found`` otherwise)."),
 ("list_alarms", ALQ + ", page: int | None = None, page_size: int | None = None", '{"query": _alarm_query(locals())}', "Page[Alarm]", "_page(Alarm.from_raw)", "Lists alarms with filters (``from_`` is the ``from`` bound)."),
 ("acknowledge_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw", "Acknowledges an alarm."),
 ("clear_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw", "Clears an alarm."),
 ("resolve_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw", "Resolves an alarm."),
 ("assign_alarm", "alarm_id: IdLike, user_id: IdLike", '{"alarm_id": alarm_id, "user_id": str(user_id)}', "Alarm", "Alarm.from_raw", "Assigns an alarm to a user."),
 ("add_alarm_note", "alarm_id: IdLike, content: str, *, note_type: str = \"note\"", '{"alarm_id": alarm_id, "note_type": note_type, "content": content}', "AlarmNote", "AlarmNote.from_raw", "Adds a note to an alarm."),
 ("list_alarm_notes", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "list[AlarmNote]", "_list(AlarmNote.from_raw)", "The alarm's notes."),
 ("alarm_children", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "list[Alarm]", "_list(Alarm.from_raw)", "Child alarms of a parent."),
 ("correlation_group", "correlation_id: IdLike", '{"correlation_id": correlation_id}', "list[Alarm]", "_list(Alarm.from_raw)", "Alarms of one correlation group."),
 ("alarm_stats", ALQ, '{"query": _alarm_query(locals())}', "AlarmStats", "AlarmStats.from_raw", "Alarm counts and mean times."),
 ("check_unacknowledged", "", "{}", "list[UnacknowledgedFinding]", "_list(UnacknowledgedFinding.from_raw)", "Seed 000's unacknowledged-alarm check (logs and returns the findings)."),
 ("archive_cleared", "*, older_than_days: float | None = None", '{"older_than_days": older_than_days}', "int", "int", "Archives cleared alarms older than the given age; returns how many."),
 ("create_rule", "rule: Mapping[str, Any] | str", '{"rule": rule}', "StoredRule", "StoredRule.from_raw", "Stores a correlation rule (dict or JSON)."),
 ("list_rules", "", "{}", "list[StoredRule]", "_list(StoredRule.from_raw)", "The tenant's stored rules."),
 ("update_rule", "rule_id: IdLike, rule: Mapping[str, Any] | str", '{"rule_id": rule_id, "rule": rule}', "StoredRule", "StoredRule.from_raw", "Replaces a stored rule."),
 ("delete_rule", "rule_id: IdLike", '{"rule_id": rule_id}', "None", "_none", "Deletes a stored rule."),
 ("add_topology_edges", "edges: Sequence[Mapping[str, str]]", '{"edges": list(edges)}', "int", "int", "Adds topology edges (``{\"parent\": ..., \"child\": ...}``); returns how many were new."),
 ("remove_topology_edges", "edges: Sequence[Mapping[str, str]]", '{"edges": list(edges)}', "int", "int", "Removes topology edges; returns how many existed."),
 ("create_maintenance_window", "*, title: str, start: datetime, end: datetime, scope: Any, description: str | None = None", '{"input": {"title": title, "description": description, "start": start, "end": end, "scope": scope}}', "MaintenanceWindow", "MaintenanceWindow.from_raw", "Creates a maintenance window."),
 ("list_maintenance_windows", "", "{}", "list[MaintenanceWindow]", "_list(MaintenanceWindow.from_raw)", "The tenant's maintenance windows."),
 ("cancel_maintenance_window", "window_id: IdLike", '{"window_id": window_id}', "MaintenanceWindow", "MaintenanceWindow.from_raw", "Cancels a maintenance window."),
]

import sys

ALARMS_NA: list[tuple[str, str, str, str, str, str]] = []
M = M + ALARMS
NA = NA + ALARMS_NA

def argnames(params):
    return params

out = []
w = out.append
w('''"""``Desk`` (blocking, releases the GIL) and ``AsyncDesk`` (asyncio) — generated from one
method table so both expose exactly the same use-cases (see ``bindings-python/gen_desk.py``)."""

# This file is generated by gen_desk.py; edit the table there.
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence, TypeVar, Union
import uuid

from . import _faultdesk
from ._types import *  # noqa: F403
from ._types import Page, Record
from ._faultdesk import Actor

__all__ = ["AsyncDesk", "AsyncSubscription", "Config", "Desk", "Subscription"]

IdLike = Union[uuid.UUID, str]
T = TypeVar("T")


class Config(dict[str, Any]):
    """Desk configuration: ``Config(workflow="itsm", auto_tickets=False, ...)``. Keys are
    those of ``DeskConfig::from_json`` (``workflow``, ``rbac``, ``rules``, ``mapping``,
    ``auto_tickets``, ``triggers``, ``flapping``, ``number_format``, ``system_user``,
    ``blob_dir``, ``attachments``, ``notification_routes``). ``Desk.open`` also takes a plain
    dict or a JSON string."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)

    def to_json(self) -> str:
        """The configuration as JSON."""
        return json.dumps(_jsonable(dict(self)))


def _jsonable(v: Any) -> Any:
    if isinstance(v, Record):
        return v.to_dict()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (uuid.UUID,)):
        return str(v)
    if isinstance(v, datetime):
        if v.utcoffset() is None:
            raise _faultdesk.ValidationError(f"config: naive datetime {v.isoformat()} is not accepted; pass a timezone-aware datetime")
        return v.isoformat()
    return v


def _config_json(config: Config | Mapping[str, Any] | str | None) -> str | None:
    if config is None:
        return None
    if isinstance(config, str):
        return config
    return json.dumps(_jsonable(dict(config)))


def _merge(base: Mapping[str, Any] | None, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict(base or {})
    for k, v in fields.items():
        if v is not None:
            out[k] = v
    return out


_LISTS = ("status", "category", "priority", "ticket_type", "severity", "source", "alarm_status")


def _query(params: Mapping[str, Any], skip: Sequence[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in params.items():
        if k in ("self", "actor") or k in skip or v is None or v is False:
            continue
        if k in _LISTS and isinstance(v, str):
            v = [v]
        out[k] = v
    return out


def _alarm_query(params: Mapping[str, Any]) -> dict[str, Any]:
    q = _query(params, skip=("from_",))
    if params.get("from_") is not None:
        q["from"] = params["from_"]
    return q


def _none(_: Any) -> None:
    return None


def _list(item: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    return lambda raw: [item(x) for x in raw]


def _page(item: Callable[[Any], T]) -> Callable[[Any], Page[T]]:
    return lambda raw: Page.from_raw(raw, item)


class Subscription:
    """Committed events of the actor's tenant, as an iterator of ``Event``.

    ``next(sub)`` blocks (without the GIL; Ctrl-C works); ``sub.next(timeout=1.0)`` returns
    ``None`` when nothing arrived in time; ``sub.try_next()`` never waits."""

    def __init__(self, native: _faultdesk.NativeSubscription) -> None:
        self._native = native

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        raw = self._native.next(None)
        return Event.from_raw(raw)

    def next(self, timeout: float | None = None) -> Event | None:
        """The next event, or ``None`` after ``timeout`` seconds."""
        raw = self._native.next(timeout)
        return None if raw is None else Event.from_raw(raw)

    def try_next(self) -> Event | None:
        """The next already-published event, or ``None``."""
        raw = self._native.try_next()
        return None if raw is None else Event.from_raw(raw)


class AsyncSubscription:
    """Committed events of the actor's tenant, as an async iterator of ``Event``."""

    def __init__(self, native: _faultdesk.NativeSubscription) -> None:
        self._native = native

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        raw = await self._native.next_async()
        return Event.from_raw(raw)

    def try_next(self) -> Event | None:
        """The next already-published event, or ``None``."""
        raw = self._native.try_next()
        return None if raw is None else Event.from_raw(raw)

''')

def method(sync, name, params, args, ret, conv, doc, actor=True):
    p = "self, actor: Actor" + (", " + params if params else "") if actor else "self" + (", " + params if params else "")
    a = "actor" if actor else "_SYSTEM"
    if sync:
        w(f"    def {name}({p}) -> {ret}:\n        \"\"\"{doc}\"\"\"\n")
        w(f"        return {conv}(self._native.call({name!r}, {a}, {args}))\n\n")
    else:
        w(f"    async def {name}({p}) -> {ret}:\n        \"\"\"{doc}\"\"\"\n")
        w(f"        return {conv}(await self._native.call_async({name!r}, {a}, {args}))\n\n")

w('''_SYSTEM = Actor("system", "system")


class Desk:
    """The faultdesk engine bound to one database; blocking methods that release the GIL, safe
    to share between threads.

    >>> import faultdesk as fd
    >>> desk = fd.Desk.open("sqlite::memory:")
    >>> desk.close()
    """

    def __init__(self, native: _faultdesk.NativeDesk) -> None:
        self._native = native

    @classmethod
    def open(cls, url: str, config: Config | Mapping[str, Any] | str | None = None) -> Desk:
        """Opens (and migrates) the database at ``url``: ``sqlite:///path/file.db``,
        ``sqlite::memory:`` or ``postgres://...``."""
        return cls(_faultdesk.NativeDesk.open(url, _config_json(config)))

    def subscribe(self, actor: Actor, filter: str | Sequence[str] | Mapping[str, Any] | None = None) -> Subscription:
        """Events of ``actor``'s tenant (and visibility) whose kind matches ``filter``
        (``"ticket.*"``, a list, or ``{"kinds": [...]}``)."""
        return Subscription(self._native.subscribe(actor, _kinds(filter)))

    def add_attachment(self, actor: Actor, ticket_id: IdLike, file_name: str, content: bytes, *, content_type: str | None = None, comment_id: IdLike | None = None) -> Attachment:
        """Uploads an attachment."""
        input = _merge(None, file_name=file_name, content_type=content_type, comment_id=None if comment_id is None else str(comment_id))
        return Attachment.from_raw(self._native.call("add_attachment", actor, {"ticket_id": ticket_id, "input": input}, bytes(content)))

    def open_attachment(self, actor: Actor, attachment_id: IdLike) -> tuple[Attachment, bytes]:
        """An attachment's metadata and content."""
        meta, content = self._native.call("open_attachment", actor, {"attachment_id": attachment_id})
        return Attachment.from_raw(meta), content

    def close(self) -> None:
        """Closes the connection pool."""
        self._native.call("close", _SYSTEM, {})

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._native)

''')
for m in M: method(True, *m)
for m in NA: method(True, *m, actor=False)
w('''

class AsyncDesk:
    """``Desk`` for asyncio (FastAPI): the same methods as coroutines, run on the binding's
    tokio runtime.

    >>> import asyncio, faultdesk as fd
    >>> async def main() -> None:
    ...     desk = await fd.AsyncDesk.open("sqlite::memory:")
    ...     await desk.close()
    >>> asyncio.run(main())
    """

    def __init__(self, native: _faultdesk.NativeDesk) -> None:
        self._native = native

    @classmethod
    async def open(cls, url: str, config: Config | Mapping[str, Any] | str | None = None) -> AsyncDesk:
        """Opens (and migrates) the database at ``url``."""
        return cls(await _faultdesk.NativeDesk.open_async(url, _config_json(config)))

    def subscribe(self, actor: Actor, filter: str | Sequence[str] | Mapping[str, Any] | None = None) -> AsyncSubscription:
        """Events of ``actor``'s tenant as an async iterator."""
        return AsyncSubscription(self._native.subscribe(actor, _kinds(filter)))

    async def add_attachment(self, actor: Actor, ticket_id: IdLike, file_name: str, content: bytes, *, content_type: str | None = None, comment_id: IdLike | None = None) -> Attachment:
        """Uploads an attachment."""
        input = _merge(None, file_name=file_name, content_type=content_type, comment_id=None if comment_id is None else str(comment_id))
        return Attachment.from_raw(await self._native.call_async("add_attachment", actor, {"ticket_id": ticket_id, "input": input}, bytes(content)))

    async def open_attachment(self, actor: Actor, attachment_id: IdLike) -> tuple[Attachment, bytes]:
        """An attachment's metadata and content."""
        meta, content = await self._native.call_async("open_attachment", actor, {"attachment_id": attachment_id})
        return Attachment.from_raw(meta), content

    async def close(self) -> None:
        """Closes the connection pool."""
        await self._native.call_async("close", _SYSTEM, {})

    async def __aenter__(self) -> AsyncDesk:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "Async" + repr(self._native)

''')
for m in M: method(False, *m)
for m in NA: method(False, *m, actor=False)
w('''

def _kinds(filter: str | Sequence[str] | Mapping[str, Any] | None) -> list[str]:
    if filter is None:
        return []
    if isinstance(filter, str):
        return [filter]
    if isinstance(filter, Mapping):
        return list(filter.get("kinds") or [])
    return list(filter)
''')
open(sys.argv[1], "w").write("".join(out))
