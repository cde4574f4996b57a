"""The data-quality page's tables: each source's last import, completeness and rejects."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.trajets.etl.quality import QualityReport
from apps.trajets.models import ImportRun
from apps.trajets.reject_reasons import describe_reason

TRAJET_FIELD_LABELS = {
    "train_number": gettext_lazy("numéro de train"),
    "category": gettext_lazy("catégorie"),
    "distance_km": gettext_lazy("distance"),
    "co2_rail_kg": gettext_lazy("CO2e train"),
    "co2_flight_kg": gettext_lazy("CO2e avion"),
    "kind_reason": gettext_lazy("motif jour/nuit"),
}
STATION_FIELD_LABELS = {
    "uic_code": gettext_lazy("code UIC"),
    "coordinates": gettext_lazy("coordonnées"),
    "country": gettext_lazy("pays"),
    "time_zone": gettext_lazy("fuseau horaire"),
}


def source_rows(report: QualityReport) -> list[dict[str, object]]:
    """Each source's last import, completeness and rejects, in words."""
    statuses = {**dict(ImportRun.Status.choices), "never": _("jamais importée")}
    return [
        {
            "source": source,
            "status": statuses.get(source.last_run_status, source.last_run_status),
            "is_failed": source.last_run_status == ImportRun.Status.FAILED,
            "started_at": (
                dt.datetime.fromisoformat(source.last_run_at) if source.last_run_at else None
            ),
            "trajet_completeness": [
                (TRAJET_FIELD_LABELS.get(name, name), rate)
                for name, rate in source.trajet_completeness.items()
            ],
            "station_completeness": [
                (STATION_FIELD_LABELS.get(name, name), rate)
                for name, rate in source.station_completeness.items()
            ],
            "rejects": [
                {"reason": describe_reason(group.reason_code), "group": group}
                for group in source.rejects
            ],
        }
        for source in report.sources
    ]
