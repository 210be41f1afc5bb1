"""Seed 000's API through FastAPI's TestClient, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dotmac_api.app import create_app

URLS = ["sqlite"] + (["postgres"] if os.environ.get("FAULTDESK_TEST_PG_URL") else [])


@pytest.fixture(params=URLS)
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite://{tmp_path / 'api.db'}" if request.param == "sqlite" else os.environ["FAULTDESK_TEST_PG_URL"]
    with TestClient(create_app(url)) as c:
        yield c


@pytest.fixture
def headers() -> dict[str, str]:
    return {
        "X-Tenant-ID": str(uuid.uuid4()),
        "X-User-ID": str(uuid.uuid4()),
        "X-Permissions": "faults.alarms.write,faults.alarms.read",
    }


def raise_alarm(client: TestClient, headers: dict[str, str], rid: str = "router-001", severity: str = "critical") -> str:
    r = client.post(
        "/api/v1/faults/events",
        headers=headers,
        json=[
            {
                "event_type": "port_down",
                "severity": severity,
                "source": "network_device",
                "resource_type": "device",
                "resource_id": rid,
                "title": f"Port down on {rid}",
                "external_alarm_id": "ALM-2024-001234",
                "occurred_at": datetime.now(timezone.utc).isoformat(),
            }
        ],
    )
    assert r.status_code == 202, r.text
    ids: list[str] = r.json()["alarm_ids"]
    return ids[0]


def test_create_ticket_201_then_400_conflict(client: TestClient, headers: dict[str, str]) -> None:
    alarm_id = raise_alarm(client, headers)
    assignee = "550e8400-e29b-41d4-a716-446655440000"
    r = client.post(
        f"/api/v1/faults/alarms/{alarm_id}/create-ticket",
        headers=headers,
        json={"priority": "high", "additional_notes": "VIP customer affected.", "assign_to_user_id": assignee},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"alarm_id", "ticket_id", "ticket_number", "message"}
    assert body["alarm_id"] == alarm_id
    assert body["message"] == f"Ticket {body['ticket_number']} created successfully from alarm"
    again = client.post(f"/api/v1/faults/alarms/{alarm_id}/create-ticket", headers=headers, json={})
    assert again.status_code == 400
    assert again.json() == {
        "detail": f"Alarm {alarm_id} already has ticket {body['ticket_id']}. Please update the existing ticket instead."
    }


def test_default_priority_from_empty_body(client: TestClient, headers: dict[str, str]) -> None:
    alarm_id = raise_alarm(client, headers, severity="major")
    r = client.post(f"/api/v1/faults/alarms/{alarm_id}/create-ticket", headers=headers, json={})
    assert r.status_code == 201


def test_not_found_is_400_with_seed_text(client: TestClient, headers: dict[str, str]) -> None:
    missing = uuid.uuid4()
    r = client.post(f"/api/v1/faults/alarms/{missing}/create-ticket", headers=headers, json={})
    assert r.status_code == 400
    assert r.json() == {"detail": f"Alarm {missing} not found"}


def test_permission_denied_is_403(client: TestClient, headers: dict[str, str]) -> None:
    alarm_id = raise_alarm(client, headers)
    reader = dict(headers, **{"X-Permissions": "faults.alarms.read"})
    r = client.post(f"/api/v1/faults/alarms/{alarm_id}/create-ticket", headers=reader, json={"priority": "high"})
    assert r.status_code == 403
    assert r.json() == {"detail": "Permission denied. Required permission: faults.alarms.write"}


def test_list_alarms_with_filters(client: TestClient, headers: dict[str, str]) -> None:
    raise_alarm(client, headers, rid="r-1", severity="critical")
    raise_alarm(client, headers, rid="r-2", severity="minor")
    raise_alarm(client, headers, rid="r-3", severity="critical")
    all_ = client.get("/api/v1/faults/alarms", headers=headers)
    assert all_.status_code == 200, all_.text
    assert all_.json()["total"] == 3
    crit = client.get("/api/v1/faults/alarms", headers=headers, params={"severity": "critical"})
    assert crit.json()["total"] == 2
    assert {a["resource_id"] for a in crit.json()["items"]} == {"r-1", "r-3"}
    one = client.get("/api/v1/faults/alarms", headers=headers, params={"resource_id": "r-2"})
    assert [a["severity"] for a in one.json()["items"]] == ["minor"]
    paged = client.get("/api/v1/faults/alarms", headers=headers, params={"page_size": 2, "page": 2})
    assert paged.json()["page"] == 2 and len(paged.json()["items"]) == 1
    bad = client.get("/api/v1/faults/alarms", headers=headers, params={"page_size": 500})
    assert bad.status_code == 400


def test_other_tenant_sees_nothing(client: TestClient, headers: dict[str, str]) -> None:
    alarm_id = raise_alarm(client, headers)
    other = dict(headers, **{"X-Tenant-ID": str(uuid.uuid4())})
    assert client.get("/api/v1/faults/alarms", headers=other).json()["total"] == 0
    r = client.post(f"/api/v1/faults/alarms/{alarm_id}/create-ticket", headers=other, json={})
    assert r.status_code == 400 and r.json() == {"detail": f"Alarm {alarm_id} not found"}
