"""Every way the data changes goes through the one derived-data pipeline, once.

``derived_calls`` (conftest) replaces the registered artefacts by one probe recording the run
and whether data changed; the real artefacts have their own tests in their apps.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.routing.derived import outdated_reason
from apps.trajets.edits import EDITS_SOURCE
from apps.trajets.etl.loader import load_snapshot_history
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, load_sources
from apps.trajets.models import ImportRun, Operator
from apps.trajets.tests.factories import (
    make_misplaced_station,
    make_operator,
    make_run,
    make_source,
    make_trajet,
)
from obrail import derived

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def _command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_seeder_rebuilds_the_derived_data_once(derived_calls):
    output = _command("seed_synthetic", "--trajets", "20", "--stations", "200", "--seed", "3")
    run = ImportRun.objects.get(source__name="synthetic")
    assert derived_calls == [(run.pk, True)]
    assert run.derived == [
        {"name": "probe", "status": "rebuilt", "duration_s": run.derived[0]["duration_s"],
         "detail": "probed"},
    ]  # fmt: skip
    assert "derived data: probe rebuilt" in output


def test_the_identity_repair_rebuilds_the_derived_data_once_when_it_changed(derived_calls):
    make_misplaced_station()
    output = _command("repair_identity")
    run = ImportRun.objects.get(source__name="repair-identity")
    assert derived_calls == [(run.pk, True)]
    assert "derived data: probe rebuilt" in output
    _command("repair_identity")  # consistent now: nothing changed, nothing rebuilt
    assert derived_calls == [(run.pk, True)]


def test_the_source_calendar_repair_rebuilds_the_derived_data_once_when_it_changed(
    derived_calls,
):
    source = make_source("feed-c")
    first, last = dt.date(2025, 11, 3), dt.date(2025, 11, 30)
    make_trajet(run=make_run(source), valid_from=first, valid_to=last, runs_from=first,
                runs_until=last, running_days=28)  # fmt: skip
    output = _command("refresh_source_calendars")
    run = ImportRun.objects.get(source__name="source-calendars")
    assert (run.message, derived_calls) == ("calendars changed: feed-c", [(run.pk, True)])
    assert "derived data: probe rebuilt" in output
    _command("refresh_source_calendars")  # nothing changed: nothing recorded or rebuilt
    assert ImportRun.objects.filter(source__name="source-calendars").count() == 1
    assert len(derived_calls) == 1


def test_the_snapshot_history_load_rebuilds_the_derived_data_once(derived_calls):
    spec = next(
        s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == "back-on-track-ontd-history"
    )
    report = load_snapshot_history(spec, path=ROOT / spec.path)
    assert report.status == "succeeded"
    assert derived_calls == [(report.run_id, True)]
    assert load_snapshot_history(spec, path=ROOT / spec.path).status == "skipped"
    assert derived_calls == [(report.run_id, True)]


def test_an_admin_edit_is_recorded_after_commit_and_rebuilt_by_the_next_rebuild_derived(
    admin_client, commit_hooks, derived_calls
):
    operator = make_operator("sncf", "SNCF")
    commit_hooks()  # the fixture rows, as if committed before
    edits_before = ImportRun.objects.filter(source__name=EDITS_SOURCE).count()
    response = admin_client.post(
        reverse("admin:trajets_operator_change", args=[operator.pk]),
        {"code": "sncf", "name": "SNCF Voyageurs", "legal_name": "", "country": "FR",
         "website": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Operator.objects.get(pk=operator.pk).name == "SNCF Voyageurs"
    assert ImportRun.objects.filter(source__name=EDITS_SOURCE).count() == edits_before
    commit_hooks()  # the admin's transaction commits
    run = ImportRun.objects.filter(source__name=EDITS_SOURCE).latest("pk")
    assert run.status == "succeeded"
    assert "1 × trajets.Operator" in run.message
    # Nothing was rebuilt in the request; the artefacts now read as older than the data.
    assert derived_calls == []
    assert outdated_reason() != ""
    _command("rebuild_derived")
    assert derived_calls == [(None, False)]


def test_a_bulk_load_records_no_per_row_edit(commit_hooks, derived_calls):
    with derived.bulk_change():
        make_trajet()
        make_trajet()
    commit_hooks()
    assert not ImportRun.objects.filter(source__name=EDITS_SOURCE).exists()


def test_rebuild_derived_lists_forces_and_restricts_the_artefacts(derived_calls, monkeypatch):
    seen = []

    def second(change: derived.Change) -> derived.Result:
        seen.append(change.force)
        return derived.Result("current", is_rebuilt=change.force)

    # Registering an artefact is one call: the command lists and runs it with no other change.
    derived.register("second", second, after=("probe",), is_heavy=True, description="a test")
    assert _command("rebuild_derived", "--list").splitlines() == [
        "probe: ",
        "second (after probe) [heavy]: a test",
    ]
    assert derived_calls == []
    output = _command("rebuild_derived")
    assert "probe: rebuilt in" in output
    assert "second: up_to_date in" in output
    _command("rebuild_derived", "--only", "second", "--force")
    assert (len(derived_calls), seen) == (1, [False, True])
    with pytest.raises(CommandError, match="unknown derived artefact"):
        _command("rebuild_derived", "--only", "nope")


def test_rebuild_derived_fails_naming_the_failed_and_blocked_artefacts(derived_calls):
    def broken(change: derived.Change) -> derived.Result:
        raise OSError("disk full")

    derived.register("broken", broken)
    derived.register("on-broken", lambda change: derived.Result("ok"), after=("broken",))
    with pytest.raises(CommandError, match="not rebuilt: broken, on-broken"):
        _command("rebuild_derived")
    assert len(derived_calls) == 1  # the independent artefact was still rebuilt
