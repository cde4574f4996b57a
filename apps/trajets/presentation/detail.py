"""One trajet's page: its times, names and reasons in words, its stops and its variants."""

from __future__ import annotations

from django.urls import reverse

from apps.places.services import station_name
from apps.trajets.emission_words import factor_text
from apps.trajets.kinds import kind_reason_text
from apps.trajets.models import Trajet
from apps.trajets.periods import (
    describe_running,
    format_span,
)
from obrail.formatting import (
    clock,
    country_name,
    decimal,
    duration,
    weekday_labels,
    weekday_short_labels,
)


def trajet_display(trajet: Trajet) -> dict[str, object]:
    """A trajet's names, times, days and reasons in the page's language."""
    return {
        "origin_name": station_name(trajet.origin.name),
        "destination_name": station_name(trajet.destination.name),
        "departure": clock(trajet.departure_time),
        "arrival": clock(trajet.arrival_time, trajet.arrival_day_offset),
        "origin_country": country_name(trajet.origin_country),
        "destination_country": country_name(trajet.destination_country),
        "duration": duration(trajet.duration_min),
        "weekdays": weekday_labels(trajet.weekdays),
        "running": describe_running(trajet.runs_from, trajet.runs_until, trajet.running_days),
        "pattern": format_span(trajet.valid_from, trajet.valid_to),
        "kind_reason": kind_reason_text(trajet.kind_reason),
        "rail_factor": (
            factor_text(trajet.rail_emission_factor) if trajet.rail_emission_factor else None
        ),
        "flight_factor": (
            factor_text(trajet.flight_emission_factor) if trajet.flight_emission_factor else None
        ),
        "flight_km": (
            decimal(trajet.flight_distance_km, 0, grouping=True)
            if trajet.flight_distance_km is not None
            else ""
        ),
    }


def stop_rows(trajet: Trajet) -> list[dict[str, object]]:
    """The stops timeline: name, country, times with their day offsets, distance."""
    return [
        {
            "name": station_name(stop.station.name),
            "country": country_name(stop.station.country),
            "arrival": (
                clock(stop.arrival_time, stop.arrival_day_offset) if stop.arrival_time else ""
            ),
            "departure": (
                clock(stop.departure_time, stop.departure_day_offset) if stop.departure_time else ""
            ),
            "distance_km": stop.distance_from_origin_km,
        }
        for stop in trajet.stops.all()
    ]


def variant_rows(trajet: Trajet) -> list[dict[str, object]]:
    """Every trajet describing the same train as ``trajet`` (itself included), counted one
    first."""
    return [
        {
            "url": reverse("trajets:trajet-detail", args=[variant.pk]),
            "source": variant.source.title or variant.source.name,
            "train": f"{variant.category} {variant.train_number}".strip() or "—",
            "running": describe_running(
                variant.runs_from, variant.runs_until, variant.running_days
            ),
            "weekdays": weekday_short_labels(variant.weekdays),
            "is_this": variant.pk == trajet.pk,
            "is_counted": variant.same_train_as_id is None,
        }
        for variant in Trajet.objects.variants_of(trajet).select_related("source")
    ]
