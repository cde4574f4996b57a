"""Print the shortest route or earliest journey between two stations."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.routing.pathfinding import JOURNEY_METHODS, METHODS, TRAIN_FILTERS
from apps.routing.services import (
    CRITERIA,
    RoutingUnavailable,
    find_route,
    pareto_routes,
    resolve_station,
)
from obrail.errors import InvalidInput


class Command(BaseCommand):
    """FROM TO [--method] [--criterion] [--depart]: route over the loaded artefact."""

    help = (
        "Shortest route between two stations (id, UIC code or exact name). With --depart, the "
        "earliest-arrival journey on the timetable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("origin", metavar="FROM")
        parser.add_argument("destination", metavar="TO")
        parser.add_argument(
            "--method",
            choices=sorted({*METHODS, *JOURNEY_METHODS}),
            help="static method (default scipy_limited) or journey method (default blocks)",
        )
        parser.add_argument("--criterion", choices=CRITERIA, default="time")
        parser.add_argument("--depart", help="departure, YYYY-MM-DDTHH:MM (origin's local time)")
        parser.add_argument("--trains", choices=TRAIN_FILTERS, default="all")
        parser.add_argument("--max-transfers", type=int)
        parser.add_argument(
            "--pareto-until",
            help="with --depart: list the Pareto-optimal journeys leaving until this time "
            "(YYYY-MM-DDTHH:MM): later departure vs earlier arrival vs fewer transfers",
        )

    def handle(self, *args: object, **options: object) -> None:
        depart = None
        if options["depart"]:
            try:
                depart = dt.datetime.fromisoformat(options["depart"])
            except ValueError:
                raise CommandError(
                    f"--depart={options['depart']!r} is not a YYYY-MM-DDTHH:MM date-time"
                ) from None
        if options["max_transfers"] is not None and options["max_transfers"] < 0:
            raise CommandError(f"--max-transfers={options['max_transfers']} must be >= 0")
        until = None
        if options["pareto_until"]:
            if depart is None:
                raise CommandError("--pareto-until needs --depart")
            try:
                until = dt.datetime.fromisoformat(options["pareto_until"])
            except ValueError:
                raise CommandError(
                    f"--pareto-until={options['pareto_until']!r} is not a YYYY-MM-DDTHH:MM "
                    "date-time"
                ) from None
        try:
            origin = resolve_station(options["origin"], parameter="from")
            destination = resolve_station(options["destination"], parameter="to")
            if until is not None:
                answers = pareto_routes(
                    origin=origin,
                    destination=destination,
                    depart=depart,
                    until=until,
                    trains=options["trains"],
                    max_transfers=3
                    if options["max_transfers"] is None
                    else options["max_transfers"],
                )
                self._report_pareto(answers)
                return
            answer = find_route(
                origin=origin,
                destination=destination,
                criterion=options["criterion"],
                method=options["method"],
                depart=depart,
                trains=options["trains"],
                max_transfers=options["max_transfers"],
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        except RoutingUnavailable as error:
            raise CommandError(f"{error}; run `manage.py build_routing_artifact` first") from error
        self._report(answer)

    def _report_pareto(self, answers) -> None:
        if not answers:
            self.stdout.write("no journey in that window")
            return
        self.stdout.write(f"{len(answers)} Pareto-optimal journey(s):")
        for answer in answers:
            trains = " + ".join(leg.train for leg in answer.legs)
            self.stdout.write(
                f"  {answer.departure:%Y-%m-%d %H:%M} → {answer.arrival:%Y-%m-%d %H:%M}  "
                f"{answer.duration_min:.0f} min, {answer.transfers} transfer(s)  {trains}"
            )

    def _report(self, answer) -> None:
        write = self.stdout.write
        write(f"{answer.origin.name} → {answer.destination.name}  ({answer.kind}, {answer.method})")
        for leg in answer.legs:
            times = ""
            if leg.departure is not None:
                times = f"{leg.departure:%Y-%m-%d %H:%M} → {leg.arrival:%H:%M}  "
            train = (
                f"{leg.train} ({leg.operator}){' night' if leg.is_night else ''}  "
                if leg.train
                else ""
            )
            write(
                f"  {times}{train}{leg.from_station.name} → {leg.to_station.name}  "
                f"{leg.duration_min:.0f} min, {leg.distance_km:.1f} km"
            )
        write(
            f"total: {answer.duration_min:.0f} min, {answer.distance_km:.1f} km, "
            f"{answer.transfers} transfer(s); criterion {answer.criterion} = {answer.cost:.3f}"
        )
        flight = (
            "no flight equivalent (the atlas's rule gives none between these towns)"
            if answer.co2_flight_kg is None
            else f"flight {answer.co2_flight_kg:.2f} kg ({answer.flight_distance_km:.0f} km)"
        )
        write(
            f"CO2 per passenger ({answer.co2_method}): rail {answer.co2_rail_kg:.2f} kg, {flight}"
        )
        write(
            f"solver: {answer.solver_ms:.2f} ms, {answer.nodes_scanned} scanned, "
            f"{answer.labels_improved} labels improved (artefact {answer.artifact_version})"
        )
