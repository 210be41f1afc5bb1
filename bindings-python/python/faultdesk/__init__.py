"""faultdesk: embeddable fault-management and ticketing engine (Rust, via PyO3).

>>> import faultdesk as fd
>>> fd.map_severity_to_priority("Major")
'high'

``Desk`` (blocking, releases the GIL) and ``AsyncDesk`` (asyncio) expose every use-case;
results are typed classes (``Ticket``, ``TicketFromAlarm``, ``Page``...) with ``to_dict()``.
Errors are ``FaultdeskError`` subclasses whose ``str()`` is the engine's exact message.
"""

from __future__ import annotations

from ._faultdesk import (
    Actor,
    BusinessCalendar,
    ConflictError,
    Correlator,
    FaultdeskError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    SlaPolicy,
    StorageError,
    ValidationError,
    Workflow,
    __version__,
    map_severity_to_priority,
)
from ._desk import AsyncDesk, AsyncSubscription, Config, Desk, IdLike, Subscription
from ._types import (
    Alarm,
    AlarmNote,
    AlarmStats,
    IngestOutcome,
    MaintenanceWindow,
    StoredRule,
    UnacknowledgedFinding,
    Attachment,
    AuditEvent,
    Comment,
    DeliveryReport,
    Event,
    Notification,
    Page,
    Record,
    RunDueReport,
    Ticket,
    TicketFromAlarm,
    TicketSearchHit,
    TicketStatistics,
)

__all__ = [
    "Alarm",
    "AlarmNote",
    "AlarmStats",
    "IngestOutcome",
    "MaintenanceWindow",
    "StoredRule",
    "UnacknowledgedFinding",
    "Actor",
    "AsyncDesk",
    "AsyncSubscription",
    "Attachment",
    "AuditEvent",
    "BusinessCalendar",
    "Comment",
    "Config",
    "ConflictError",
    "Correlator",
    "DeliveryReport",
    "Desk",
    "Event",
    "FaultdeskError",
    "IdLike",
    "InvalidTransitionError",
    "NotFoundError",
    "Notification",
    "Page",
    "PermissionDeniedError",
    "Record",
    "RunDueReport",
    "SlaPolicy",
    "StorageError",
    "Subscription",
    "Ticket",
    "TicketFromAlarm",
    "TicketSearchHit",
    "TicketStatistics",
    "ValidationError",
    "Workflow",
    "__version__",
    "map_severity_to_priority",
]
