"""The data-quality page's tables: each source's last import, completeness and rejects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.trajets.etl.quality import QualityReport
from apps.trajets.identity_quality import IdentityQuality
from apps.trajets.models import ImportRun
from apps.trajets.periods import SourceValidity
from apps.trajets.reject_reasons import describe_reason
from obrail.spreadsheet import french_date, french_number

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


#: The page's tables a spreadsheet can download, by the slug of their address.
QUALITY_TABLES = ("sources", "validite", "completude", "rejets")
#: The tables of the station and operator accuracy section, by the same slugs.
IDENTITY_TABLES = (
    "verifications",
    "rattachements",
    "exemples-de-rattachements",
    "avertissements",
    "gares-proches",
    "gares-sans-correspondance",
    "operateurs",
)


def identity_checks(identity: IdentityQuality) -> list[tuple[str, int]]:
    """The accuracy checks of stations and operators, each with its result (the page's table)."""
    return [
        (_("Gares"), identity.stations),
        (_("Gares localisées (coordonnées)"), identity.stations_located),
        (_("Gares rattachées à une ville"), identity.stations_with_place),
        (_("Gares décrites par plusieurs sources"), identity.stations_shared_by_sources),
        (_("Paires de gares à moins de 300 m aux noms semblables"), identity.near_pairs),
        (_("… dont aucune source n'explique la distinction"), identity.near_pairs_unexplained),
        (
            _("Gares dont le pays diffère de celui de leurs coordonnées"),
            identity.country_mismatches,
        ),
        (_("… à plus de 2 km d'une frontière"), identity.country_mismatches_beyond_border),
        (_("Gares dont le fuseau diffère de celui de leurs coordonnées"), identity.zone_mismatches),
        (_("Opérateurs"), identity.operators),
        (_("Opérateurs absents du registre (à vérifier)"), len(identity.operators_unregistered)),
        (
            _("Sites web partagés par plusieurs opérateurs"),
            len(identity.operators_sharing_a_website),
        ),
    ]


def identity_table(
    table: str, identity: IdentityQuality
) -> tuple[list[str], list[tuple[object, ...]]]:
    """One table of the accuracy section as headers and spreadsheet cells. The near pairs and
    the stations matched with no other source hold every example the report keeps (the page
    shows the first 30 and 40)."""
    if table == "verifications":
        return [_("Vérification"), _("Résultat")], list(identity_checks(identity))
    if table == "rattachements":
        return [_("Règle"), _("Enregistrements")], list(identity.merges_by_rule.items())
    if table == "exemples-de-rattachements":
        headers = [
            _("Source"), _("Enregistrement"), _("Gare"), _("Règle"), _("Motif"),
            _("Rattaché à"), _("Distance (km)"),
        ]  # fmt: skip
        return headers, [
            (m.source, m.record, m.station, m.rule, m.detail, m.merged_with,
             french_number(m.distance_km, 3))
            for m in identity.merge_examples
        ]  # fmt: skip
    if table == "avertissements":
        return [_("Type"), _("Nombre"), _("Exemples")], [
            (kind, count, " ; ".join(examples)) for kind, count, examples in identity.warning_rows
        ]
    if table == "gares-proches":
        return [_("Gare"), _("Autre gare"), _("Distance (m)"), _("Explication")], [
            (pair.first, pair.second, pair.distance_m, pair.explanation)
            for pair in identity.near_pair_examples
        ]
    if table == "gares-sans-correspondance":
        headers = [
            _("Source"), _("Gare de la source"), _("Gare la plus proche"), _("Distance (km)"),
        ]  # fmt: skip
        return headers, [
            (row.source, row.record, row.nearest, french_number(row.distance_km, 2))
            for row in identity.unmatched_examples
        ]
    headers = [
        _("Opérateur"), _("Code"), _("Pays"), _("Site web"), _("Au registre"),
        _("Noms dans les sources"),
    ]  # fmt: skip
    return headers, [
        (
            row.name,
            row.code,
            row.country,
            row.website,
            _("oui") if row.is_registered else _("non, à vérifier"),
            " ; ".join(row.aliases),
        )
        for row in identity.operator_rows
    ]


def _moment(value: dt.datetime | None) -> str:
    """``06/12/2026 14:05`` in local time, as the page says it (empty when never)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")


def quality_table(
    table: str, report: QualityReport, validities: Sequence[SourceValidity]
) -> tuple[list[str], list[tuple[object, ...]]]:
    """One of the quality page's tables as headers and spreadsheet cells."""
    rows = source_rows(report)
    if table == "sources":
        headers = [
            _("Source"), _("Dernier import"), _("Résultat"), _("Lus"), _("Insérés"),
            _("Mis à jour"), _("Inchangés"), _("Regroupés"), _("Rejetés"),
            _("Trajets en base"), _("dont de nuit"), _("Licence"),
        ]  # fmt: skip
        return headers, [
            (
                row["source"].source,
                _moment(row["started_at"]),
                row["status"],
                row["source"].rows_read,
                row["source"].rows_inserted,
                row["source"].rows_updated,
                row["source"].rows_unchanged,
                row["source"].rows_folded,
                row["source"].rows_rejected,
                row["source"].trajets,
                row["source"].night_trajets,
                row["source"].licence,
            )
            for row in rows
        ]
    if table == "validite":
        headers = [
            _("Source"), _("Jeu de données"), _("Période de circulation"),
            _("Semaine type (lundi)"), _("Horaires"),
        ]  # fmt: skip
        return headers, [
            (v.name, v.dataset, v.span, french_date(v.reference_week), v.label) for v in validities
        ]
    if table == "completude":
        cells = [
            (row["source"].source, text % {"label": label}, french_number(rate, 1))
            for row in rows
            for text, pairs in (
                (_("Trajets : %(label)s"), row["trajet_completeness"]),
                (_("Gares : %(label)s"), row["station_completeness"]),
            )
            for label, rate in pairs
        ]
        return [_("Source"), _("Champ"), _("Renseigné (%)")], cells
    return [_("Source"), _("Motif"), _("Nombre"), _("Exemple")], [
        (row["source"].source, reject["reason"], reject["group"].count,
         reject["group"].example_location)
        for row in rows
        for reject in row["rejects"]
    ]  # fmt: skip
