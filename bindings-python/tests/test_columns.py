"""``Correlator.ingest_columns`` (events as columns) and the ``DecisionBatch`` it returns."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import SEED_002_RULE

import faultdesk as fd

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
T0_MS = int(T0.timestamp() * 1000)

RULE = SEED_002_RULE

#: Every column ingest_columns takes, in the order of the dict path's event fields.
COLUMNS = (
    "tenant_id", "event_type", "alarm_type", "severity", "source", "resource_type", "resource_id",
    "resource_name", "customer_id", "customer_name", "subscriber_count", "title", "description",
    "probable_cause", "recommended_action", "external_alarm_id", "labels", "raw",
)


def correlator() -> fd.Correlator:
    c = fd.Correlator({"rules": [RULE], "id_seed": 11})
    edges = [("olt-1", "sp-1"), ("olt-2", "sp-2")]
    edges += [(f"sp-{1 + o % 2}", f"ont-{o}") for o in range(8)]
    c.add_topology_edges("acme", edges)
    return c


def storm() -> list[dict[str, Any]]:
    """A mixed storm (ms offsets from T0): OLT raises and clears (olt-1 flaps: 4 cycles in a
    few minutes), ONT signal losses under both OLTs (correlated, suppressed, unsuppressed when
    a parent clears), repeats, an unknown event type with a severity, and every optional field."""
    evs: list[dict[str, Any]] = []

    def add(ms: int, event_type: str, rtype: str, rid: str, **kw: Any) -> None:
        e: dict[str, Any] = {
            "tenant_id": "acme", "event_type": event_type, "resource_type": rtype,
            "resource_id": rid, "occurred_at": T0 + timedelta(milliseconds=ms),
        }
        e.update(kw)
        evs.append(e)

    add(0, "device.down", "olt", "olt-1", title="OLT 1 down", severity="critical")
    add(10, "device.down", "olt", "olt-2", source="network_device")
    for o in range(8):
        add(100 + o, "cpe.signal_loss", "ont", f"ont-{o}", alarm_type="signal.loss",
            customer_id=f"cust-{o}", subscriber_count=o, labels={"contractor_id": f"c-{o % 3}"})
    for o in range(8):  # repeats
        add(200 + o, "cpe.signal_loss", "ont", f"ont-{o}", alarm_type="signal.loss", severity="minor")
    add(300, "device.up", "olt", "olt-2")  # clears olt-2: its children are unsuppressed
    # olt-1 flaps
    for k in range(4):
        add(1_000 + 2_000 * k, "device.up", "olt", "olt-1")
        add(2_000 + 2_000 * k, "device.down", "olt", "olt-1")
    add(20_000, "custom.overheat", "device", "rack-9", severity="warning", resource_name="Rack 9",
        customer_name="Acme", description="hot", probable_cause="fan", recommended_action="replace",
        external_alarm_id="x-1", raw={"temp": 81.5, "oids": [1, 3, 6]})
    add(20_001, "no.such.type", "device", "rack-9")  # rejected: unknown, no severity
    add(20_002, "device.down", "olt", "olt-3", tenant_id="")  # rejected: empty tenant
    add(20_003, "device.degraded", "olt", "olt-3", tenant_id=uuid.UUID(int=3))
    return evs


def as_columns(evs: list[dict[str, Any]], *, ms: bool = True) -> dict[str, Any]:
    cols: dict[str, Any] = {name: [e.get(name) for e in evs] for name in COLUMNS}
    if ms:
        cols["occurred_at_ms"] = [T0_MS + (e["occurred_at"] - T0) // timedelta(milliseconds=1) for e in evs]
    else:
        cols["occurred_at"] = [e["occurred_at"] for e in evs]
    return cols


def test_columns_decide_exactly_what_dicts_decide() -> None:
    evs = storm()
    by_dicts, by_ms, by_datetimes = correlator(), correlator(), correlator()
    now = T0 + timedelta(minutes=1)
    kinds: list[str] = []
    for lo in range(0, len(evs), 7):  # batches that cut the storm anywhere
        chunk = evs[lo : lo + 7]
        ds, errors = by_dicts.ingest_batch(chunk, now=now)
        batch, cerrors = by_ms.ingest_columns(**as_columns(chunk), now=now)
        dbatch, derrors = by_datetimes.ingest_columns(**as_columns(chunk, ms=False), now=now)
        assert cerrors == errors and derrors == errors
        assert [d.to_dict() for d in batch] == [d.to_dict() for d in ds]
        assert [d.to_dict() for d in dbatch] == [d.to_dict() for d in ds]
        kinds += batch.kinds()
    got = Counter(kinds)
    # the storm reaches every path it is meant to
    for kind in ("created", "deduplicated", "correlated", "root_cause", "cleared", "flapping", "unsuppressed"):
        assert got[kind] > 0, (kind, got)
    for c in (by_ms, by_datetimes):
        assert (c.active_count, c.events_ingested) == (by_dicts.active_count, by_dicts.events_ingested)
    later = T0 + timedelta(hours=2)
    assert [d.to_dict() for d in by_ms.tick(later)] == [d.to_dict() for d in by_dicts.tick(later)]


def test_rejected_rows_are_reported_like_ingest_batch_and_change_nothing() -> None:
    c = correlator()
    batch, errors = c.ingest_columns(
        tenant_id=["acme", "acme", ""],
        event_type=["device.down", "no.such.type", "device.down"],
        resource_type="olt",
        resource_id=["olt-1", "olt-2", "olt-3"],
        occurred_at_ms=T0_MS,
        now=T0,
    )
    assert [i for i, _ in errors] == [1, 2]
    assert errors[0][1] == "Unknown event type 'no.such.type': not in the mapping table and no severity given"
    assert errors[1][1] == "Event tenant_id must not be empty"
    assert batch.kinds() == ["created"] and batch.event_indices() == [0]
    assert c.active_count == 1


def test_constants_stand_for_every_row() -> None:
    c = fd.Correlator({"id_seed": 3})
    batch, errors = c.ingest_columns(
        tenant_id="acme", event_type="device.down", resource_type="olt",
        resource_id=("olt-1", "olt-2"), occurred_at_ms=T0_MS + 5, labels={"site": "north"},
        subscriber_count=4, now=T0 + timedelta(seconds=1),
    )
    assert errors == []
    rows = [d["alarm"] for d in batch]
    assert [r["resource_id"] for r in rows] == ["olt-1", "olt-2"]
    assert all(r["labels"] == {"site": "north"} and r["subscriber_count"] == 4 for r in rows)
    assert {datetime.fromisoformat(r["first_occurrence"]) for r in rows} == {T0 + timedelta(milliseconds=5)}
    assert rows[0]["title"] == "device.down on olt-1"  # the engine's default title


def state(c: fd.Correlator) -> tuple[int, int]:
    return (c.active_count, c.events_ingested)


GOOD: dict[str, Any] = {
    "tenant_id": "acme",
    "event_type": ["device.down", "device.down", "device.down"],
    "resource_type": "olt",
    "resource_id": ["olt-1", "olt-2", "olt-3"],
    "occurred_at_ms": [T0_MS, T0_MS + 1, T0_MS + 2],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"resource_id": ["olt-1", "olt-2"]},
         "ingest_columns: columns of different lengths: event_type has 3 rows, resource_id has 2"),
        ({"occurred_at_ms": [T0_MS] * 4},
         "ingest_columns: columns of different lengths: event_type has 3 rows, occurred_at_ms has 4"),
        ({"title": ["a", "b", "c", "d"]},
         "ingest_columns: columns of different lengths: event_type has 3 rows, title has 4"),
        ({"resource_id": 7},
         "ingest_columns: resource_id must be a list or tuple of str (or None), or one str for every row, got int"),
        ({"resource_id": (r for r in "abc")},
         "ingest_columns: resource_id must be a list or tuple of str (or None), or one str for every row, got generator"),
        ({"resource_id": ["olt-1", "olt-2", 5]},
         "resource_id[2]: invalid alarm event: invalid type: integer `5`, expected a string"),
        ({"severity": [None, None, "apocalyptic"]}, None),
        ({"source": [None, None, "pigeon"]}, None),
        ({"subscriber_count": [1, 2, -3]}, None),
        ({"subscriber_count": [1, 2, True]}, None),
        ({"labels": [None, None, {"a": 1}]}, None),
        ({"occurred_at_ms": [T0_MS, T0_MS, 1.5]},
         "occurred_at_ms[2]: expected an int (epoch milliseconds, UTC), got float"),
        ({"occurred_at_ms": [T0_MS, T0_MS, True]},
         "occurred_at_ms[2]: expected an int (epoch milliseconds, UTC), got bool"),
        ({"occurred_at_ms": [T0_MS, T0_MS, 10**16]},
         "occurred_at_ms[2]: 10000000000000000 ms is outside the instants a datetime can hold (years 1 to 9999)"),
        ({"occurred_at_ms": [T0_MS, T0_MS, "yesterday"]},
         "occurred_at_ms[2]: expected an int (epoch milliseconds, UTC), got str"),
        ({"occurred_at_ms": None, "occurred_at": [T0, T0, datetime(2026, 3, 2, 8, 0)]},
         "occurred_at[2]: naive datetime 2026-03-02T08:00:00 is not accepted; pass a timezone-aware datetime (e.g. datetime.now(timezone.utc))"),
        ({"occurred_at_ms": None, "occurred_at": [T0, T0, "yesterday"]}, None),
        ({"occurred_at_ms": None},
         "ingest_columns: occurred_at_ms (epoch milliseconds, UTC) or occurred_at (timezone-aware datetimes) is required"),
        ({"occurred_at": [T0, T0, T0]}, "ingest_columns: give occurred_at_ms or occurred_at, not both"),
        ({"tenant_id": None},
         "ingest_columns: tenant_id is required: a list or tuple of str, or one str for every row"),
        ({"tenant_id": 5},
         "ingest_columns: tenant_id must be a list or tuple of str, or one str for every row, got int"),
        ({"tenant_id": ["acme", "acme", None]}, None),
        ({"event_type": "device.down", "resource_id": "olt-1", "occurred_at_ms": T0_MS},
         "ingest_columns: no column is a sequence (each was given one value for every row): pass at least one list"),
    ],
)
def test_bad_columns_raise_and_change_nothing(change: dict[str, Any], message: str | None) -> None:
    c = correlator()
    c.ingest_columns(**{**GOOD, "resource_id": ["olt-9"] * 3, "event_type": ["device.down"] * 3}, now=T0)
    before = state(c)
    with pytest.raises(fd.ValidationError) as err:
        c.ingest_columns(**{**GOOD, **change}, now=T0)
    assert isinstance(err.value, ValueError)
    if message is not None:
        assert str(err.value) == message
    assert state(c) == before
    # nothing of the refused batch got in: the same rows, fixed, are all new alarms
    batch, errors = c.ingest_columns(**GOOD, now=T0)
    assert errors == [] and batch.kinds() == ["created"] * 3


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("severity", "apocalyptic"),
        ("source", "pigeon"),
        ("subscriber_count", -3),
        ("subscriber_count", True),
        ("labels", {"a": 1}),
        ("occurred_at", "yesterday"),
        ("occurred_at", datetime(2026, 3, 2, 8, 0)),
        ("occurred_at", datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(seconds=30)))),
        ("tenant_id", None),
        ("resource_id", 5),
        ("title", b"bytes"),
        ("raw", float("nan")),
    ],
)
def test_bad_values_get_the_dict_paths_message(column: str, value: Any) -> None:
    # The message after the path is the dict path's, word for word.
    c = fd.Correlator()
    row: dict[str, Any] = {
        "tenant_id": "acme", "event_type": "device.down", "resource_type": "olt",
        "resource_id": "olt-1", "occurred_at": T0, column: value,
    }
    with pytest.raises(fd.ValidationError) as by_dict:
        c.ingest(row, now=T0)
    cols = {k: [v] for k, v in row.items()}
    with pytest.raises(fd.ValidationError) as by_cols:
        c.ingest_columns(**cols, now=T0)
    dict_msg, col_msg = str(by_dict.value), str(by_cols.value)
    assert col_msg.startswith(f"{column}[0]: "), col_msg
    tail = col_msg.removeprefix(f"{column}[0]: ")
    assert dict_msg.endswith(tail), (dict_msg, col_msg)
    assert state(c) == (0, 0)


def test_decision_batch_is_a_lazy_sequence_of_decisions() -> None:
    c = correlator()
    evs = storm()[:18]  # two OLTs, eight ONT alarms, eight repeats
    batch, errors = c.ingest_columns(**as_columns(evs), now=T0 + timedelta(minutes=1))
    assert errors == []
    ds = batch.to_list()
    n = len(ds)
    assert len(batch) == n > 18 and bool(batch)
    assert all(isinstance(d, fd.Decision) for d in ds)
    assert list(batch) == ds and [d for d in batch] == ds
    assert batch[0] == ds[0] and batch[n - 1] == ds[-1]
    assert batch[-1] == ds[-1] and batch[-n] == ds[0]
    assert batch[2:5] == ds[2:5] and batch[::-3] == ds[::-3] and batch[n:] == []
    for bad in (n, -n - 1, 10**6, 10**30, -(10**30)):
        with pytest.raises(IndexError, match="out of range"):
            batch[bad]
    with pytest.raises(TypeError, match="integers or slices"):
        batch["0"]  # type: ignore[call-overload]
    assert batch.kinds() == [d.kind for d in ds]
    assert batch.counts() == dict(Counter(d.kind for d in ds))
    assert batch.counts()["created"] == 10 and batch.counts()["deduplicated"] == 8
    assert batch.alarm_ids() == [d.alarm_id for d in ds]
    assert all(isinstance(a, uuid.UUID) for a in batch.alarm_ids())
    # each decision's row, in order, every row represented
    rows = batch.event_indices()
    assert rows == sorted(rows) and set(rows) == set(range(18))
    for d, r in zip(ds, rows):
        if d.kind == "created":
            assert d["alarm"]["resource_id"] == evs[r]["resource_id"]
    assert ds[0]["alarm"]["title"] == "OLT 1 down"
    # reading a decision twice gives equal, separate objects
    assert batch[0] == batch[0] and batch[0] is not batch[0]
    it = iter(batch)
    assert iter(it) is it and next(it) == ds[0]
    assert len(list(it)) == n - 1
    with pytest.raises(StopIteration):
        next(it)
    r = repr(batch)
    assert r.startswith(f"DecisionBatch(len={n}, counts={{'created': ") and "'deduplicated': 8" in r


def test_an_empty_batch() -> None:
    c = fd.Correlator()
    batch, errors = c.ingest_columns(tenant_id=[], event_type=[], occurred_at_ms=[], now=T0)
    assert (len(batch), bool(batch), list(batch), batch.counts(), errors) == (0, False, [], {}, [])
    with pytest.raises(IndexError):
        batch[0]
    assert repr(batch) == "DecisionBatch(len=0, counts={})"
    assert state(c) == (0, 0)


def test_columns_may_be_any_sequence() -> None:
    class Column:
        """A sequence that is neither a list nor a tuple."""

        def __init__(self, items: list[Any]) -> None:
            self.items = items

        def __len__(self) -> int:
            return len(self.items)

        def __getitem__(self, i: int) -> Any:
            return self.items[i]

    import collections.abc

    collections.abc.Sequence.register(Column)
    c = fd.Correlator()
    batch, _ = c.ingest_columns(
        tenant_id="acme", event_type=Column(["device.down", "device.down"]), resource_type="olt",
        resource_id=Column(["olt-1", "olt-1"]), occurred_at_ms=(T0_MS, T0_MS + 1), now=T0,
    )
    assert batch.kinds() == ["created", "deduplicated"]


def test_a_call_without_a_column_leaves_that_field_unset() -> None:
    # Rows are written into events the correlator reuses from call to call: a field the next
    # call gives no column for must not keep the previous call's values.
    c = fd.Correlator()
    full, _ = c.ingest_columns(
        tenant_id="acme", event_type=["device.down", "device.down"], resource_type="olt",
        resource_id=["olt-1", "olt-2"], occurred_at_ms=T0_MS, title=["One", "Two"],
        severity="minor", source="system", subscriber_count=[5, 6], labels={"site": "north"},
        raw=[{"a": 1}, [2]], customer_id=["c-1", "c-2"], description="d", now=T0,
    )
    assert [d["alarm"]["title"] for d in full] == ["One", "Two"]
    bare, _ = c.ingest_columns(
        tenant_id="acme", event_type=["device.down", "device.down"],
        resource_id=["olt-3", "olt-4"], occurred_at_ms=T0_MS, now=T0,
    )
    fresh, _ = fd.Correlator().ingest_columns(
        tenant_id="acme", event_type=["device.down", "device.down"],
        resource_id=["olt-3", "olt-4"], occurred_at_ms=T0_MS, now=T0,
    )
    rows = [d["alarm"] for d in bare]
    expected = [d["alarm"] for d in fresh]
    for r, e in zip(rows, expected):
        for k in ("id", "reduction_key", "alarm_id"):  # differ between correlators
            r.pop(k, None)
            e.pop(k, None)
    assert rows == expected
    assert rows[0]["title"] == "device.down on olt-3" and rows[0]["labels"] == {}
    assert rows[0]["subscriber_count"] == 0 and rows[0]["customer_id"] is None
    assert rows[0]["severity"] == "critical" and rows[0]["resource_type"] is None
