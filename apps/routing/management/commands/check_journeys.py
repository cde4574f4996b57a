"""Compare the journey planner with a brute force over the raw GTFS feed of a source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.routing.acceptance.raw_gtfs import RawJourney
from apps.routing.services import RoutingUnavailable
from apps.routing.services.acceptance import (
    AcceptanceError,
    AgreementReport,
    CheckedQuery,
    check_journeys,
)


class Command(BaseCommand):
    """Thin wrapper over ``apps.routing.services.acceptance.check_journeys``."""

    help = (
        "Answer random connected queries (origin, destination, date, time) with the journey "
        "planner and with a brute force reading the source's raw GTFS files; print the "
        "agreement rate and every disagreement with both answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, help="loaded source name (db-fernverkehr)")
        parser.add_argument("--path", required=True, help="the source's GTFS folder (unzipped)")
        parser.add_argument("--queries", type=int, default=400)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--min-rate",
            type=float,
            default=None,
            help="fail (exit 1) when the agreement rate is below this share (e.g. 0.99)",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = check_journeys(
                source=options["source"],
                path=Path(options["path"]),
                queries=options["queries"],
                seed=options["seed"],
            )
        except AcceptanceError as error:
            raise CommandError(str(error)) from error
        except RoutingUnavailable as error:
            raise CommandError(f"{error}; run `manage.py build_routing_artifact` first") from error
        self._print(report)
        if options["min_rate"] is not None and report.rate < options["min_rate"]:
            raise CommandError(
                f"agreement {report.rate:.2%} is below --min-rate {options['min_rate']:.2%}"
            )

    def _print(self, report: AgreementReport) -> None:
        write = self.stdout.write
        write(f"source {report.source}, feed {report.feed}")
        write(f"change rule (both sides): {report.transfer_rule}")
        write(f"horizon (both sides): {report.horizon}")
        if report.other_source_trajets:
            write(
                f"note: {report.other_source_trajets} counted trajets of other sources are "
                "loaded; the planner may use them"
            )
        write(
            f"queries: {len(report.queries)}; with a journey: brute force "
            f"{report.expected_journeys}, planner {report.found_journeys}; "
            f"neither: {report.both_none}"
        )
        write(
            f"agreement (same earliest arrival): {report.agreed}/"
            f"{len(report.queries) - report.both_none} = {report.rate:.2%} "
            f"({report.duration_s:.0f} s)"
        )
        write(
            f"planner legs boarding or alighting where the warehouse's stop forbids it: "
            f"{report.forbidden_legs} of {report.planner_legs}"
        )
        disagreements = report.disagreements
        write(f"disagreements: {len(disagreements)}")
        for number, query in enumerate(disagreements, start=1):
            self._print_query(number, query)

    def _print_query(self, number: int, query: CheckedQuery) -> None:
        write = self.stdout.write
        zone = query.depart.tzinfo
        write(
            f"[{number}] {query.origin.name} (#{query.origin.pk}) → {query.destination.name} "
            f"(#{query.destination.pk}), leaving after {query.depart:%Y-%m-%d %H:%M %Z}"
        )
        write(f"    brute force: {_raw_text(query.expected, zone)}")
        if query.answer is None:
            write(f"    planner:     no journey ({query.planner_error})")
            return
        write(f"    planner:     arrives {_local(query.answer.arrival, zone)}")
        for leg in query.answer.legs:
            source, record = query.planner_trajets.get(leg.trajet_id, ("?", "?"))
            write(
                f"      {leg.train or '-'} [trajet {leg.trajet_id}, {source} {record}] "
                f"{leg.from_station.name} {_local(leg.departure, zone)} → "
                f"{leg.to_station.name} {_local(leg.arrival, zone)}"
            )
        if query.uses_another_source:
            write("      (uses a trajet of another source)")


def _local(moment: dt.datetime | None, zone: dt.tzinfo | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def _raw_text(journey: RawJourney | None, zone: dt.tzinfo | None) -> str:
    if journey is None:
        return "no journey"
    legs = "; ".join(
        f"trip {leg.trip_id} of {leg.service_date} "
        f"{leg.from_name} [{leg.from_stop}] {_local(leg.departure, zone)} → "
        f"{leg.to_name} [{leg.to_stop}] {_local(leg.arrival, zone)}"
        for leg in journey.legs
    )
    return f"arrives {_local(journey.arrival, zone)} via {legs}"
