"""Stubs of the native module ``faultdesk._faultdesk`` (checked against the built module by
``mypy.stubtest`` in scripts/test-python.sh)."""

import uuid
from collections.abc import Awaitable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, final, overload

from ._types import SlaStatus

__all__ = [
    "FaultdeskError",
    "NotFoundError",
    "ConflictError",
    "PermissionDeniedError",
    "ValidationError",
    "InvalidTransitionError",
    "StorageError",
    "Actor",
    "NativeDesk",
    "NativeSubscription",
    "Correlator",
    "Decision",
    "DecisionBatch",
    "Workflow",
    "BusinessCalendar",
    "SlaPolicy",
    "map_severity_to_priority",
    "_panic_for_test",
    "__version__",
]

__version__: str

class FaultdeskError(Exception):
    """Base class of every faultdesk error. ``str(err)`` is the message."""

    code: str
    """The kind's stable code: ``NOT_FOUND``, ``CONFLICT``, ``PERMISSION_DENIED``,
    ``VALIDATION``, ``INVALID_TRANSITION``, ``STORAGE`` or ``INTERNAL``."""
    retryable: bool
    """True for a transient storage failure that ran out of retries."""

class NotFoundError(FaultdeskError):
    """The object does not exist for this actor (another tenant's object included)."""

class ConflictError(FaultdeskError):
    """The change conflicts with the current state."""

class PermissionDeniedError(FaultdeskError):
    """The actor lacks a permission."""

class ValidationError(FaultdeskError, ValueError):
    """The input was malformed or out of range; nothing was written."""

class InvalidTransitionError(FaultdeskError):
    """A workflow or lifecycle transition that is not allowed from the current state."""

class StorageError(FaultdeskError):
    """The database or blob store failed."""

@final
class Actor:
    """The caller of every Desk method."""

    def __new__(
        cls,
        tenant_id: str | uuid.UUID,
        user_id: str | uuid.UUID,
        roles: Sequence[str] | None = None,
        permissions: Sequence[str] | None = None,
        ip: str | None = None,
    ) -> Actor: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def roles(self) -> list[str]: ...
    @property
    def permissions(self) -> list[str]: ...
    @property
    def ip(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class NativeDesk:
    """The native Desk handle (use ``faultdesk.Desk`` / ``faultdesk.AsyncDesk``)."""

    @staticmethod
    def open(url: str, config_json: str | None = None) -> NativeDesk: ...
    @staticmethod
    def open_async(url: str, config_json: str | None = None) -> Awaitable[NativeDesk]: ...
    def call(
        self, method: str, actor: Actor, args: Mapping[str, Any], content: bytes | None = None
    ) -> Any: ...
    def call_async(
        self, method: str, actor: Actor, args: Mapping[str, Any], content: bytes | None = None
    ) -> Awaitable[Any]: ...
    def close(self) -> None: ...
    def close_async(self) -> Awaitable[None]: ...
    @property
    def closed(self) -> bool: ...
    def subscribe(self, actor: Actor, kinds: Sequence[str] | None = None) -> NativeSubscription: ...
    def now(self) -> str: ...
    @staticmethod
    def methods() -> list[str]: ...

@final
class NativeSubscription:
    """A live subscription (use ``faultdesk.Subscription`` / ``AsyncSubscription``)."""

    def next(self, timeout: float | None = None) -> dict[str, Any] | None: ...
    def next_async(self) -> Awaitable[dict[str, Any]]: ...
    def try_next(self) -> dict[str, Any] | None: ...

@final
class Decision:
    """One decision of the correlator: ``kind``, ``alarm_id`` and the kind's fields."""

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Decision: ...
    @property
    def kind(self) -> str: ...
    @property
    def alarm_id(self) -> uuid.UUID: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __getitem__(self, key: str) -> Any: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def __eq__(self, other: object) -> bool: ...

@final
class DecisionBatch:
    """The decisions of ``Correlator.ingest_columns``, in order, held in Rust: a ``Decision`` is
    built only when read (index, slice, iteration); ``counts()``, ``kinds()``, ``alarm_ids()``,
    ``event_indices()`` read them all as columns."""

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int) -> Decision: ...
    @overload
    def __getitem__(self, index: slice) -> list[Decision]: ...
    def __iter__(self) -> Iterator[Decision]: ...
    def counts(self) -> dict[str, int]: ...
    def kinds(self) -> list[str]: ...
    def alarm_ids(self) -> list[uuid.UUID]: ...
    def event_indices(self) -> list[int]: ...
    def to_list(self) -> list[Decision]: ...

#: A column of ``Correlator.ingest_columns``: one value per row, or one value for every row.
_TextColumn = Sequence[str | uuid.UUID] | str
_OptTextColumn = Sequence[str | None] | str | None

@final
class Correlator:
    """The in-memory alarm correlator (no database)."""

    def __new__(cls, config: Mapping[str, Any] | str | None = None) -> Correlator: ...
    def ingest(self, event: Mapping[str, Any], now: datetime | None = None) -> list[Decision]: ...
    def ingest_batch(
        self, events: Iterable[Mapping[str, Any]], now: datetime | None = None
    ) -> tuple[list[Decision], list[tuple[int, str]]]: ...
    def ingest_columns(
        self,
        *,
        tenant_id: _TextColumn,
        event_type: _TextColumn,
        occurred_at_ms: Sequence[int] | int | None = None,
        occurred_at: Sequence[datetime | str] | datetime | str | None = None,
        alarm_type: _OptTextColumn = None,
        severity: _OptTextColumn = None,
        source: _OptTextColumn = None,
        resource_type: _OptTextColumn = None,
        resource_id: _OptTextColumn = None,
        resource_name: _OptTextColumn = None,
        customer_id: _OptTextColumn = None,
        customer_name: _OptTextColumn = None,
        subscriber_count: Sequence[int | None] | int | None = None,
        title: _OptTextColumn = None,
        description: _OptTextColumn = None,
        probable_cause: _OptTextColumn = None,
        recommended_action: _OptTextColumn = None,
        external_alarm_id: _OptTextColumn = None,
        labels: Sequence[Mapping[str, str] | None] | Mapping[str, str] | None = None,
        raw: Sequence[Any] | None = None,
        now: datetime | None = None,
    ) -> tuple[DecisionBatch, list[tuple[int, str]]]: ...
    def tick(self, now: datetime | None = None) -> list[Decision]: ...
    def acknowledge(
        self, alarm_id: uuid.UUID | str, by: str, at: datetime | None = None
    ) -> list[Decision]: ...
    def clear(self, alarm_id: uuid.UUID | str, by: str, at: datetime | None = None) -> list[Decision]: ...
    def resolve(
        self, alarm_id: uuid.UUID | str, by: str, at: datetime | None = None
    ) -> list[Decision]: ...
    def add_topology_edges(
        self, tenant_id: str, edges: Iterable[Mapping[str, str] | tuple[str, str]]
    ) -> None: ...
    def remove_topology_edges(
        self, tenant_id: str, edges: Iterable[Mapping[str, str] | tuple[str, str]]
    ) -> int: ...
    def add_maintenance_window(self, window: Mapping[str, Any]) -> None: ...
    def cancel_maintenance_window(self, window_id: uuid.UUID | str) -> list[Decision]: ...
    def alarm_state(self, alarm_id: uuid.UUID | str) -> dict[str, Any] | None: ...
    def find_by_key(self, reduction_key: str) -> uuid.UUID | None: ...
    @property
    def active_count(self) -> int: ...
    @property
    def events_ingested(self) -> int: ...

@final
class Workflow:
    """A ticket workflow (preset ``itsm``, ``vms``, ``fibreflow``, or a definition)."""

    def __new__(cls, name: str = "itsm") -> Workflow: ...
    @staticmethod
    def from_definition(definition: Mapping[str, Any] | str) -> Workflow: ...
    @property
    def name(self) -> str: ...
    @property
    def initial_state(self) -> str: ...
    @property
    def states(self) -> list[str]: ...
    def allowed_transitions(self, state: str) -> list[str]: ...
    def can_transition(self, from_state: str, to_state: str) -> bool: ...
    def required_permission(self, from_state: str, to_state: str) -> str | None: ...
    def category_of(self, state: str) -> str | None: ...
    def to_json(self) -> str: ...

@final
class BusinessCalendar:
    """Working hours in a time zone, holidays, business-time arithmetic."""

    def __new__(cls, spec: Mapping[str, Any] | str) -> BusinessCalendar: ...
    @staticmethod
    def always() -> BusinessCalendar: ...
    @property
    def timezone(self) -> str: ...
    def is_working(self, at: datetime) -> bool: ...
    def add_business_time(self, start: datetime, duration: timedelta) -> datetime: ...
    def business_time_between(self, start: datetime, end: datetime) -> timedelta: ...
    def to_json(self) -> str: ...

@final
class SlaPolicy:
    """First-response and resolution targets per priority, with an optional calendar."""

    def __new__(cls, spec: Mapping[str, Any] | str) -> SlaPolicy: ...
    @property
    def name(self) -> str: ...
    def evaluate(self, events: Sequence[Mapping[str, Any]], now: datetime | None = None) -> SlaStatus: ...
    def to_json(self) -> str: ...

def map_severity_to_priority(severity: str) -> str:
    """Seed 000's mapping: critical → critical, major → high, minor → normal, warning/info → low."""

def _panic_for_test(message: str, awaitable: bool = False) -> Any:
    """Test support: a Rust panic in the binding's runtime (must surface as FaultdeskError)."""
