"""Typed result classes of the Desk.

Every class is a frozen dataclass: attributes, ``to_dict()``, ``__repr__`` and equality.
Values come back as Python types: faultdesk's own ids as ``uuid.UUID``, instants as
timezone-aware ``datetime`` (UTC), money as ``decimal.Decimal``. Tenant and user ids are the
host platform's strings.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, ClassVar, Final, Generic, Mapping, TypeVar

from ._faultdesk import Decision

__all__ = [
    "UNSET",
    "Unset",
    "OrphanReport",
    "SlaStatus",
    "SlaTargetStatus",
    "ComplianceReport",
    "ComplianceTotals",
    "InstanceCompliance",
    "SlaAvailabilityStatus",
    "SlaBreach",
    "SlaBreachRecord",
    "SlaInstanceStatus",
    "SlaPeriod",
    "SlaScope",
    "StoredSlaDefinition",
    "StoredSlaInstance",
    "Alarm",
    "AlarmNote",
    "AlarmStats",
    "IngestOutcome",
    "MaintenanceWindow",
    "StoredRule",
    "UnacknowledgedFinding",
    "AuditEvent",
    "Attachment",
    "Comment",
    "DeliveryReport",
    "Event",
    "Notification",
    "Page",
    "Record",
    "RunDueReport",
    "Ticket",
    "TicketFromAlarm",
    "TicketSearchHit",
    "TicketStatistics",
]


def parse_datetime(s: Any) -> datetime | None:
    """Parses an RFC 3339 instant (``Z`` and nanoseconds accepted) into an aware datetime."""
    if s is None or isinstance(s, datetime):
        return s
    text = str(s)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python 3.10's fromisoformat takes at most 6 fractional digits.
    if "." in text:
        head, rest = text.split(".", 1)
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, tail = rest[:i], rest[i:]
        text = head + ("." + frac[:6].ljust(6, "0") if frac else "") + tail
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


class Unset(enum.Enum):
    """The type of ``UNSET``: "leave this field as it is" in PATCH-style calls
    (``update_ticket``), where ``None`` means "clear it"."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def _timedelta(v: Any) -> timedelta:
    """A chrono duration in its JSON form ``[seconds, nanoseconds]``."""
    secs, nanos = v
    return timedelta(seconds=secs, microseconds=nanos // 1000)


def _uuid(v: Any) -> uuid.UUID | None:
    return None if v is None else uuid.UUID(str(v))


def _decimal(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _list_of(conv: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: [conv(x) for x in v]


def _plain(v: Any) -> Any:
    if isinstance(v, Record):
        return v.to_dict()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


R = TypeVar("R", bound="Record")


#: When true (the binding's test suite sets it), ``from_raw`` raises if the native dict's keys
#: differ from the record's fields — so a field renamed in Rust cannot silently become ``None``.
STRICT_FIELDS = False

_FIELDS: dict[type, tuple[str, ...]] = {}


@dataclasses.dataclass(frozen=True)
class Record:
    """Base of the typed result classes."""

    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}

    @classmethod
    def from_raw(cls: type[R], raw: Mapping[str, Any]) -> R:
        """Builds the record from the native layer's dict (absent keys become ``None``)."""
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
        if STRICT_FIELDS and set(raw) != set(names):
            raise AssertionError(
                f"{cls.__name__}: native keys {sorted(raw)} != fields {sorted(names)}"
            )
        conv = cls._conv
        kw: dict[str, Any] = {}
        for name in names:
            v = raw.get(name)
            c = conv.get(name)
            kw[name] = c(v) if c is not None and v is not None else v
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        """The record as a dict of Python values (nested records become dicts)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


_DT = parse_datetime
_ID = _uuid


@dataclasses.dataclass(frozen=True)
class TicketFromAlarm(Record):
    """Seed 000's response of ``create_ticket_from_alarm``."""

    alarm_id: uuid.UUID
    ticket_id: uuid.UUID
    ticket_number: str
    message: str
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"alarm_id": _ID, "ticket_id": _ID}


@dataclasses.dataclass(frozen=True)
class Ticket(Record):
    """A ticket."""

    id: uuid.UUID
    tenant_id: str
    number: str
    subject: str
    description: str
    ticket_type: str
    priority: str
    status: str
    workflow: str
    assignee_id: str | None
    reporter_id: str
    customer_id: str | None
    due_at: datetime | None
    labels: dict[str, str]
    metadata: Any
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    deleted_at: datetime | None
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "due_at": _DT,
        "created_at": _DT,
        "updated_at": _DT,
        "first_responded_at": _DT,
        "resolved_at": _DT,
        "closed_at": _DT,
        "deleted_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class AuditEvent(Record):
    """One immutable audit event of a ticket."""

    event_type: str
    field: str | None
    old_value: Any
    new_value: Any
    actor_id: str
    ip: str | None
    at: datetime
    metadata: Any
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"at": _DT}


@dataclasses.dataclass(frozen=True)
class TicketStatistics(Record):
    """Ticket counts by status, category, priority and type."""

    total: int
    open: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_priority: dict[str, int]
    by_type: dict[str, int]


@dataclasses.dataclass(frozen=True)
class TicketSearchHit(Record):
    """One search hit: the ticket and its rank."""

    ticket: Ticket
    rank: float
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"ticket": Ticket.from_raw}


@dataclasses.dataclass(frozen=True)
class Comment(Record):
    """A ticket comment (public or internal)."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    author_id: str
    body: str
    visibility: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    history: list[Any]
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "ticket_id": _ID,
        "created_at": _DT,
        "edited_at": _DT,
        "deleted_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class Attachment(Record):
    """Attachment metadata."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    comment_id: uuid.UUID | None
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    created_at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "ticket_id": _ID,
        "comment_id": _ID,
        "created_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class Notification(Record):
    """A recorded notification intent and its delivery state."""

    id: uuid.UUID
    tenant_id: str
    channel: str
    recipient: str
    template: str
    subject: str | None
    payload: Any
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    ticket_id: uuid.UUID | None
    alarm_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "ticket_id": _ID,
        "alarm_id": _ID,
        "next_attempt_at": _DT,
        "sent_at": _DT,
        "created_at": _DT,
        "updated_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class Event(Record):
    """A committed change (outbox row) as seen by subscribers."""

    seq: int
    tenant_id: str
    kind: str
    entity_id: str | None
    internal: bool
    payload: Any
    at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"at": _DT}


@dataclasses.dataclass(frozen=True)
class RunDueReport(Record):
    """What ``run_due`` did."""

    tickets: int
    warnings: int
    breaches: int
    escalations: int
    sla_instances: int
    sla_breaches: int
    sla_tickets: list[uuid.UUID]
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"sla_tickets": _list_of(_uuid)}


@dataclasses.dataclass(frozen=True)
class DeliveryReport(Record):
    """What ``deliver_notifications`` did."""

    claimed: int
    sent: int
    retrying: int
    dead: int


@dataclasses.dataclass(frozen=True)
class Alarm(Record):
    """An alarm (seed 000/002 fields)."""

    id: uuid.UUID
    tenant_id: str
    reduction_key: str
    external_alarm_id: str | None
    severity: str
    raised_severity: str
    status: str
    status_before_suppression: str | None
    source: str
    alarm_type: str
    event_type: str
    title: str
    description: str | None
    probable_cause: str | None
    recommended_action: str | None
    resource_type: str | None
    resource_id: str | None
    resource_name: str | None
    customer_id: str | None
    customer_name: str | None
    subscriber_count: int
    parent_alarm_id: uuid.UUID | None
    child_count: int
    is_root_cause: bool
    correlation_id: uuid.UUID | None
    first_occurrence: datetime
    last_occurrence: datetime
    occurrence_count: int
    is_flapping: bool
    flap_count: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    cleared_at: datetime | None
    cleared_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    assigned_to: str | None
    ticket_id: uuid.UUID | None
    labels: dict[str, str]
    raw_payload: Any
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "parent_alarm_id": _ID,
        "correlation_id": _ID,
        "ticket_id": _ID,
        "first_occurrence": _DT,
        "last_occurrence": _DT,
        "acknowledged_at": _DT,
        "cleared_at": _DT,
        "resolved_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class IngestOutcome(Record):
    """What an ``ingest``/``ingest_batch`` call did: alarm ids per event, counts, tickets
    created by enabled auto-ticket triggers, and the correlator's decisions."""

    events: int
    alarm_ids: list[uuid.UUID]
    created: int
    updated: int
    tickets: list[uuid.UUID]
    decisions: list[Decision]
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "alarm_ids": lambda xs: [uuid.UUID(x) for x in xs],
        "tickets": lambda xs: [uuid.UUID(x) for x in xs],
        "decisions": lambda xs: [x if isinstance(x, Decision) else Decision.from_dict(x) for x in xs],
    }


@dataclasses.dataclass(frozen=True)
class AlarmNote(Record):
    """A note on an alarm."""

    id: uuid.UUID
    alarm_id: uuid.UUID
    author_id: str
    note_type: str
    content: str
    created_at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"id": _ID, "alarm_id": _ID, "created_at": _DT}


@dataclasses.dataclass(frozen=True)
class AlarmStats(Record):
    """Alarm counts and mean times."""

    total: int
    by_severity: dict[str, int]
    by_status: dict[str, int]
    by_source: dict[str, int]
    by_resource_type: dict[str, int]
    mean_time_to_acknowledge_secs: float | None
    mean_time_to_clear_secs: float | None
    top_flapping: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class UnacknowledgedFinding(Record):
    """Seed 000's ``alarm.unacknowledged.manual_action_required`` finding."""

    event: str
    alarm_id: uuid.UUID
    external_alarm_id: str | None
    severity: str
    age_minutes: float
    message: str
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"alarm_id": _ID}


@dataclasses.dataclass(frozen=True)
class StoredRule(Record):
    """A correlation rule stored for the tenant (``rule`` is its JSON form)."""

    id: uuid.UUID
    rule: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"id": _ID, "created_at": _DT, "updated_at": _DT}


@dataclasses.dataclass(frozen=True)
class MaintenanceWindow(Record):
    """A maintenance window (``scope`` in its JSON form)."""

    id: uuid.UUID
    tenant_id: str
    title: str
    start: datetime
    end: datetime
    status: str
    scope: Any
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"id": _ID, "start": _DT, "end": _DT}


@dataclasses.dataclass(frozen=True)
class OrphanReport(Record):
    """What ``collect_orphan_blobs`` removed."""

    content_removed: int
    temp_removed: int


@dataclasses.dataclass(frozen=True)
class SlaTargetStatus(Record):
    """One SLA target (``first_response`` or ``resolution``) at the evaluation instant."""

    target: str
    budget: timedelta
    due: datetime
    elapsed: timedelta
    remaining: timedelta
    paused: bool
    completed_at: datetime | None
    met: bool
    breached: bool
    breached_at: datetime | None
    percent_used: float
    warnings_crossed: list[int]
    cycle: int
    earlier_breaches: int
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "budget": _timedelta,
        "elapsed": _timedelta,
        "remaining": _timedelta,
        "due": _DT,
        "completed_at": _DT,
        "breached_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class SlaStatus(Record):
    """A ticket's SLA state (``Desk.ticket_sla``, ``SlaPolicy.evaluate``)."""

    priority: str
    category: str
    first_response: SlaTargetStatus
    resolution: SlaTargetStatus
    next_change: datetime | None
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "first_response": SlaTargetStatus.from_raw,
        "resolution": SlaTargetStatus.from_raw,
        "next_change": _DT,
    }

    @property
    def any_breached(self) -> bool:
        """True if either target is breached."""
        return self.first_response.breached or self.resolution.breached


@dataclasses.dataclass(frozen=True)
class SlaPeriod(Record):
    """An availability SLA's measurement period, ``[start, end)``."""

    start: datetime
    end: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"start": _DT, "end": _DT}


@dataclasses.dataclass(frozen=True)
class SlaScope(Record):
    """What an SLA instance covers: alarms naming its customer, its service (``service_id``
    label) or one of its resources affect it."""

    customer_id: str | None
    service_id: str | None
    resource_ids: list[str]


@dataclasses.dataclass(frozen=True)
class StoredSlaDefinition(Record):
    """A stored availability SLA definition; ``definition`` is its JSON form as a dict (what
    ``create_sla_definition`` takes)."""

    id: uuid.UUID
    definition: dict[str, Any]
    enabled: bool
    created_at: datetime
    updated_at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "created_at": _DT,
        "updated_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class StoredSlaInstance(Record):
    """An SLA instance (a definition applied to a customer for one period) with the figures
    last stored; ``Desk.sla_status`` computes them fresh."""

    id: uuid.UUID
    definition_id: uuid.UUID
    definition: dict[str, Any]
    scope: SlaScope
    period: SlaPeriod
    status: str
    availability: Decimal | None
    planned_downtime_seconds: int
    unplanned_downtime_seconds: int
    breach_count: int
    credit_amount: Decimal
    monthly_fee: Decimal
    currency: str | None
    metadata: Any
    next_check_at: datetime | None
    created_at: datetime
    updated_at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "definition_id": _ID,
        "scope": SlaScope.from_raw,
        "period": SlaPeriod.from_raw,
        "availability": _decimal,
        "credit_amount": _decimal,
        "monthly_fee": _decimal,
        "next_check_at": _DT,
        "created_at": _DT,
        "updated_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class SlaBreach(Record):
    """One breach in an availability status (``kind``: ``availability``, ``response_time``,
    ``resolution_time`` or ``performance``); durations in milliseconds."""

    key: str
    kind: str
    metric: str | None
    alarm_id: str | None
    severity: str | None
    start: datetime
    end: datetime | None
    duration_ms: int
    target: Decimal
    actual: Decimal
    unit: str
    financial_impact: Decimal
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "start": _DT,
        "end": _DT,
        "target": _decimal,
        "actual": _decimal,
        "financial_impact": _decimal,
    }


@dataclasses.dataclass(frozen=True)
class SlaAvailabilityStatus(Record):
    """An SLA instance's state at ``as_of`` (fault-core's ``sla::SlaStatus``; not the ticket
    ``SlaStatus``): ``compliance`` is ``compliant``, ``at_risk`` or ``breached``; durations
    in milliseconds, money as ``Decimal``."""

    instance_id: uuid.UUID
    period: SlaPeriod
    as_of: datetime
    compliance: str
    availability: Decimal
    availability_target: Decimal
    measured_ms: int
    allowed_downtime_ms: int
    remaining_allowance_ms: int
    planned_downtime_ms: int
    unplanned_downtime_ms: int
    counted_downtime_ms: int
    open_outages: int
    breaches: list[SlaBreach]
    breach_count: int
    credit_percent: Decimal
    credits_owed: Decimal
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "instance_id": _ID,
        "period": SlaPeriod.from_raw,
        "as_of": _DT,
        "availability": _decimal,
        "availability_target": _decimal,
        "breaches": _list_of(SlaBreach.from_raw),
        "credit_percent": _decimal,
        "credits_owed": _decimal,
    }


@dataclasses.dataclass(frozen=True)
class SlaInstanceStatus(Record):
    """What ``Desk.sla_status`` returns: the stored instance and its status computed now."""

    instance: StoredSlaInstance
    status: SlaAvailabilityStatus
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "instance": StoredSlaInstance.from_raw,
        "status": SlaAvailabilityStatus.from_raw,
    }


@dataclasses.dataclass(frozen=True)
class SlaBreachRecord(Record):
    """A recorded SLA breach (``Desk.list_sla_breaches``)."""

    id: uuid.UUID
    instance_id: uuid.UUID
    breach_key: str
    breach_type: str
    alarm_id: uuid.UUID | None
    ticket_id: uuid.UUID | None
    breach_start: datetime
    breach_end: datetime | None
    duration_seconds: int | None
    target_value: Decimal | None
    actual_value: Decimal | None
    credit_amount: Decimal | None
    resolved: bool
    resolved_at: datetime | None
    details: Any
    created_at: datetime
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "id": _ID,
        "instance_id": _ID,
        "alarm_id": _ID,
        "ticket_id": _ID,
        "breach_start": _DT,
        "breach_end": _DT,
        "target_value": _decimal,
        "actual_value": _decimal,
        "credit_amount": _decimal,
        "resolved_at": _DT,
        "created_at": _DT,
    }


@dataclasses.dataclass(frozen=True)
class InstanceCompliance(Record):
    """One instance's line in a ``ComplianceReport``."""

    definition_name: str
    scope: SlaScope
    status: SlaAvailabilityStatus
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "scope": SlaScope.from_raw,
        "status": SlaAvailabilityStatus.from_raw,
    }


@dataclasses.dataclass(frozen=True)
class ComplianceTotals(Record):
    """Totals of a ``ComplianceReport`` (downtime in milliseconds)."""

    instance_count: int
    average_availability: Decimal | None
    total_breaches: int
    total_credits: Decimal
    planned_downtime_ms: int
    unplanned_downtime_ms: int
    compliant: int
    at_risk: int
    breached: int
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "average_availability": _decimal,
        "total_credits": _decimal,
    }


@dataclasses.dataclass(frozen=True)
class ComplianceReport(Record):
    """Seed 002's compliance report (``Desk.sla_compliance_report``): a line per instance
    whose period overlaps ``range``, each evaluated at ``as_of``, and totals."""

    range: SlaPeriod
    as_of: datetime
    instances: list[InstanceCompliance]
    totals: ComplianceTotals
    _conv: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "range": SlaPeriod.from_raw,
        "as_of": _DT,
        "instances": _list_of(InstanceCompliance.from_raw),
        "totals": ComplianceTotals.from_raw,
    }


T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list call: ``items``, ``total``, ``page`` (from 1), ``page_size``,
    ``next_cursor`` (``None`` on the last page)."""

    items: list[T]
    total: int
    page: int
    page_size: int
    next_cursor: str | None

    @staticmethod
    def from_raw(raw: Mapping[str, Any], item: Callable[[Any], T]) -> Page[T]:
        """Builds a page, converting each item with ``item``."""
        return Page(
            items=[item(x) for x in raw["items"]],
            total=raw["total"],
            page=raw["page"],
            page_size=raw["page_size"],
            next_cursor=raw.get("next_cursor"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The page as a dict (items as dicts)."""
        return {
            "items": [_plain(x) for x in self.items],
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "next_cursor": self.next_cursor,
        }

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

