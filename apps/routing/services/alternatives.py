"""The day's other trains for a journey query, and which of them is best for what.

After the one-line answer (the earliest arrival), a traveller wants the other trains of the
day and the trade-offs: the quickest ride, the fewest changes, the lowest CO2e. The day's
journeys are the Pareto set of :func:`apps.routing.services.routes.pareto_routes` (no other
journey leaves later, arrives earlier and changes less all at once) from the requested time
to the end of the origin's local day; each choice is then the best of that set on its own
criterion, ties broken by the shorter ride, then the earlier departure.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.routing.services.answers import RouteAnswer
from apps.routing.services.routes import Endpoint, pareto_routes
from apps.trajets.models import Station

__all__ = [
    "CHOICE_LABELS",
    "DAY_ALTERNATIVES_MAX_TRANSFERS",
    "Choice",
    "DayAlternative",
    "day_alternatives",
    "end_of_day",
    "mark_choices",
]

logger = logging.getLogger(__name__)

#: Changes allowed when the query sets no limit (the Pareto search needs one).
DAY_ALTERNATIVES_MAX_TRANSFERS = 3


class Choice(enum.StrEnum):
    """What a journey is the best of the day for."""

    FASTEST = "fastest"
    FEWEST_CHANGES = "fewest_changes"
    LOWEST_CO2 = "lowest_co2"


CHOICE_LABELS = {
    Choice.FASTEST: _("le plus rapide"),
    Choice.FEWEST_CHANGES: _("le moins de correspondances"),
    Choice.LOWEST_CO2: _("le moins de CO2e"),
}

_CRITERIA: dict[Choice, Callable[[RouteAnswer], float]] = {
    Choice.FASTEST: lambda answer: answer.duration_min,
    Choice.FEWEST_CHANGES: lambda answer: answer.transfers,
    Choice.LOWEST_CO2: lambda answer: answer.co2_rail_kg,
}


@dataclass(frozen=True)
class DayAlternative:
    """One journey of the day and the choices it is the best for."""

    answer: RouteAnswer
    choices: tuple[Choice, ...] = ()

    @property
    def choice_labels(self) -> list[str]:
        return [str(CHOICE_LABELS[choice]) for choice in self.choices]


def mark_choices(answers: Sequence[RouteAnswer]) -> list[DayAlternative]:
    """``answers`` in their order, each with the choices it wins: the lowest value of the
    choice's criterion, then the shorter ride, then the earlier departure (one winner per
    choice)."""
    winners: dict[int, list[Choice]] = {}
    for choice, criterion in _CRITERIA.items():
        if not answers:
            break
        best = min(
            range(len(answers)),
            key=lambda index: (
                criterion(answers[index]),
                answers[index].duration_min,
                answers[index].departure,
            ),
        )
        winners.setdefault(best, []).append(choice)
    return [
        DayAlternative(answer, tuple(winners.get(index, ())))
        for index, answer in enumerate(answers)
    ]


def end_of_day(depart: dt.datetime) -> dt.datetime:
    """The last second of ``depart``'s day, in its zone (naive: each origin station's local
    time, as the solvers read a naive time)."""
    return dt.datetime.combine(depart.date(), dt.time(23, 59, 59), tzinfo=depart.tzinfo)


def day_alternatives(
    *,
    origin: Station | Endpoint,
    destination: Station | Endpoint,
    depart: dt.datetime,
    trains: str = "all",
    max_transfers: int | None = None,
) -> list[DayAlternative]:
    """The journeys leaving from ``depart`` to the end of that local day that no other
    beats on departure, arrival and changes together, by departure, with the choices each
    is the best for. Empty when the day has none; a query the solvers refuse raises
    :class:`obrail.errors.InvalidInput`, as :func:`find_route` does."""
    answers = pareto_routes(
        origin=origin,
        destination=destination,
        depart=depart,
        until=end_of_day(depart),
        trains=trains,
        max_transfers=(DAY_ALTERNATIVES_MAX_TRANSFERS if max_transfers is None else max_transfers),
    )
    logger.info("day alternatives", extra={"journeys": len(answers)})
    return mark_choices(answers)
