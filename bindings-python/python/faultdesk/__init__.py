"""faultdesk: an embeddable fault-management and ticketing engine (Rust, via PyO3).

>>> import faultdesk as fd
>>> fd.map_severity_to_priority("Major")
'high'

``Desk`` (blocking, releases the GIL) and ``AsyncDesk`` (asyncio) expose every use-case;
results are typed classes (``Ticket``, ``TicketFromAlarm``, ``Page``, ...) with attributes,
``to_dict()``, ``repr`` and equality; faultdesk ids are ``uuid.UUID``, instants aware
``datetime``, money ``decimal.Decimal``. Errors are ``FaultdeskError`` subclasses whose
``str()`` is the engine's exact message. The pure engines work without a database:
``Correlator``, ``Workflow``, ``BusinessCalendar``, ``SlaPolicy``, ``map_severity_to_priority``.
"""

from __future__ import annotations

from ._desk import (
    AlarmEventLike,
    AsyncDesk,
    AsyncSubscription,
    Config,
    Desk,
    IdLike,
    Subscription,
)
from ._faultdesk import (
    Actor,
    BusinessCalendar,
    ConflictError,
    Correlator,
    Decision,
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
from ._types import (
    UNSET,
    Alarm,
    AlarmNote,
    AlarmStats,
    Attachment,
    AuditEvent,
    Comment,
    DeliveryReport,
    Event,
    IngestOutcome,
    MaintenanceWindow,
    Notification,
    OrphanReport,
    Page,
    Record,
    RunDueReport,
    SlaStatus,
    SlaTargetStatus,
    StoredRule,
    Ticket,
    TicketFromAlarm,
    TicketSearchHit,
    TicketStatistics,
    UnacknowledgedFinding,
    Unset,
)

__all__ = [
    "UNSET",
    "Actor",
    "Alarm",
    "AlarmEventLike",
    "AlarmNote",
    "AlarmStats",
    "AsyncDesk",
    "AsyncSubscription",
    "Attachment",
    "AuditEvent",
    "BusinessCalendar",
    "Comment",
    "Config",
    "ConflictError",
    "Correlator",
    "Decision",
    "DeliveryReport",
    "Desk",
    "Event",
    "FaultdeskError",
    "IdLike",
    "IngestOutcome",
    "InvalidTransitionError",
    "MaintenanceWindow",
    "NotFoundError",
    "Notification",
    "OrphanReport",
    "Page",
    "PermissionDeniedError",
    "Record",
    "RunDueReport",
    "SlaPolicy",
    "SlaStatus",
    "SlaTargetStatus",
    "StorageError",
    "StoredRule",
    "Subscription",
    "Ticket",
    "TicketFromAlarm",
    "TicketSearchHit",
    "TicketStatistics",
    "UnacknowledgedFinding",
    "Unset",
    "ValidationError",
    "Workflow",
    "__version__",
    "map_severity_to_priority",
]
