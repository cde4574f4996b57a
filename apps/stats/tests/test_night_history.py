"""Night trains over time: Back-on-Track's quarterly snapshots as dated observations, and
every import of a source as an observation listing what changed."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from html import escape
from pathlib import Path

import pytest
from django.utils import timezone

from apps.trajets.etl.loader import load_snapshot_history, load_source
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, SourceSpec, load_sources
from apps.trajets.models import DataSource, ImportRun, ObservedChange, SourceObservation, Trajet
from apps.trajets.observations import Item, diff_items, night_route_series
from apps.trajets.tests.test_etl_extractors import GTFS_T1_CHANGED_T2_GONE, write_gtfs
from tests.test_one_language import english_words

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def isolated_artefacts(settings, tmp_path: Path) -> None:
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"


def _history_spec() -> SourceSpec:
    return next(
        s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == "back-on-track-ontd-history"
    )


def _is_route(name: str) -> bool:
    """A name, not a blank or a spreadsheet's broken-reference row (``#REF!``)."""
    return bool(name.strip()) and name.strip() != "#REF!"


def _raw_counts(folder: Path) -> dict[str, tuple[int, Counter]]:
    """Routes per snapshot counted straight from the files: entries with a name."""
    counts = {}
    for path in sorted(folder.glob("*_view_ontd_list.json")):
        entries = json.loads(path.read_text(encoding="utf-8")).values()
        named = [e for e in entries if _is_route(str(e.get("night_train", e.get("trip_id")) or ""))]
        countries = Counter(
            c.strip()
            for e in named
            for c in {c.strip() for c in str(e.get("countries") or "").split(",")}
            if c.strip() and c.strip() != "#REF!"
        )
        counts[path.name[:10]] = (len(named), countries)
    return counts


def _raw_names(folder: Path) -> dict[str, set[str]]:
    """The route names of each snapshot, read straight from the files."""
    names = {}
    for path in sorted(folder.glob("*_view_ontd_list.json")):
        entries = json.loads(path.read_text(encoding="utf-8")).values()
        labels = (
            " ".join(str(e.get("night_train", e.get("trip_id")) or "").split()) for e in entries
        )
        names[path.name[:10]] = {label for label in labels if _is_route(label)}
    return names


def _numbers(labels: set[str]) -> set[str]:
    return {n for label in labels for n in re.findall(r"\d{2,}", label)}


@pytest.fixture
def history() -> DataSource:
    spec = _history_spec()
    report = load_snapshot_history(spec, path=ROOT / spec.path)
    assert report.status == "succeeded", report.message
    return DataSource.objects.get(name=spec.name)


def test_each_quarters_route_count_equals_a_count_made_from_the_snapshot_files(history) -> None:
    raw = _raw_counts(ROOT / _history_spec().path)
    assert len(raw) == 10
    series = night_route_series(history)
    assert {row.observed_on.isoformat(): row.routes for row in series} == {
        day: count for day, (count, _) in raw.items()
    }
    # Four snapshots hold a "#REF!" row (a broken spreadsheet reference): no route.
    assert [row.routes for row in series] == [206, 199, 198, 198, 203, 203, 200, 200, 199, 204]
    assert not SourceObservation.objects.filter(items__label__startswith="#").exists()
    assert not any(code.startswith("#") for row in series for code in row.by_country)
    for row in series:
        assert row.by_country == dict(raw[row.observed_on.isoformat()][1])
    # The first observation is compared with nothing; each later one with the one before.
    first, *later = SourceObservation.objects.filter(source=history).order_by("observed_on")
    assert (first.compared_with, first.added, first.removed) == (None, 0, 0)
    names = _raw_names(ROOT / _history_spec().path)
    for before, after in zip([first, *later], later, strict=False):
        assert after.compared_with == before
        old, new = names[before.observed_on.isoformat()], names[after.observed_on.isoformat()]
        # An appeared route is not named in the snapshot before, and shares no train number
        # with a route of that snapshot gone from this one (a renamed route is a change);
        # a disappeared one likewise with the snapshot after.
        for change, other, here in (("added", old, new), ("removed", new, old)):
            labels = after.changes.filter(change=change).values_list("label", flat=True)
            assert len(labels) == getattr(after, change)
            for label in labels:
                assert label not in other
                assert not set(re.findall(r"\d{2,}", label)) & _numbers(other - here), label


def test_the_bundled_history_is_the_shared_data_byte_for_byte(settings) -> None:
    shared = Path(settings.ETL_FULL_DATA_DIR) / "nighttrains/back_on_track_ontd_history"
    if not shared.exists():
        pytest.skip("complete data absent (set ETL_FULL_DATA_DIR)")
    bundled = ROOT / _history_spec().path
    names = sorted(p.name for p in shared.glob("*.json"))
    assert names == sorted(p.name for p in bundled.glob("*.json"))
    assert all((shared / n).read_bytes() == (bundled / n).read_bytes() for n in names)


def test_the_api_and_the_page_show_the_series(client, history) -> None:
    body = client.get("/api/stats/night-trains").json()
    assert body["source"] == "back-on-track-ontd-history"
    assert [r["routes"] for r in body["results"]][-1] == 204
    assert (
        body["results"][1]["added"]
        == SourceObservation.objects.get(source=history, observed_on="2024-06-26").added
    )
    unknown = client.get("/api/stats/night-trains", {"source": "nope"})
    assert unknown.status_code == 422  # a value the data does not know (docs/api.md)
    assert unknown.json() == {
        "errors": {"source": ["aucune source observée ne s'appelle « nope »."]}
    }
    assert client.get("/api/stats/night-trains", {"source": "a\x00b"}).status_code == 400
    page = client.get("/indicateurs/trains-de-nuit")
    html = page.content.decode()
    assert page.status_code == 200
    assert "29 juin 2026" in html
    assert english_words(html) == []
    assert '<td class="num">204</td>' in html


def test_a_malformed_snapshot_fails_the_run_and_stores_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "2025-01-01_view_ontd_list.json").write_text('{"1": {"night_train": "NJ 1"}}')
    (folder / "2025-04-01_view_ontd_list.json").write_text('{"1": {"name": "x"}}')
    spec = SourceSpec(name="history", format="ontd-history", path=str(folder))
    report = load_snapshot_history(spec, path=folder)
    assert report.status == "failed"
    assert "neither night_train nor trip_id" in report.message
    assert not SourceObservation.objects.exists()


def test_changes_are_matched_by_name_then_by_a_shared_train_number() -> None:
    before = [
        Item("NJ 468", "NJ 468", "a", ("468",)),
        Item("NJ 469", "NJ 469", "a", ("469",)),
        Item("EN 40", "EN 40", "a", ("40",)),
        Item("IC 1", "IC 1", "a", ()),
    ]
    after = [
        Item("NJ 468 + NJ 469", "NJ 468 + NJ 469", "b", ("468", "469")),
        Item("IC 1", "IC 1", "z", ()),
        Item("ES 453", "ES 453", "c", ("453",)),
    ]
    changes = {(c.change, c.item.key) for c in diff_items(before, after)}
    assert changes == {
        ("changed", "NJ 468 + NJ 469"),
        ("changed", "IC 1"),
        ("added", "ES 453"),
        ("removed", "EN 40"),
    }


def test_each_import_of_a_timetable_is_an_observation_listing_its_changes(tmp_path: Path) -> None:
    feed = write_gtfs(tmp_path / "feed")
    spec = SourceSpec(name="mini", format="gtfs", path=str(feed))
    first = load_source(spec, path=feed)
    assert first.observation == "first observation: 2 trains"
    write_gtfs(feed, **GTFS_T1_CHANGED_T2_GONE)
    second = load_source(spec, path=feed)
    assert "1 added" not in second.observation
    assert second.observation.endswith("0 added, 1 removed, 1 changed")
    latest = SourceObservation.objects.filter(source__name="mini").latest("id")
    assert latest.import_run_id == second.run_id
    assert sorted(latest.changes.values_list("change", "key")) == [
        (ObservedChange.Change.CHANGED, "T1"),
        (ObservedChange.Change.REMOVED, "T2"),
    ]


def test_an_import_observation_never_calls_a_coach_a_train() -> None:
    """The Romanian slice holds bus replacements (route_type 200): the run's line counts
    them apart, and its listed items say they are coaches."""
    spec = next(s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == "romania-datagovro")
    report = load_source(spec, path=ROOT / spec.path)
    assert report.status == "succeeded", report.message
    trajets = Trajet.objects.filter(source__name=spec.name)
    trains, coaches = trajets.filter(mode="rail").count(), trajets.filter(mode="coach").count()
    assert trains
    assert coaches
    assert report.observation == (
        f"first observation: {trains + coaches} services ({trains} trains, {coaches} coaches)"
    )
    assert report.observation in ImportRun.objects.get(pk=report.run_id).message
    observation = SourceObservation.objects.get(source__name=spec.name)
    labelled = set(
        observation.items.filter(label__endswith=" (coach)").values_list("key", flat=True)
    )
    assert labelled == set(trajets.filter(mode="coach").values_list("source_record_id", flat=True))


def test_history_reload_of_the_same_folder_is_skipped_and_a_dry_run_writes_nothing() -> None:
    spec = _history_spec()
    folder = ROOT / spec.path
    first = load_snapshot_history(spec, path=folder)
    assert first.status == "succeeded"
    observations = list(SourceObservation.objects.values_list("pk", flat=True))

    again = load_snapshot_history(spec, path=folder)
    assert again.status == "skipped"
    assert f"unchanged since run #{first.run_id}" in again.message
    assert list(SourceObservation.objects.values_list("pk", flat=True)) == observations

    dry = load_snapshot_history(spec, path=folder, dry_run=True)
    assert dry.status == "dry_run"
    assert dry.inserted == first.inserted
    assert list(SourceObservation.objects.values_list("pk", flat=True)) == observations

    forced = load_snapshot_history(spec, path=folder, force=True)
    assert forced.status == "succeeded"
    assert SourceObservation.objects.count() == len(observations)


def _spreadsheet(response) -> tuple[str, list[list[str]]]:
    """The raw text (BOM kept) and its rows read with ``;``."""
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_each_table_of_the_series_page_downloads_as_a_french_spreadsheet(client, history) -> None:
    html = client.get("/indicateurs/trains-de-nuit").content.decode()
    today = timezone.localdate().isoformat()
    latest = SourceObservation.objects.filter(source=history).latest("observed_on")
    route_counts = Counter()
    operator_counts = Counter()
    for table in ("releves", "pays", "operateurs"):
        assert f'href="/indicateurs/trains-de-nuit/{table}.csv" download' in html
    assert "Télécharger « Relevés et changements » pour un tableur" in html

    response = client.get("/indicateurs/trains-de-nuit/releves.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="obrail-trains-de-nuit-releves-{today}.csv"'
    )
    text, rows = _spreadsheet(response)
    assert text.startswith("\ufeff")
    assert rows[0] == ["Relevé", "Relations", "Apparues", "Disparues", "Modifiées"]
    # The last snapshot's row: the stored observation, as the page shows it (29 juin 2026, 204).
    assert rows[-1] == [
        "29/06/2026",
        "204",
        str(latest.added),
        str(latest.removed),
        str(latest.changed),
    ]
    assert '<td class="num">204</td>' in html
    assert len(rows) - 1 == SourceObservation.objects.filter(source=history).count()

    series = night_route_series(history)
    operator_counts.update(series[-1].by_operator)
    route_counts.update(series[-1].by_country)
    response = client.get("/indicateurs/trains-de-nuit/operateurs.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="obrail-trains-de-nuit-operateurs-releve-2026-06-29-{today}.csv"'
    )
    _text, rows = _spreadsheet(response)
    assert rows[0] == ["Opérateur", "Relations", "Relevé"]
    # Every operator, where the page shows the first 20, most routes first.
    assert {name: int(n) for name, n, _day in rows[1:]} == dict(operator_counts)
    assert len(operator_counts) > 20
    assert f"le classement complet : {len(operator_counts)} lignes" in html
    name, count, day = rows[1]
    assert (int(count), day) == (max(operator_counts.values()), "29/06/2026")
    assert f'<th scope="row">{escape(name)}</th><td class="num">{count}</td>' in html

    _text, rows = _spreadsheet(client.get("/indicateurs/trains-de-nuit/pays.csv"))
    assert rows[0] == ["Pays", "Relations", "Relevé"]
    assert sorted(int(n) for _name, n, _day in rows[1:]) == sorted(route_counts.values())
    assert f'<th scope="row">{escape(rows[1][0])}</th><td class="num">{rows[1][1]}</td>' in html
    assert not [name for name, _n, _day in rows[1:] if re.fullmatch(r"[A-Z]{2}", name)]

    english = client.get("/indicateurs/trains-de-nuit/pays.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert _spreadsheet(english)[1][0] == ["Country", "Routes", "Snapshot"]
    assert client.get("/indicateurs/trains-de-nuit/nope.csv").status_code == 404
