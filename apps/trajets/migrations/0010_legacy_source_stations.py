"""Keep what a warehouse loaded by the former station matcher knew of each source's stations.

Before 0009, a station only kept the ids and names each source gave it (``source_ids``,
``source_names``). Each becomes a source record (``SourceStation``) attached to that station,
with the station's coordinates (the only ones stored). Codes, countries and zones go only to
records of station lists, the only sources that publish them: the former matcher gave every
station created from a timetable the country of a neighbour or of the feed's agency.
Records of one source on one station stay together (``same_as``). ``manage.py
repair_identity`` then regroups the records and repairs the warehouse; the next load of each
source replaces its records by what the source says.
"""

from django.db import migrations

REFERENCE_FORMATS = {"csv", "xlsx", "html"}


def _values(value):
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def backfill(apps, schema_editor):
    Station = apps.get_model("trajets", "Station")
    DataSource = apps.get_model("trajets", "DataSource")
    SourceStation = apps.get_model("trajets", "SourceStation")
    sources = {source.name: source for source in DataSource.objects.all()}
    known = set(SourceStation.objects.values_list("source_id", "source_record_id"))
    rows = []
    for station in Station.objects.exclude(source_ids={}).iterator(chunk_size=2000):
        for source_name, ids in (station.source_ids or {}).items():
            source = sources.get(source_name)
            if source is None:
                continue
            names = _values((station.source_names or {}).get(source_name))
            is_reference = source.format in REFERENCE_FORMATS
            # Records of one source the former matcher put together stay together.
            first = str(_values(ids)[0])[:200] if _values(ids) else ""
            for position, record_id in enumerate(_values(ids)):
                record_id = str(record_id)[:200]
                if not record_id or (source.pk, record_id) in known:
                    continue
                known.add((source.pk, record_id))
                name = names[position] if len(names) == len(_values(ids)) else station.name
                rows.append(
                    SourceStation(
                        source=source,
                        source_record_id=record_id,
                        name=(name or station.name)[:200],
                        uic_code=(station.uic_code or "") if is_reference else "",
                        latitude=station.latitude,
                        longitude=station.longitude,
                        country=station.country if is_reference else "",
                        time_zone=station.time_zone if is_reference else "",
                        priority=20 if is_reference else 50,
                        same_as=first if record_id != first else "",
                        station=station,
                    )
                )
    SourceStation.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("trajets", "0009_station_identity")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
