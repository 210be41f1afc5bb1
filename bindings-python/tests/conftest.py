"""Fixtures: a Desk on SQLite (a temp file) and, when FAULTDESK_TEST_PG_URL is set, on
PostgreSQL. Each test acts in its own random tenant, so tests never see each other's rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import faultdesk as fd

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("FAULTDESK_TEST_PG_URL") else [])


def url_for(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite://{tmp_path / 'faultdesk.db'}"
    return os.environ["FAULTDESK_TEST_PG_URL"]


@pytest.fixture(params=BACKENDS)
def desk_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_for(request.param, tmp_path)


@pytest.fixture
def desk(desk_url: str, tmp_path: Path) -> Iterator[fd.Desk]:
    d = fd.Desk.open(desk_url, fd.Config(blob_dir=str(tmp_path / "blobs")))
    yield d
    d.close()


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4()}"


@pytest.fixture
def admin(tenant: str) -> fd.Actor:
    return fd.Actor(tenant, "admin-1", roles=["ADMIN"], ip="10.0.0.1")


@pytest.fixture
def nobody(tenant: str) -> fd.Actor:
    return fd.Actor(tenant, "nobody")
