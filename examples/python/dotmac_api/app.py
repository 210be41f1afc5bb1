"""A DotMac-style FastAPI app on ``faultdesk.AsyncDesk``.

Seed 000's endpoint ``POST /api/v1/faults/alarms/{alarm_id}/create-ticket`` (request body
``{priority, additional_notes, assign_to_user_id}``, 201 ``{alarm_id, ticket_id, ticket_number,
message}``, 400/403 ``{"detail": ...}``), the alarm list ``GET /api/v1/faults/alarms`` with
filters, and an ingest endpoint for monitoring events.

Authentication is the host platform's job; here a small dependency reads the caller from
headers (``X-Tenant-ID``, ``X-User-ID``, ``X-Roles``, ``X-Permissions``) so the example stays
self-contained. Run: ``FAULTDESK_URL=sqlite:///tmp/fd.db uvicorn dotmac_api.app:app``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import faultdesk as fd


class CreateTicketRequest(BaseModel):
    """Seed 000's request body."""

    priority: str | None = None
    additional_notes: str | None = None
    assign_to_user_id: UUID | None = None


class CreateTicketResponse(BaseModel):
    """Seed 000's 201 response."""

    alarm_id: UUID
    ticket_id: UUID
    ticket_number: str
    message: str


class AlarmEventIn(BaseModel):
    """A monitoring event (DotMac's alarm create payload)."""

    event_type: str
    source: str = "network_device"
    severity: str | None = None
    alarm_type: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    resource_name: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    subscriber_count: int = 0
    title: str | None = None
    description: str | None = None
    external_alarm_id: str | None = None
    occurred_at: datetime


class AlarmOut(BaseModel):
    """An alarm as the API returns it."""

    id: UUID
    external_alarm_id: str | None
    severity: str
    status: str
    source: str
    alarm_type: str
    title: str
    resource_type: str | None
    resource_id: str | None
    customer_id: str | None
    subscriber_count: int
    occurrence_count: int
    first_occurrence: datetime
    last_occurrence: datetime
    ticket_id: UUID | None


class AlarmPage(BaseModel):
    """One page of alarms."""

    items: list[AlarmOut]
    total: int
    page: int
    page_size: int
    next_cursor: str | None


def _csv(value: str | None) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()] if value else []


def current_actor(
    request: Request,
    x_tenant_id: Annotated[str, Header()],
    x_user_id: Annotated[str, Header()],
    x_roles: Annotated[str | None, Header()] = None,
    x_permissions: Annotated[str | None, Header()] = None,
) -> fd.Actor:
    """The caller (stand-in for the platform's auth dependency)."""
    ip = request.client.host if request.client else None
    return fd.Actor(x_tenant_id, x_user_id, roles=_csv(x_roles), permissions=_csv(x_permissions), ip=ip)


ActorDep = Annotated[fd.Actor, Depends(current_actor)]


def desk_of(request: Request) -> fd.AsyncDesk:
    """The app's Desk."""
    desk: fd.AsyncDesk = request.app.state.desk
    return desk


DeskDep = Annotated[fd.AsyncDesk, Depends(desk_of)]


def create_app(url: str | None = None, config: fd.Config | None = None) -> FastAPI:
    """The app, with its Desk opened on ``url`` (default ``$FAULTDESK_URL`` or in-memory)."""
    db_url = url or os.environ.get("FAULTDESK_URL", "sqlite::memory:")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.desk = await fd.AsyncDesk.open(db_url, config)
        try:
            yield
        finally:
            await app.state.desk.close()

    app = FastAPI(title="DotMac fault management (faultdesk)", lifespan=lifespan)

    status_of: dict[type[fd.FaultdeskError], int] = {
        fd.PermissionDeniedError: 403,
        fd.NotFoundError: 400,  # seed 000: "Alarm {id} not found" is a 400
        fd.ConflictError: 400,
        fd.ValidationError: 400,
        fd.InvalidTransitionError: 400,
        fd.StorageError: 503,
    }

    @app.exception_handler(fd.FaultdeskError)
    async def faultdesk_error(_: Request, exc: Exception) -> JSONResponse:
        code = next((c for t, c in status_of.items() if isinstance(exc, t)), 500)
        return JSONResponse(status_code=code, content={"detail": str(exc)})

    @app.post(
        "/api/v1/faults/alarms/{alarm_id}/create-ticket",
        status_code=201,
        response_model=CreateTicketResponse,
    )
    async def create_ticket_from_alarm(
        alarm_id: UUID, body: CreateTicketRequest, actor: ActorDep, desk: DeskDep
    ) -> CreateTicketResponse:
        res = await desk.create_ticket_from_alarm(
            actor,
            alarm_id,
            priority=body.priority,
            additional_notes=body.additional_notes,
            assign_to_user_id=body.assign_to_user_id,
        )
        return CreateTicketResponse(**res.to_dict())

    @app.get("/api/v1/faults/alarms", response_model=AlarmPage)
    async def list_alarms(
        actor: ActorDep,
        desk: DeskDep,
        severity: Annotated[list[str] | None, Query()] = None,
        status: Annotated[list[str] | None, Query()] = None,
        source: Annotated[list[str] | None, Query()] = None,
        alarm_type: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
        customer_id: str | None = None,
        root_cause_only: bool = False,
        page: Annotated[int, Query(ge=1)] = 1,
        page_size: Annotated[int, Query(ge=1)] = 50,
    ) -> AlarmPage:
        result = await desk.list_alarms(
            actor,
            severity=severity,
            status=status,
            source=source,
            alarm_type=alarm_type,
            resource_type=resource_type,
            resource_id=resource_id,
            customer_id=customer_id,
            root_cause_only=root_cause_only,
            page=page,
            page_size=page_size,
        )
        return AlarmPage(
            items=[AlarmOut(**a.to_dict()) for a in result.items],
            total=result.total,
            page=result.page,
            page_size=result.page_size,
            next_cursor=result.next_cursor,
        )

    @app.post("/api/v1/faults/events", status_code=202)
    async def ingest(events: list[AlarmEventIn], actor: ActorDep, desk: DeskDep) -> dict[str, Any]:
        out = await desk.ingest_batch(actor, [e.model_dump(exclude_none=True) for e in events])
        return {"alarm_ids": [str(i) for i in out.alarm_ids], "created": out.created, "updated": out.updated}

    return app


app = create_app()
