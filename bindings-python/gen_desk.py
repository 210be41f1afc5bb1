"""Generates python/faultdesk/_desk.py: ``Desk`` and ``AsyncDesk`` from one method table, so
both expose exactly the same use-cases with the same signatures.

Usage: python3 gen_desk.py python/faultdesk/_desk.py
(scripts/test-python.sh checks that the committed file is what this prints.)
"""

from __future__ import annotations

import sys
import textwrap

# A use-case: name, parameters after ``actor`` (Python source), the ``args`` dict passed to the
# native layer (a Python expression), return annotation, converter of the native result, doc.
# ``actor=False``: a system call (no actor argument).
Method = tuple[str, str, str, str, str, str]

Q_TICKETS = (
    "status: str | Sequence[str] | None = None, category: str | Sequence[str] | None = None, "
    "open_only: bool = False, priority: str | Sequence[str] | None = None, "
    "ticket_type: str | Sequence[str] | None = None, assignee: str | None = None, "
    "unassigned: bool = False, reporter: str | None = None, customer_id: str | None = None, "
    "labels: Mapping[str, str] | None = None, created_from: datetime | None = None, "
    "created_to: datetime | None = None, text: str | None = None"
)
Q_PAGE = "page: int | None = None, page_size: int | None = None"
Q_ALARMS = (
    "severity: str | Sequence[str] | None = None, status: str | Sequence[str] | None = None, "
    "source: str | Sequence[str] | None = None, alarm_type: str | None = None, "
    "resource_type: str | None = None, resource_id: str | None = None, "
    "customer_id: str | None = None, correlation_id: IdLike | None = None, "
    "root_cause_only: bool = False, from_: datetime | None = None, to: datetime | None = None"
)
EVENT = "AlarmEventLike"
EDGES = "Sequence[Mapping[str, str] | tuple[str, str]]"
PATCH_FIELDS = (
    "subject: str | Unset = UNSET, description: str | Unset = UNSET, "
    "ticket_type: str | Unset = UNSET, priority: str | Unset = UNSET, "
    "assignee_id: IdLike | None | Unset = UNSET, customer_id: str | None | Unset = UNSET, "
    "due_at: datetime | None | Unset = UNSET, labels: Mapping[str, str | None] | Unset = UNSET, "
    "metadata: Any = UNSET"
)

TICKETS: list[Method] = [
    ("create_ticket_from_alarm",
     "alarm_id: IdLike, *, priority: str | None = None, additional_notes: str | None = None, "
     "assign_to_user_id: IdLike | None = None",
     '{"alarm_id": alarm_id, "request": {"priority": priority, "additional_notes": additional_notes, '
     '"assign_to_user_id": _opt_str(assign_to_user_id)}}',
     "TicketFromAlarm", "TicketFromAlarm.from_raw",
     "Seed 000: creates a ticket from an alarm and links them (requires "
     "``faults.alarms.write``). Raises ``NotFoundError`` (``Alarm {id} not found``), "
     "``ConflictError`` (the alarm already has a ticket) or ``PermissionDeniedError``."),
    ("create_ticket",
     "input: Mapping[str, Any] | None = None, *, subject: str | None = None, "
     "description: str | None = None, ticket_type: str | None = None, priority: str | None = None, "
     "assignee_id: IdLike | None = None, customer_id: str | None = None, due_at: datetime | None = None, "
     "labels: Mapping[str, str] | None = None, metadata: Any = None",
     '{"input": _given(input, subject=subject, description=description, ticket_type=ticket_type, '
     'priority=priority, assignee_id=_opt_str(assignee_id), customer_id=customer_id, due_at=due_at, '
     'labels=labels, metadata=metadata)}',
     "Ticket", "Ticket.from_raw",
     "Creates a ticket in the workflow's initial state (fields as a dict and/or keywords)."),
    ("get_ticket", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "Ticket", "Ticket.from_raw",
     "Reads a ticket (``NotFoundError`` for another tenant's)."),
    ("get_ticket_by_number", "number: str", '{"number": number}', "Ticket", "Ticket.from_raw",
     "Reads a ticket by its number (``TKT-2026-000001``)."),
    ("update_ticket", "ticket_id: IdLike, patch: Mapping[str, Any] | None = None, *, " + PATCH_FIELDS,
     '{"ticket_id": ticket_id, "patch": _patch(patch, subject=subject, description=description, '
     'ticket_type=ticket_type, priority=priority, assignee_id=assignee_id, customer_id=customer_id, '
     'due_at=due_at, labels=labels, metadata=metadata)}',
     "Ticket", "Ticket.from_raw",
     "Applies a PATCH: only the given fields change; ``None`` clears a field "
     "(``assignee_id=None`` unassigns), a label set to ``None`` is removed."),
    ("delete_ticket", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "None", "_none",
     "Soft-deletes a ticket."),
    ("assign_ticket", "ticket_id: IdLike, assignee_id: IdLike | None",
     '{"ticket_id": ticket_id, "assignee_id": _opt_str(assignee_id)}', "Ticket", "Ticket.from_raw",
     "Assigns the ticket (``None`` unassigns)."),
    ("transition_ticket",
     "ticket_id: IdLike, to_state: str, *, resolution_note: str | None = None, comment: str | None = None",
     '{"ticket_id": ticket_id, "to_state": to_state, "options": {"resolution_note": resolution_note, '
     '"comment": comment}}',
     "Ticket", "Ticket.from_raw",
     "Moves the ticket to ``to_state`` through its workflow (``InvalidTransitionError`` "
     "when the workflow has no such transition)."),
    ("reopen_ticket", "ticket_id: IdLike, reason: str", '{"ticket_id": ticket_id, "reason": reason}',
     "Ticket", "Ticket.from_raw", "Reopens a resolved or closed ticket."),
    ("ticket_history", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "list[AuditEvent]",
     "_list(AuditEvent.from_raw)", "The ticket's audit events, oldest first."),
    ("list_tickets",
     "*, " + Q_TICKETS + ", sort: Sequence[str] | None = None, " + Q_PAGE + ", cursor: str | None = None",
     '{"query": _query(locals())}', "Page[Ticket]", "_page(Ticket.from_raw)",
     "Lists tickets: filters (``open_only``: categories new/open/pending; ``labels`` must all "
     "match), ``sort`` keys (``-priority``), pages from 1 (``page_size`` at most 100) or "
     "``cursor`` (a page's ``next_cursor``)."),
    ("search_tickets", "text: str, *, " + Q_TICKETS.replace(", text: str | None = None", "") + ", " + Q_PAGE,
     '{"text": text, "query": _query(locals(), skip=("text",))}', "Page[TicketSearchHit]",
     "_page(TicketSearchHit.from_raw)", "Full-text search over subject and description, best first."),
    ("ticket_sla", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "SlaStatus | None",
     "_opt(SlaStatus.from_raw)",
     "The ticket's SLA state now (``None`` when the Desk has no SLA policy)."),
    ("ticket_stats", "*, " + Q_TICKETS, '{"query": _query(locals())}', "TicketStatistics",
     "TicketStatistics.from_raw", "Ticket counts by status, category, priority and type."),
]

COLLABORATION: list[Method] = [
    ("add_comment", 'ticket_id: IdLike, body: str, *, visibility: str = "public"',
     '{"ticket_id": ticket_id, "body": body, "visibility": visibility}', "Comment", "Comment.from_raw",
     "Adds a comment (``visibility``: ``public`` or ``internal``)."),
    ("edit_comment", "comment_id: IdLike, body: str", '{"comment_id": comment_id, "body": body}',
     "Comment", "Comment.from_raw", "Edits a comment (the previous text is kept in its history)."),
    ("delete_comment", "comment_id: IdLike", '{"comment_id": comment_id}', "None", "_none",
     "Soft-deletes a comment."),
    ("get_comment", "comment_id: IdLike", '{"comment_id": comment_id}', "Comment", "Comment.from_raw",
     "Reads a comment."),
    ("list_comments", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "list[Comment]",
     "_list(Comment.from_raw)", "The ticket's comments the actor may see, oldest first."),
    ("list_attachments", "ticket_id: IdLike", '{"ticket_id": ticket_id}', "list[Attachment]",
     "_list(Attachment.from_raw)", "The ticket's attachments, oldest first."),
    ("delete_attachment", "attachment_id: IdLike", '{"attachment_id": attachment_id}', "None", "_none",
     "Deletes an attachment."),
]

ALARMS: list[Method] = [
    ("ingest", f"event: {EVENT}", '{"event": event}', "IngestOutcome", "IngestOutcome.from_raw",
     "Ingests one alarm event (a dict: ``event_type``, ``source``, ``resource_type``, "
     "``resource_id``, ``title``, ``occurred_at`` (aware datetime), ...; ``tenant_id`` defaults "
     "to the actor's)."),
    ("ingest_batch", f"events: Sequence[{EVENT}]", '{"events": list(events)}', "IngestOutcome",
     "IngestOutcome.from_raw", "Ingests a batch in one transaction, all or nothing."),
    ("get_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw",
     "Reads an alarm (``NotFoundError``: ``Alarm {id} not found``)."),
    ("list_alarms", "*, " + Q_ALARMS + ", " + Q_PAGE, '{"query": _alarm_query(locals())}', "Page[Alarm]",
     "_page(Alarm.from_raw)", "Lists alarms with seed 002's filters (``from_`` is the ``from`` bound)."),
    ("acknowledge_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw",
     "Acknowledges an alarm."),
    ("clear_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw",
     "Clears an alarm (its severity becomes ``cleared``; ``raised_severity`` keeps the last one)."),
    ("resolve_alarm", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "Alarm", "Alarm.from_raw",
     "Resolves an alarm."),
    ("assign_alarm", "alarm_id: IdLike, user_id: IdLike", '{"alarm_id": alarm_id, "user_id": str(user_id)}',
     "Alarm", "Alarm.from_raw", "Assigns an alarm to a user."),
    ("add_alarm_note", 'alarm_id: IdLike, content: str, *, note_type: str = "note"',
     '{"alarm_id": alarm_id, "note_type": note_type, "content": content}', "AlarmNote",
     "AlarmNote.from_raw", "Adds a note to an alarm."),
    ("list_alarm_notes", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "list[AlarmNote]",
     "_list(AlarmNote.from_raw)", "The alarm's notes, oldest first."),
    ("alarm_children", "alarm_id: IdLike", '{"alarm_id": alarm_id}', "list[Alarm]", "_list(Alarm.from_raw)",
     "The child alarms of a root-cause alarm."),
    ("correlation_group", "correlation_id: IdLike", '{"correlation_id": correlation_id}', "list[Alarm]",
     "_list(Alarm.from_raw)", "The alarms of one correlation group."),
    ("alarm_stats", "*, " + Q_ALARMS, '{"query": _alarm_query(locals())}', "AlarmStats", "AlarmStats.from_raw",
     "Alarm counts and mean times to acknowledge and clear."),
    ("check_unacknowledged", "", "{}", "list[UnacknowledgedFinding]", "_list(UnacknowledgedFinding.from_raw)",
     "Seed 000's unacknowledged-alarm check for the actor's tenant: logs "
     "``alarm.unacknowledged.manual_action_required`` per finding and returns them."),
    ("archive_cleared", "*, older_than: timedelta | None = None",
     '{"older_than": _seconds(older_than)}', "int", "int",
     "Archives cleared and resolved alarms last changed more than ``older_than`` ago "
     "(default 90 days); returns how many."),
    ("create_rule", "rule: Mapping[str, Any] | str", '{"rule": rule}', "StoredRule", "StoredRule.from_raw",
     "Stores a correlation rule (seed 002's JSON, as a dict or str)."),
    ("list_rules", "", "{}", "list[StoredRule]", "_list(StoredRule.from_raw)", "The tenant's stored rules."),
    ("update_rule", "rule_id: IdLike, rule: Mapping[str, Any] | str", '{"rule_id": rule_id, "rule": rule}',
     "StoredRule", "StoredRule.from_raw", "Replaces a stored rule."),
    ("delete_rule", "rule_id: IdLike", '{"rule_id": rule_id}', "None", "_none", "Deletes a stored rule."),
    ("add_topology_edges", f"edges: {EDGES}", '{"edges": _edges(edges)}', "int", "int",
     "Adds topology edges (``{\"parent\": ..., \"child\": ...}`` or ``(parent, child)``); "
     "returns how many were new."),
    ("remove_topology_edges", f"edges: {EDGES}", '{"edges": _edges(edges)}', "int", "int",
     "Removes topology edges; returns how many existed."),
    ("create_maintenance_window",
     "*, title: str, start: datetime, end: datetime, scope: Mapping[str, Any], description: str | None = None",
     '{"input": {"title": title, "description": description, "start": start, "end": end, "scope": scope}}',
     "MaintenanceWindow", "MaintenanceWindow.from_raw",
     "Creates a maintenance window (``scope``: ``resources``, ``resource_types``, ``customers``, "
     "``labels``, ``include_descendants``)."),
    ("list_maintenance_windows", "", "{}", "list[MaintenanceWindow]", "_list(MaintenanceWindow.from_raw)",
     "The tenant's maintenance windows by start."),
    ("cancel_maintenance_window", "window_id: IdLike", '{"window_id": window_id}', "MaintenanceWindow",
     "MaintenanceWindow.from_raw", "Cancels a maintenance window."),
]

SLA_INSTANCE_FIELDS = (
    "service_id: str | None = None, resource_ids: Sequence[str] | None = None, "
    "at: datetime | None = None, period: tuple[datetime, datetime] | Mapping[str, datetime] | None = None, "
    "monthly_fee: Decimal | None = None, currency: str | None = None, metadata: Any = None"
)

SLA: list[Method] = [
    ("create_sla_definition", "definition: Mapping[str, Any] | str", '{"definition": definition}',
     "StoredSlaDefinition", "StoredSlaDefinition.from_raw",
     "Stores an availability SLA definition (fault-core's JSON as a dict or str: ``name``, "
     "``availability_target`` (``\"0.999\"``), ``measurement_period`` (``{\"kind\": "
     "\"calendar_month\"}``), ``response_minutes``, ``credit_schedule``, ``monthly_fee``, ...). "
     "Requires ``faults.sla.write``."),
    ("get_sla_definition", "definition_id: IdLike", '{"definition_id": definition_id}',
     "StoredSlaDefinition", "StoredSlaDefinition.from_raw",
     "Reads an SLA definition (``NotFoundError``: ``SLA definition {id} not found``)."),
    ("list_sla_definitions", "", "{}", "list[StoredSlaDefinition]", "_list(StoredSlaDefinition.from_raw)",
     "The tenant's SLA definitions by name."),
    ("update_sla_definition", "definition_id: IdLike, definition: Mapping[str, Any] | str",
     '{"definition_id": definition_id, "definition": definition}',
     "StoredSlaDefinition", "StoredSlaDefinition.from_raw",
     "Replaces a definition; existing instances keep the terms they were created with."),
    ("delete_sla_definition", "definition_id: IdLike", '{"definition_id": definition_id}', "None", "_none",
     "Deletes an SLA definition."),
    ("create_sla_instance", "definition_id: IdLike, customer_id: str, *, " + SLA_INSTANCE_FIELDS,
     '{"input": _sla_instance(_given(None, definition_id=definition_id, customer_id=customer_id, '
     'service_id=service_id, resource_ids=resource_ids, at=at, period=period, monthly_fee=monthly_fee, '
     'currency=currency, metadata=metadata))}',
     "StoredSlaInstance", "StoredSlaInstance.from_raw",
     "Applies a definition to a customer (and optionally a service and resources) for the "
     "period containing ``at`` (default now) or an explicit ``period`` ``(start, end)``; alarms "
     "naming the customer, the service (``service_id`` label) or a resource then count as outages."),
    ("create_sla_instances", "inputs: Sequence[Mapping[str, Any]]",
     '{"inputs": [_sla_instance(i) for i in inputs]}', "list[StoredSlaInstance]",
     "_list(StoredSlaInstance.from_raw)",
     "Creates many instances (dicts with the keywords of ``create_sla_instance``) in one "
     "transaction, all or nothing."),
    ("get_sla_instance", "instance_id: IdLike", '{"instance_id": instance_id}', "StoredSlaInstance",
     "StoredSlaInstance.from_raw",
     "Reads an SLA instance with its stored figures (``SLA instance {id} not found``)."),
    ("list_sla_instances",
     "*, customer_id: str | None = None, service_id: str | None = None, "
     "definition_id: IdLike | None = None, status: str | Sequence[str] | None = None, "
     "from_: datetime | None = None, to: datetime | None = None, " + Q_PAGE,
     '{"query": _alarm_query(locals())}', "Page[StoredSlaInstance]", "_page(StoredSlaInstance.from_raw)",
     "Lists SLA instances by period start (``status``: ``active``, ``at_risk``, ``breached``, "
     "``expired``; ``from_``/``to``: periods overlapping that range, both or neither)."),
    ("update_sla_instance",
     "instance_id: IdLike, *, monthly_fee: Decimal | None = None, currency: str | None = None, "
     "metadata: Any = None",
     '{"instance_id": instance_id, "patch": _given(None, monthly_fee=monthly_fee, currency=currency, '
     'metadata=metadata)}',
     "StoredSlaInstance", "StoredSlaInstance.from_raw",
     "Changes an instance's fee, currency or metadata (``None``: unchanged); credits are recomputed."),
    ("delete_sla_instance", "instance_id: IdLike", '{"instance_id": instance_id}', "None", "_none",
     "Deletes an SLA instance with its outages and breach records."),
    ("sla_status", "instance_id: IdLike", '{"instance_id": instance_id}', "SlaInstanceStatus",
     "SlaInstanceStatus.from_raw",
     "The instance and its availability status now: availability, planned and unplanned "
     "downtime, compliance, breaches and credits."),
    ("sla_compliance_report",
     "from_: datetime, to: datetime, *, customer_id: str | None = None, service_id: str | None = None, "
     "definition_id: IdLike | None = None",
     '{"query": _alarm_query(locals())}', "ComplianceReport", "ComplianceReport.from_raw",
     "Seed 002's compliance report over the instances whose period overlaps ``[from_, to)``."),
    ("list_sla_breaches",
     "*, instance_id: IdLike | None = None, from_: datetime | None = None, to: datetime | None = None",
     '{"query": _alarm_query(locals())}', "list[SlaBreachRecord]", "_list(SlaBreachRecord.from_raw)",
     "Recorded SLA breaches (optionally of one instance, starting in ``[from_, to)``), oldest first."),
    ("record_sla_measurements", "instance_id: IdLike, samples: Sequence[Mapping[str, Any]]",
     '{"instance_id": instance_id, "samples": list(samples)}', "StoredSlaInstance",
     "StoredSlaInstance.from_raw",
     "Records performance samples (dicts: ``at`` (aware datetime), ``latency_ms``, "
     "``packet_loss_percent``, ``bandwidth_mbps`` as ``Decimal``/int/str) on an instance, all or "
     "nothing: a value beyond the definition's ``performance`` target opens a ``performance`` "
     "breach, the next value within target ends it."),
]

WORK: list[Method] = [
    ("events_since", "after_seq: int = 0, *, limit: int = 100", '{"after_seq": after_seq, "limit": limit}',
     "list[Event]", "_list(Event.from_raw)",
     "Committed events of the actor's tenant after sequence ``after_seq`` (resume a consumer)."),
    ("list_notifications", "*, ticket_id: IdLike | None = None, limit: int = 100",
     '{"ticket_id": ticket_id, "limit": limit}', "list[Notification]", "_list(Notification.from_raw)",
     "Recorded notifications of the tenant, optionally of one ticket (requires ``admin``)."),
]

# System calls: no actor.
SYSTEM: list[Method] = [
    ("run_due", "now: datetime | None = None", '{"now": now}', "RunDueReport", "RunDueReport.from_raw",
     "Runs due SLA work (warnings, breaches, escalations) up to ``now`` (default: the Desk clock)."),
    ("deliver_notifications", "", "{}", "DeliveryReport", "DeliveryReport.from_raw",
     "Delivers pending notifications through the configured notifier."),
    ("collect_orphan_blobs", "tenant_id: IdLike, *, grace: timedelta = timedelta(hours=1)",
     '{"tenant_id": str(tenant_id), "grace": _seconds(grace)}', "OrphanReport", "OrphanReport.from_raw",
     "Removes the tenant's unreferenced attachment blobs older than ``grace``."),
    ("migrate", "", "{}", "None", "_none", "Applies pending migrations (``open`` does it too)."),
]

ACTOR_METHODS = TICKETS + COLLABORATION + ALARMS + SLA + WORK

HEADER = '''\
"""``Desk`` (blocking, releases the GIL) and ``AsyncDesk`` (asyncio): every use-case of the
faultdesk engine, with the same methods and signatures on both.

This file is generated by ``bindings-python/gen_desk.py`` from one method table; edit the
table there, then run ``python3 gen_desk.py python/faultdesk/_desk.py``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, TypeVar, Union

from . import _faultdesk
from ._faultdesk import Actor
from ._types import (
    UNSET,
    Alarm,
    AlarmNote,
    AlarmStats,
    Attachment,
    AuditEvent,
    Comment,
    ComplianceReport,
    DeliveryReport,
    Event,
    IngestOutcome,
    MaintenanceWindow,
    Notification,
    OrphanReport,
    Page,
    Record,
    RunDueReport,
    SlaBreachRecord,
    SlaInstanceStatus,
    SlaStatus,
    StoredRule,
    StoredSlaDefinition,
    StoredSlaInstance,
    Ticket,
    TicketFromAlarm,
    TicketSearchHit,
    TicketStatistics,
    UnacknowledgedFinding,
    Unset,
)

__all__ = ["AlarmEventLike", "AsyncDesk", "AsyncSubscription", "Config", "Desk", "IdLike", "Subscription"]

#: A faultdesk object id, or a host platform's tenant/user id: ``uuid.UUID`` or ``str``.
IdLike = Union[uuid.UUID, str]
#: An alarm event: a dict (see ``Desk.ingest``) or an object with ``to_dict()``.
AlarmEventLike = Mapping[str, Any]
T = TypeVar("T")


class Config(dict[str, Any]):
    """Desk configuration: ``Config(workflow="itsm", auto_tickets=True, ...)``. Keys are those
    of ``DeskConfig::from_json`` (``workflow``, ``rbac``, ``rules``, ``mapping``,
    ``auto_tickets``, ``triggers``, ``flapping``, ``number_format``, ``system_user``,
    ``blob_dir``, ``attachments``, ``notification_routes``, ``sla_policy``, ...); unknown keys are a
    ``ValidationError``. ``Desk.open`` also takes a plain dict or a JSON string."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)

    def to_json(self) -> str:
        """The configuration as JSON."""
        return json.dumps(_jsonable(dict(self)))


def _jsonable(v: Any) -> Any:
    if isinstance(v, Record):
        return _jsonable(v.to_dict())
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime):
        if v.utcoffset() is None:
            raise _faultdesk.ValidationError(
                f"config: naive datetime {v.isoformat()} is not accepted; pass a timezone-aware datetime"
            )
        return v.isoformat()
    if isinstance(v, timedelta):
        return v.total_seconds()
    return v


def _config_json(config: Config | Mapping[str, Any] | str | None) -> str | None:
    if config is None or isinstance(config, str):
        return config
    return json.dumps(_jsonable(dict(config)))


def _opt_str(v: Any) -> str | None:
    return None if v is None else str(v)


def _seconds(d: timedelta | None) -> float | None:
    if d is None:
        return None
    if not isinstance(d, timedelta):
        raise _faultdesk.ValidationError(f"expected a datetime.timedelta, got {type(d).__name__}")
    return d.total_seconds()


def _given(base: Mapping[str, Any] | None, **fields: Any) -> dict[str, Any]:
    """``base`` plus the keyword fields that are not ``None``."""
    out: dict[str, Any] = dict(base or {})
    out.update((k, v) for k, v in fields.items() if v is not None)
    return out


def _patch(base: Mapping[str, Any] | None, **fields: Any) -> dict[str, Any]:
    """``base`` plus the keyword fields that were given (``None`` included: it clears)."""
    out: dict[str, Any] = dict(base or {})
    for k, v in fields.items():
        if v is UNSET:
            continue
        out[k] = str(v) if k == "assignee_id" and isinstance(v, uuid.UUID) else v
    return out


def _edges(edges: Sequence[Mapping[str, str] | tuple[str, str]]) -> list[Mapping[str, str]]:
    return [{"parent": e[0], "child": e[1]} if isinstance(e, tuple) else e for e in edges]


_LISTS = ("status", "category", "priority", "ticket_type", "severity", "source")


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



def _sla_instance(input: Mapping[str, Any]) -> dict[str, Any]:
    """A ``create_sla_instance(s)`` input: ``period`` may be a ``(start, end)`` pair."""
    out = dict(input)
    period = out.get("period")
    if isinstance(period, (tuple, list)):
        if len(period) != 2:
            raise _faultdesk.ValidationError("period must be a (start, end) pair")
        out["period"] = {"start": period[0], "end": period[1]}
    return out

def _none(_: Any) -> None:
    return None


def _list(item: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    return lambda raw: [item(x) for x in raw]


def _opt(item: Callable[[Any], T]) -> Callable[[Any], T | None]:
    return lambda raw: None if raw is None else item(raw)


def _page(item: Callable[[Any], T]) -> Callable[[Any], Page[T]]:
    return lambda raw: Page.from_raw(raw, item)


def _kinds(filter: str | Sequence[str] | Mapping[str, Any] | None) -> list[str]:
    if filter is None:
        return []
    if isinstance(filter, str):
        return [filter]
    if isinstance(filter, Mapping):
        return list(filter.get("kinds") or [])
    return list(filter)


#: The actor of system calls (``run_due``, ``migrate``, ...): the Desk ignores it there.
_SYSTEM = Actor("system", "system")


class Subscription:
    """Committed events of one actor's tenant (and visibility), as an iterator of ``Event``.

    ``for ev in sub`` blocks without the GIL (Ctrl-C works) and ends when the Desk is
    closed; ``sub.next(timeout=1.0)`` returns ``None`` when nothing came in time;
    ``sub.try_next()`` never waits."""

    def __init__(self, native: _faultdesk.NativeSubscription) -> None:
        self._native = native

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        raw = self._native.next(None)
        if raw is None:  # not without a timeout; kept for the type checker
            raise StopIteration
        return Event.from_raw(raw)

    def next(self, timeout: float | None = None) -> Event | None:
        """The next event, or ``None`` after ``timeout`` seconds (``None``: wait)."""
        raw = self._native.next(timeout)
        return None if raw is None else Event.from_raw(raw)

    def try_next(self) -> Event | None:
        """The next event already received, or ``None``."""
        raw = self._native.try_next()
        return None if raw is None else Event.from_raw(raw)


class AsyncSubscription:
    """Committed events of one actor's tenant, as an async iterator of ``Event`` (ends when the
    Desk is closed)."""

    def __init__(self, native: _faultdesk.NativeSubscription) -> None:
        self._native = native

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return Event.from_raw(await self._native.next_async())

    def try_next(self) -> Event | None:
        """The next event already received, or ``None``."""
        raw = self._native.try_next()
        return None if raw is None else Event.from_raw(raw)
'''

SYNC_CLASS = '''

class Desk:
    """The faultdesk engine on one database. Blocking methods that release the GIL while Rust
    works; safe to share between threads.

    >>> import faultdesk as fd
    >>> with fd.Desk.open("sqlite::memory:") as desk:
    ...     actor = fd.Actor("acme", "u-1", roles=["ADMIN"])
    ...     desk.create_ticket(actor, subject="VPN down").number.startswith("TKT-")
    True
    """

    def __init__(self, native: _faultdesk.NativeDesk) -> None:
        self._native = native

    @classmethod
    def open(cls, url: str, config: Config | Mapping[str, Any] | str | None = None) -> Desk:
        """Opens (and migrates) the database at ``url``: ``sqlite:///path/file.db``,
        ``sqlite::memory:`` or ``postgres://user@host/db``."""
        return cls(_faultdesk.NativeDesk.open(url, _config_json(config)))

    def close(self) -> None:
        """Closes the connection pool; later calls raise ``FaultdeskError``, subscriptions end."""
        self._native.close()

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran."""
        return self._native.closed

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._native)

    def subscribe(self, actor: Actor, filter: str | Sequence[str] | Mapping[str, Any] | None = None) -> Subscription:
        """Events committed from now on, of ``actor``'s tenant and visibility, whose kind matches
        ``filter`` (``"ticket.*"``, a list of patterns, or ``{"kinds": [...]}``; ``None``: all)."""
        return Subscription(self._native.subscribe(actor, _kinds(filter)))

    def add_attachment(
        self,
        actor: Actor,
        ticket_id: IdLike,
        file_name: str,
        content: bytes | bytearray | memoryview,
        *,
        content_type: str | None = None,
        comment_id: IdLike | None = None,
    ) -> Attachment:
        """Uploads an attachment (size limit, type allowlist and SHA-256 per the Desk config)."""
        input = {"file_name": file_name, "content_type": content_type, "comment_id": _opt_str(comment_id)}
        raw = self._native.call("add_attachment", actor, {"ticket_id": ticket_id, "input": input}, bytes(content))
        return Attachment.from_raw(raw)

    def open_attachment(self, actor: Actor, attachment_id: IdLike) -> tuple[Attachment, bytes]:
        """An attachment's metadata and content."""
        meta, content = self._native.call("open_attachment", actor, {"attachment_id": attachment_id})
        return Attachment.from_raw(meta), content
'''

ASYNC_CLASS = '''

class AsyncDesk:
    """``Desk`` for asyncio (FastAPI): the same methods as coroutines, run on the binding's own
    tokio runtime.

    >>> import asyncio, faultdesk as fd
    >>> async def main() -> str:
    ...     async with await fd.AsyncDesk.open("sqlite::memory:") as desk:
    ...         t = await desk.create_ticket(fd.Actor("acme", "u-1", roles=["ADMIN"]), subject="VPN down")
    ...         return t.status
    >>> asyncio.run(main())
    'NEW'
    """

    def __init__(self, native: _faultdesk.NativeDesk) -> None:
        self._native = native

    @classmethod
    async def open(cls, url: str, config: Config | Mapping[str, Any] | str | None = None) -> AsyncDesk:
        """Opens (and migrates) the database at ``url``."""
        return cls(await _faultdesk.NativeDesk.open_async(url, _config_json(config)))

    async def close(self) -> None:
        """Closes the connection pool; later calls raise ``FaultdeskError``, subscriptions end."""
        await self._native.close_async()

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran."""
        return self._native.closed

    async def __aenter__(self) -> AsyncDesk:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "Async" + repr(self._native)

    def subscribe(self, actor: Actor, filter: str | Sequence[str] | Mapping[str, Any] | None = None) -> AsyncSubscription:
        """Events committed from now on, of ``actor``'s tenant and visibility, as an async
        iterator (``filter`` as in ``Desk.subscribe``)."""
        return AsyncSubscription(self._native.subscribe(actor, _kinds(filter)))

    async def add_attachment(
        self,
        actor: Actor,
        ticket_id: IdLike,
        file_name: str,
        content: bytes | bytearray | memoryview,
        *,
        content_type: str | None = None,
        comment_id: IdLike | None = None,
    ) -> Attachment:
        """Uploads an attachment (size limit, type allowlist and SHA-256 per the Desk config)."""
        input = {"file_name": file_name, "content_type": content_type, "comment_id": _opt_str(comment_id)}
        raw = await self._native.call_async(
            "add_attachment", actor, {"ticket_id": ticket_id, "input": input}, bytes(content)
        )
        return Attachment.from_raw(raw)

    async def open_attachment(self, actor: Actor, attachment_id: IdLike) -> tuple[Attachment, bytes]:
        """An attachment's metadata and content."""
        meta, content = await self._native.call_async("open_attachment", actor, {"attachment_id": attachment_id})
        return Attachment.from_raw(meta), content
'''


def params_source(first: str, params: str) -> str:
    return first + (", " + params if params else "")


def method(out: list[str], asynchronous: bool, m: Method, actor: bool) -> None:
    name, params, args, ret, conv, doc = m
    p = params_source("self, actor: Actor" if actor else "self", params)
    who = "actor" if actor else "_SYSTEM"
    d, aw, call = ("async def", "await ", "call_async") if asynchronous else ("def", "", "call")
    doc_lines = textwrap.wrap(doc, 92)
    docstring = doc_lines[0] if len(doc_lines) == 1 else "\n        ".join(doc_lines)
    out.append(f"\n    {d} {name}({p}) -> {ret}:\n")
    out.append(f'        """{docstring}"""\n')
    out.append(f"        raw = {aw}self._native.{call}({name!r}, {who}, {args})\n")
    out.append(f"        return {conv}(raw)\n")


def generate() -> str:
    out = [HEADER, SYNC_CLASS]
    for m in ACTOR_METHODS:
        method(out, False, m, True)
    for m in SYSTEM:
        method(out, False, m, False)
    out.append(ASYNC_CLASS)
    for m in ACTOR_METHODS:
        method(out, True, m, True)
    for m in SYSTEM:
        method(out, True, m, False)
    return "".join(out)


if __name__ == "__main__":
    text = generate()
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
