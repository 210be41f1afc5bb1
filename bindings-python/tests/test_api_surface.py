"""The public surface: every canonical Desk use-case on Desk and AsyncDesk with the same
signature, every native method reachable, every public name exported and documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import faultdesk as fd

# DESIGN.md "Canonical Desk names".
CANONICAL = """
ingest ingest_batch get_alarm list_alarms acknowledge_alarm clear_alarm resolve_alarm assign_alarm
add_alarm_note list_alarm_notes alarm_children correlation_group alarm_stats check_unacknowledged
archive_cleared
create_rule list_rules update_rule delete_rule add_topology_edges remove_topology_edges
create_maintenance_window list_maintenance_windows cancel_maintenance_window
create_ticket_from_alarm create_ticket get_ticket get_ticket_by_number update_ticket delete_ticket
assign_ticket transition_ticket reopen_ticket ticket_history list_tickets search_tickets ticket_sla
ticket_stats
add_comment edit_comment delete_comment list_comments add_attachment list_attachments
open_attachment delete_attachment
create_sla_definition get_sla_definition list_sla_definitions update_sla_definition
delete_sla_definition create_sla_instance create_sla_instances get_sla_instance list_sla_instances
update_sla_instance delete_sla_instance sla_status sla_compliance_report list_sla_breaches record_sla_measurements
subscribe events_since run_due deliver_notifications open migrate close
""".split()


def public_methods(cls: type) -> dict[str, object]:
    return {
        n: m
        for n, m in vars(cls).items()
        if not n.startswith("_") and (inspect.isfunction(m) or isinstance(m, classmethod))
    }


def test_every_canonical_use_case_exists_on_both() -> None:
    for name in CANONICAL:
        assert hasattr(fd.Desk, name), name
        assert hasattr(fd.AsyncDesk, name), name


def test_desk_and_async_desk_have_the_same_methods_and_signatures() -> None:
    sync, asyn = public_methods(fd.Desk), public_methods(fd.AsyncDesk)
    assert set(sync) == set(asyn)
    for name, m in sync.items():
        a = asyn[name]
        if isinstance(m, classmethod):
            m, a = m.__func__, a.__func__  # type: ignore[attr-defined]
        assert inspect.signature(m).parameters.keys() == inspect.signature(a).parameters.keys(), name  # type: ignore[arg-type]
        sync_is_coro = inspect.iscoroutinefunction(m)
        assert not sync_is_coro, name
        if name != "subscribe":
            assert inspect.iscoroutinefunction(a), name
        assert (m.__doc__ or "").strip() and (a.__doc__ or "").strip(), name  # type: ignore[union-attr]


def test_every_native_method_is_reachable_from_python() -> None:
    native = set(fd._faultdesk.NativeDesk.methods())
    assert native == {n for n in public_methods(fd.Desk) if n in native}
    assert native <= set(public_methods(fd.Desk))
    # And every Desk method is a native method or one of the hand-written ones.
    handwritten = {"open", "close", "subscribe"}
    assert set(public_methods(fd.Desk)) == native | handwritten


def test_the_generated_module_is_up_to_date() -> None:
    gen = Path(__file__).resolve().parents[1] / "gen_desk.py"
    if not gen.exists():  # running against an installed wheel without the sources
        return
    ns: dict[str, object] = {"__name__": "gen_desk"}
    exec(compile(gen.read_text(), str(gen), "exec"), ns)
    generated = ns["generate"]()  # type: ignore[operator]
    installed = Path(fd._desk.__file__).read_text()
    assert generated == installed, "run: python3 gen_desk.py python/faultdesk/_desk.py"


def test_all_public_names_are_exported_and_documented() -> None:
    for name in fd.__all__:
        obj = getattr(fd, name)
        if name in ("__version__", "UNSET", "IdLike", "AlarmEventLike"):
            continue
        assert (obj.__doc__ or "").strip(), name
    assert re.fullmatch(r"\d+\.\d+\.\d+", fd.__version__)
    stubs = Path(fd.__file__).with_name("_faultdesk.pyi")
    assert stubs.exists() and Path(fd.__file__).with_name("py.typed").exists()
    text = stubs.read_text()
    for name in dir(fd._faultdesk):
        if not name.startswith("__"):
            assert re.search(rf"^(class|def) {name}\b|^{name}:", text, re.M), f"{name} missing from the stubs"
