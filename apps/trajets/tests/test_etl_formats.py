"""The registry of input formats: one entry per format, checked before any source is read."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from apps.trajets.etl.errors import SourceConfigError
from apps.trajets.etl.formats import (
    FORMATS,
    check_formats,
    extract,
    format_entry,
)
from apps.trajets.etl.loader import load_source
from apps.trajets.etl.sources import (
    DEFAULT_SOURCES_FILE,
    OBSERVATION_FORMATS,
    SourceSpec,
    load_sources,
    validate_spec,
)
from apps.trajets.models import SourceFormat


def test_the_registry_passes_its_own_check() -> None:
    check_formats(FORMATS)
    assert OBSERVATION_FORMATS == ("ontd-history",)
    assert {f.name for f in FORMATS.values() if f.is_station_reference} == {
        "csv", "xlsx", "xls", "html-table"
    }  # fmt: skip
    assert {f.name for f in FORMATS.values() if f.is_night_reference} == {
        "ontd-json", "european-sleeper-html"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "gtfs2"}, "registered under the name 'gtfs2'"),
        ({"stored_as": SourceFormat.INTERNAL}, "is not a source format"),
        ({"accepts": ""}, "says nothing of the files it accepts"),
        ({"extractor": "extract_gtfs"}, "its extractor is not callable"),
        ({"options": frozenset({"station_priority"})}, "station_priority are the loader's"),
    ],
)
def test_an_incomplete_entry_is_refused_with_what_is_missing(change: dict, message: str) -> None:
    broken = {**FORMATS, "gtfs": dataclasses.replace(FORMATS["gtfs"], **change)}
    with pytest.raises(SourceConfigError, match=message):
        check_formats(broken)


def test_every_declared_source_uses_only_options_its_format_reads() -> None:
    for dataset in ("samples", "full"):
        for spec in load_sources(DEFAULT_SOURCES_FILE, dataset=dataset, full_data_dir=Path()):
            assert not FORMATS[spec.format].unknown_options(spec.options), spec.name


def test_an_option_the_format_does_not_read_is_refused_at_start() -> None:
    spec = SourceSpec(name="feed", format="netex", path="x.xml", options={"delimiter": ";"})
    with pytest.raises(SourceConfigError) as caught:
        validate_spec(spec)
    assert str(caught.value).startswith(
        "source 'feed': format 'netex' has no option delimiter (its options: night_reference, "
        "operator, station_part_pattern, station_priority, uic_codes)"
    )


def test_a_typo_in_a_sources_file_names_the_option(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "feed"\nformat = "gtfs"\npath = "feed"\nrejoin_midnight_split = true\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceConfigError, match="has no option rejoin_midnight_split "):
        load_sources(sources)


def test_an_unknown_format_is_a_config_error_listing_the_known_ones() -> None:
    with pytest.raises(SourceConfigError, match=r"unknown format 'gtfs-rt'; known formats: csv, "):
        format_entry("gtfs-rt")
    with pytest.raises(SourceConfigError, match=r"unknown format 'gtfs-rt' \(known: csv, "):
        validate_spec(SourceSpec(name="feed", format="gtfs-rt", path="feed"))


@pytest.mark.django_db
def test_loading_a_source_of_an_unregistered_format_is_no_key_error(tmp_path: Path) -> None:
    """load_source reads the stored format from the registry (once a private table whose
    missing entry ended in a KeyError traceback)."""
    spec = SourceSpec(name="feed", format="gtfs-rt", path=str(tmp_path))
    with pytest.raises(SourceConfigError, match="unknown format 'gtfs-rt'"):
        load_source(spec, path=tmp_path)


def test_an_observation_format_is_not_extracted_as_records(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="loaded as dated observations"):
        extract("ontd-history", tmp_path, {})
