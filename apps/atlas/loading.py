"""Load OpenFlights airports and Eurostat air passengers, traced like the rest of the ETL.

Each file is one ``DataSource`` and one ``ImportRun`` (counts, SHA-256 of the input); every
refused row is a ``RejectedRecord`` with its place and reason. A load replaces the previous
rows of its table in one transaction: nothing is half-written, and a failure leaves the
previous data and a failed run with its message. As in the ETL, an input unchanged since the
last successful load is skipped (a ``skipped`` run, nothing written) unless forced; the
passengers are reloaded whenever the airports they are checked against change.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.atlas.models import Airport, AirTraffic
from apps.atlas.readers import (
    AirportRecord,
    PassengerRecord,
    Reject,
    read_airports,
    read_eurostat_pairs,
)
from apps.trajets.loading import etl_lock, input_checksum, rebuild_after_run, skip_unchanged
from apps.trajets.models import DataSource, ImportRun, RejectedRecord, SourceFormat
from obrail import derived

__all__ = ["AIR_SOURCES", "AirSource", "air_source_paths", "load_air_data"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AirSource:
    """A declared air-data file: bundled sample path and full-data path (under
    ``ETL_FULL_DATA_DIR``)."""

    name: str
    title: str
    sample_path: str
    full_path: str
    licence: str
    attribution: str
    homepage: str


AIR_SOURCES = {
    "openflights-airports": AirSource(
        name="openflights-airports",
        title="Aéroports (OpenFlights)",
        sample_path="data/samples/flights/openflights_airports_slice.dat",
        full_path="flights/openflights/airports.dat",
        licence="ODbL-1.0",
        attribution="OpenFlights airport database (jpatokal/openflights), ODbL 1.0",
        homepage="https://openflights.org/data.html",
    ),
    "eurostat-avia-par-fr": AirSource(
        name="eurostat-avia-par-fr",
        title="Passagers aériens France – partenaires (Eurostat avia_par_fr)",
        sample_path="data/samples/flights/eurostat_avia_par_fr_2019_100k.csv",
        full_path="flights/eurostat_avia_par_fr/avia_par_fr_annual_1993-2019.csv",
        licence="CC-BY-4.0",
        attribution="Source: Eurostat, avia_par_fr (via t-morvan/VolsInterieurs), CC BY 4.0",
        homepage="https://ec.europa.eu/eurostat/databrowser/view/avia_par_fr/default/table",
    ),
}


#: Eurostat codes of airports OpenFlights files under another ICAO code: EuroAirport
#: Basel-Mulhouse-Freiburg holds both LFSB (France) and LSZM (Switzerland).
ICAO_ALIASES = {"LSZM": "LFSB"}


def air_source_paths(dataset: str) -> dict[str, Path]:
    """The file of each air source in ``dataset`` ("samples" or "full")."""
    if dataset not in ("samples", "full"):
        raise ValueError(f"dataset={dataset!r} is not 'samples' or 'full'")
    paths = {}
    for name, source in AIR_SOURCES.items():
        if dataset == "samples":
            paths[name] = Path(settings.BASE_DIR) / source.sample_path
        else:
            paths[name] = Path(settings.ETL_FULL_DATA_DIR) / source.full_path
    return paths


@dataclass(frozen=True, slots=True)
class AirLoad:
    """The run of each loaded source, and the derived data rebuilt after them."""

    airports: ImportRun
    traffic: ImportRun
    derived: tuple[derived.Outcome, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether either table was rewritten (neither run was skipped)."""
        return any(
            run.status == ImportRun.Status.SUCCEEDED for run in (self.airports, self.traffic)
        )


def _source(name: str, path: Path, dataset: str) -> DataSource:
    declared = AIR_SOURCES[name]
    source, _created = DataSource.objects.update_or_create(
        name=name,
        defaults={
            "title": declared.title,
            "format": SourceFormat.CSV,
            "location": str(path),
            "licence": declared.licence,
            "attribution": declared.attribution,
            "homepage": declared.homepage,
            "dataset": dataset,
        },
    )
    return source


def _rejects(run: ImportRun, rejects: list[Reject]) -> None:
    RejectedRecord.objects.bulk_create(
        [
            RejectedRecord(
                run=run,
                location=r.location[:300],
                reason_code=r.reason_code,
                reason=r.reason,
                raw=r.raw[:2000],
            )
            for r in rejects
        ],
        batch_size=1000,
    )


def _finish(run: ImportRun, *, read: int, inserted: int, rejected: int, before: int) -> None:
    run.rows_read = read
    run.rows_inserted = inserted
    run.rows_rejected = rejected
    run.message = f"{inserted} rows replace {before}; {rejected} rejected"
    run.status = ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()


def _load_airports(path: Path, dataset: str, *, force: bool) -> ImportRun:
    source = _source("openflights-airports", path, dataset)
    checksum = input_checksum(path)
    skipped = None if force else skip_unchanged(source, checksum)
    if skipped is not None:
        return skipped
    run = ImportRun.objects.create(source=source, input_checksum=checksum)
    try:
        text = path.read_text(encoding="utf-8")
        records: dict[str, AirportRecord] = {}
        rejects: list[Reject] = []
        read = 0
        for item in read_airports(text, name=path.name):
            read += 1
            if isinstance(item, Reject):
                rejects.append(item)
            elif item.icao in records:
                rejects.append(
                    Reject(path.name, "duplicate_id", f"ICAO {item.icao} already given", "")
                )
            else:
                records[item.icao] = item
        with transaction.atomic():
            before = Airport.objects.count()
            Airport.objects.all().delete()
            Airport.objects.bulk_create(
                [Airport(run=run, **_fields(record)) for record in records.values()],
                batch_size=2000,
            )
            _rejects(run, rejects)
            _finish(run, read=read, inserted=len(records), rejected=len(rejects), before=before)
    except Exception as error:
        _failed(run, error)
        raise
    return run


def _fields(record: AirportRecord) -> dict[str, object]:
    return {
        "icao": record.icao,
        "iata": record.iata,
        "name": record.name,
        "city": record.city,
        "country_name": record.country_name,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "openflights_id": record.openflights_id,
    }


def _load_traffic(path: Path, dataset: str, *, airports: str, force: bool) -> ImportRun:
    source = _source("eurostat-avia-par-fr", path, dataset)
    # The airports' checksum is part of the input: rows are checked against those airports.
    checksum = input_checksum(path, rules=f"airports {airports}")
    skipped = None if force else skip_unchanged(source, checksum)
    if skipped is not None:
        return skipped
    run = ImportRun.objects.create(source=source, input_checksum=checksum)
    try:
        text = path.read_text(encoding="utf-8")
        known = set(Airport.objects.values_list("icao", flat=True))
        kept: dict[tuple[str, str, int], PassengerRecord] = {}
        rejects: list[Reject] = []
        read = 0
        for item in read_eurostat_pairs(text, name=path.name):
            read += 1
            if isinstance(item, Reject):
                rejects.append(item)
                continue
            item = dataclasses.replace(
                item,
                reporting_icao=ICAO_ALIASES.get(item.reporting_icao, item.reporting_icao),
                partner_icao=ICAO_ALIASES.get(item.partner_icao, item.partner_icao),
            )
            missing = [c for c in (item.reporting_icao, item.partner_icao) if c not in known]
            if missing:
                rejects.append(
                    Reject(
                        f"{item.location}:{item.year}",
                        "broken_reference",
                        f"airport {', '.join(missing)} not in the OpenFlights airports "
                        "(no coordinates, no city)",
                        item.label,
                    )
                )
                continue
            key = (item.reporting_icao, item.partner_icao, item.year)
            if key in kept:
                rejects.append(
                    Reject(item.location, "duplicate_id", f"{key} already given", item.label)
                )
                continue
            kept[key] = item
        with transaction.atomic():
            before = AirTraffic.objects.count()
            AirTraffic.objects.all().delete()
            AirTraffic.objects.bulk_create(
                [
                    AirTraffic(
                        reporting_icao=r.reporting_icao,
                        reporting_country=r.reporting_country,
                        partner_icao=r.partner_icao,
                        partner_country=r.partner_country,
                        year=r.year,
                        passengers=r.passengers,
                        label=r.label,
                        location=r.location,
                        run=run,
                    )
                    for r in kept.values()
                ],
                batch_size=5000,
            )
            _rejects(run, rejects)
            _finish(run, read=read, inserted=len(kept), rejected=len(rejects), before=before)
    except Exception as error:
        _failed(run, error)
        raise
    return run


def _failed(run: ImportRun, error: Exception) -> None:
    run.status = ImportRun.Status.FAILED
    run.finished_at = timezone.now()
    run.message = f"{type(error).__name__}: {error}"[:2000]
    run.save()
    logger.error("air data load failed", extra={"run_id": run.pk, "error": run.message})


@derived.bulk_change()
def load_air_data(
    *, airports: Path, traffic: Path, dataset: str, force: bool = False, rebuild: bool = True
) -> AirLoad:
    """Load the airports, then the passengers (rows naming an unknown airport are rejected),
    under the ETL lock; unchanged inputs are skipped unless ``force``. When either changed,
    the derived data (the atlas) is rebuilt, unless ``rebuild`` is False (a later ``etl`` or
    ``rebuild_derived`` does it)."""
    for path in (airports, traffic):
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist or is not a file")
    with etl_lock():
        airport_run = _load_airports(airports, dataset, force=force)
        traffic_run = _load_traffic(
            traffic, dataset, airports=airport_run.input_checksum, force=force
        )
    load = AirLoad(airports=airport_run, traffic=traffic_run)
    if not (rebuild and load.changed):
        return load
    outcomes = rebuild_after_run(traffic_run.pk, reason=f"load_air_traffic (run {traffic_run.pk})")
    return dataclasses.replace(load, derived=tuple(outcomes))
