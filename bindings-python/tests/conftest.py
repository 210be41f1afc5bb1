"""Fixtures: a Desk on SQLite (a temp file) and, when FAULTDESK_TEST_PG_URL is set, on
PostgreSQL too. Each test acts in its own random tenant, so tests sharing a database never
see each other's rows. Record classes are strict here: a field the native layer renamed or
added fails the test instead of silently becoming ``None``."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import faultdesk as fd
from faultdesk import _types

#: Seed 002's correlation rule, verbatim (shared by the alarm, engine and columns tests).
SEED_002_RULE: dict[str, Any] = {
    "name": "OLT to ONT Correlation",
    "type": "correlation",
    "conditions": {
        "parent": {"alarm_type": "device.down", "resource_type": "olt"},
        "child": {"alarm_type": "signal.loss", "resource_type": "ont"},
    },
    "actions": {"mark_parent_as_root_cause": True, "suppress_child_alarms": True, "create_correlation_id": True},
    "time_window": 300,
}

_types.STRICT_FIELDS = True

PG_URL = os.environ.get("FAULTDESK_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


def url_for(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite://{tmp_path / 'faultdesk.db'}"
    assert PG_URL
    return PG_URL


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def desk_url(backend: str, tmp_path: Path) -> str:
    return url_for(backend, tmp_path)


def config(tmp_path: Path, **extra: Any) -> fd.Config:
    """The test config: blobs under tmp_path, an SLA policy so ticket_sla has something to say."""
    return fd.Config(blob_dir=str(tmp_path / "blobs"), sla_policy="itsm", **extra)


@pytest.fixture
def desk(desk_url: str, tmp_path: Path) -> Iterator[fd.Desk]:
    d = fd.Desk.open(desk_url, config(tmp_path))
    yield d
    d.close()


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4()}"


@pytest.fixture
def admin(tenant: str) -> fd.Actor:
    return fd.Actor(tenant, "admin-1", roles=["ADMIN"], ip="10.0.0.1")


@pytest.fixture
def operator(tenant: str) -> fd.Actor:
    """Seed 000's operator: exactly the one permission create_ticket_from_alarm needs."""
    return fd.Actor(tenant, str(uuid.uuid4()), permissions=["faults.alarms.write", "faults.alarms.read"])


@pytest.fixture
def nobody(tenant: str) -> fd.Actor:
    return fd.Actor(tenant, "nobody")


def alarm_event(rid: str = "olt-7", **kw: Any) -> dict[str, Any]:
    """A seed 002 monitoring event (device.down on an OLT unless overridden)."""
    e: dict[str, Any] = {
        "event_type": "device.down",
        "source": "network_device",
        "resource_type": "olt",
        "resource_id": rid,
        "title": f"OLT {rid} down",
        "occurred_at": datetime.now(timezone.utc),
    }
    e.update(kw)
    return e
