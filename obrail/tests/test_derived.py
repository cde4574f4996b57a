"""The derived-data registry: order, failure isolation, single edits and bulk changes."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from django.db import transaction

from obrail import derived


@pytest.fixture
def registry(monkeypatch) -> list[str]:
    """An empty registry (the apps' artefacts set aside); returns the rebuilds' call log."""
    monkeypatch.setattr(derived, "_registry", {})
    return []


def _artefact(log: list[str], name: str, *, fails: bool = False, current: bool = False):
    def rebuild(change: derived.Change) -> derived.Result:
        log.append(name)
        if fails:
            raise OSError(f"{name}: disk full")
        return derived.Result("current" if current else "done", is_rebuilt=not current)

    return rebuild


def test_the_apps_register_every_artefact_in_dependency_order():
    names = [artefact.name for artefact in derived.registered()]
    assert sorted(names) == [
        "atlas",
        "indicator-caches",
        "model-staleness",
        "routing-artefact",
        "volume-summary",
    ]
    position = {name: index for index, name in enumerate(names)}
    assert position["routing-artefact"] < position["atlas"] < position["model-staleness"]
    assert position["volume-summary"] < position["indicator-caches"]
    heavy = {a.name for a in derived.registered() if a.is_heavy}
    assert heavy == {"routing-artefact", "atlas"}


def test_artefacts_run_after_those_they_are_built_from_light_ones_first(registry):
    derived.register("c-heavy", _artefact(registry, "c-heavy"), after=("b",), is_heavy=True)
    derived.register("z-heavy", _artefact(registry, "z-heavy"), is_heavy=True)
    derived.register("b", _artefact(registry, "b"))
    derived.register("a", _artefact(registry, "a"), after=("z-heavy",))
    outcomes = derived.rebuild_after_change("test")
    assert registry == ["b", "z-heavy", "a", "c-heavy"]
    assert [o.status for o in outcomes] == ["rebuilt"] * 4


def test_registering_again_replaces_the_artefact_in_its_one_place(registry):
    derived.register("a", _artefact(registry, "first"))
    derived.register("a", _artefact(registry, "second"), after=())
    derived.rebuild_after_change("test")
    assert registry == ["second"]
    assert [a.name for a in derived.registered()] == ["a"]


def test_an_unknown_dependency_or_a_cycle_is_refused_naming_it(registry):
    derived.register("a", _artefact(registry, "a"), after=("missing",))
    with pytest.raises(ValueError, match="unregistered \\['missing'\\]"):
        derived.rebuild_after_change("test")
    derived.register("a", _artefact(registry, "a"), after=("b",))
    derived.register("b", _artefact(registry, "b"), after=("a",))
    with pytest.raises(ValueError, match="depend on each other"):
        derived.registered()
    assert registry == []


def test_a_failure_blocks_only_the_artefacts_built_from_it(registry, caplog):
    derived.register("base", _artefact(registry, "base", fails=True))
    derived.register("on-base", _artefact(registry, "on-base"), after=("base",))
    derived.register("on-on-base", _artefact(registry, "on-on-base"), after=("on-base",))
    derived.register("other", _artefact(registry, "other", current=True))
    with caplog.at_level(logging.INFO, logger="obrail.derived"):
        outcomes = {o.name: o for o in derived.rebuild_after_change("test", run_id=7)}
    assert registry == ["base", "other"]
    assert outcomes["base"].status == "failed"
    assert outcomes["base"].detail == "OSError: base: disk full"
    assert (outcomes["on-base"].status, outcomes["on-base"].detail) == ("blocked", "base failed")
    assert outcomes["on-on-base"].status == "blocked"
    assert (outcomes["other"].status, outcomes["other"].detail) == ("up_to_date", "current")
    failure = next(r for r in caplog.records if r.getMessage() == "derived base failed")
    assert failure.exc_info is not None
    assert failure.run_id == 7
    done = next(r for r in caplog.records if r.getMessage().startswith("derived other"))
    assert done.outcome == "up_to_date"
    assert done.duration_s >= 0


def test_only_rebuilds_the_named_artefacts_and_refuses_an_unknown_name(registry):
    derived.register("a", _artefact(registry, "a"))
    derived.register("b", _artefact(registry, "b"), after=("a",))
    assert [o.name for o in derived.rebuild_after_change("test", only=["b"])] == ["b"]
    assert registry == ["b"]
    with pytest.raises(ValueError, match="unknown derived artefact\\(s\\): nope"):
        derived.rebuild_after_change("test", only=["nope"])


def test_the_change_tells_each_rebuild_why_and_whether_to_force(registry):
    seen = []
    derived.register("a", lambda change: seen.append(change) or derived.Result("ok"))
    derived.rebuild_after_change("etl run 3", changed=True, run_id=3)
    derived.rebuild_after_change("by hand", force=True)
    assert seen == [
        derived.Change("etl run 3", run_id=3, is_data_changed=True),
        derived.Change("by hand", force=True),
    ]


def test_summary_names_each_outcome_with_its_duration():
    outcomes = [
        derived.Outcome("atlas", "rebuilt", 1.26, "3 pairs"),
        derived.Outcome("caches", "up_to_date", 0.04, "current"),
    ]
    assert derived.summary(outcomes) == "atlas rebuilt (1.3 s); caches up_to_date (0.0 s)"
    assert outcomes[0].as_dict() == {
        "name": "atlas", "status": "rebuilt", "duration_s": 1.26, "detail": "3 pairs",
    }  # fmt: skip


@pytest.fixture
def recorded(monkeypatch) -> list[Counter[str]]:
    """The edit recorders replaced by one that keeps what it is given."""
    edits: list[Counter[str]] = []
    monkeypatch.setattr(derived, "_edit_recorders", [edits.append])
    return edits


@pytest.mark.django_db(transaction=True)
def test_single_edits_are_recorded_once_per_committed_transaction(recorded):
    with transaction.atomic():
        derived.note_edit("trajets.Trajet")
        derived.note_edit("trajets.Stop")
        derived.note_edit("trajets.Stop")
        assert recorded == []  # not before the commit
    assert recorded == [Counter({"trajets.Stop": 2, "trajets.Trajet": 1})]
    derived.note_edit("trajets.Operator")  # autocommit: recorded at once
    assert recorded[1:] == [Counter({"trajets.Operator": 1})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_edit_is_not_recorded(recorded):
    def edit_then_fail() -> None:
        with transaction.atomic():
            derived.note_edit("trajets.Trajet")
            raise RuntimeError("admin form error")

    with pytest.raises(RuntimeError):
        edit_then_fail()
    with transaction.atomic():
        derived.note_edit("trajets.Station")
    assert recorded == [Counter({"trajets.Station": 1})]


@pytest.mark.django_db(transaction=True)
def test_no_edit_is_recorded_inside_a_bulk_change_or_a_rebuild(recorded, registry):
    with derived.bulk_change(), transaction.atomic():
        derived.note_edit("trajets.Trajet")
    derived.register("writes", lambda change: derived.note_edit("x") or derived.Result("ok"))
    derived.rebuild_after_change("test")
    assert recorded == []
    assert not derived.is_bulk_change()
