"""What the route search page shows of an answer: names, durations and legs in words, the
route map, and the day's journeys as table rows. Plain functions, no request."""

from __future__ import annotations

from apps.places.services import station_name
from apps.routing.charts import draw_route
from apps.routing.forms import METHOD_LABELS
from apps.routing.services import RouteAnswer
from apps.routing.services.alternatives import DayAlternative
from apps.routing.services.sentences import answer_sentence
from apps.trajets.models import ServiceKind
from apps.trajets.services import kind_word
from obrail.formatting import clock, duration, kilograms


def answer_context(answer: RouteAnswer) -> dict[str, object]:
    """The answer in words, its legs as table rows and its map."""
    return {
        "answer": answer,
        "sentence": answer_sentence(answer),
        "total_duration": duration(answer.duration_min),
        "origin_name": station_name(answer.origin.name),
        "destination_name": station_name(answer.destination.name),
        "legs": [
            (
                leg,
                duration(leg.duration_min),
                station_name(leg.from_station.name),
                station_name(leg.to_station.name),
            )
            for leg in answer.legs
        ],
        "drawing": draw_route(answer),
        "method_label": METHOD_LABELS.get(answer.method, answer.method),
        "night_word": kind_word(ServiceKind.NIGHT),
    }


def alternative_row(item: DayAlternative, answer: RouteAnswer) -> dict[str, object]:
    """One of the day's journeys as a table row, marked when it is the answer shown above."""
    journey = item.answer
    is_answer = (journey.departure, journey.arrival, journey.transfers) == (
        answer.departure,
        answer.arrival,
        answer.transfers,
    )
    days_later = (journey.arrival.date() - journey.departure.date()).days
    return {
        "departure": clock(journey.departure.time()),
        "arrival": clock(journey.arrival.time(), days_later),
        "origin": station_name(journey.origin.name),
        "destination": station_name(journey.destination.name),
        "duration": duration(journey.duration_min),
        "transfers": journey.transfers,
        "trains": " → ".join(leg.train for leg in journey.legs if leg.train),
        "has_night_train": journey.uses_night_trains,
        "co2": kilograms(journey.co2_rail_kg),
        "choices": item.choice_labels,
        "is_answer": is_answer,
    }
