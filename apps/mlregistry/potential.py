"""The modal-shift potential of the atlas's pairs under the production modal-share model.

For each pair with air passengers in the simulator's year and a fastest rail time, the
passengers that could shift are ``air passengers × share(rail time)``: what the current air
market would give rail if it split as on the published pairs with the same rail time. A
potential under stated assumptions, never a forecast. The band of the totals is the central
90 % of the totals under each bootstrap curve (pairs share one curve, so their uncertainties
add up, they do not cancel). Pairs whose rail time is outside the range of the observations,
or missing, are counted apart, never in the totals; pairs whose rail time is only an upper
bound (a main timetable is missing from the warehouse) give a floor, shown apart: the real
train is no slower, so rail's share is at least the curve's at that time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache

from apps.atlas.services import atlas_version, policy_pairs, policy_year
from apps.mlregistry.modal_share import BAND_LEVEL
from apps.mlregistry.serving import serving_model

MODEL_NAME = "modal-share"
#: Part of the cache key: bumped when :class:`ShiftPotential` changes shape, so that a deploy
#: never reads an answer cached by the previous code.
CACHE_FORMAT = 2


@dataclass(frozen=True)
class PairPotential:
    """One pair's potential (passengers per year, tonnes of CO2e per year)."""

    pair_id: int
    label: str
    rail_time_min: float
    air_passengers: int
    share_pct: float
    passengers: int
    passengers_band: tuple[int, int]
    co2_t: float | None


@dataclass(frozen=True)
class PotentialGroup:
    """Pairs and their totals, each total with the band of the bootstrap curves' totals."""

    pairs: tuple[PairPotential, ...]
    passengers: int
    passengers_band: tuple[int, int]
    co2_t: float
    co2_band_t: tuple[float, float]


@dataclass(frozen=True)
class ShiftPotential:
    """The totals with their bands, the pairs, and what was left out."""

    version: int
    year: int | None
    method: str
    pairs: tuple[PairPotential, ...]
    passengers: int
    passengers_band: tuple[int, int]
    co2_t: float
    co2_band_t: tuple[float, float]
    #: Pairs whose rail time is only an upper bound (a main timetable is missing): the real
    #: train may be faster, so the curve's share at that time is a floor of the potential.
    floor: PotentialGroup
    out_of_range: int
    no_rail_time: int
    observed_range_min: tuple[float, float]


def _in_scope(countries: tuple[str, str], scope: str, country: str) -> bool:
    if scope == "domestic":
        return countries == (country, country)
    return country in countries


def shift_potential(*, scope: str, country: str, method: str) -> ShiftPotential:
    """The potential over the pairs in scope (ModelUnavailable when no model serves)."""
    loaded = serving_model(MODEL_NAME)
    key = (
        f"mlregistry:potential:{CACHE_FORMAT}:"
        + hashlib.sha256(
            f"{atlas_version()}|{loaded.version_id}|{loaded.sha256}|{scope}|{country}|{method}".encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = _compute(loaded, scope=scope, country=country.upper(), method=method)
        cache.set(key, found, 3600)
    return found


def _group(predictor, pairs: list) -> PotentialGroup:
    """The pairs' potential and the band of its totals under the bootstrap curves."""
    if not pairs:
        return PotentialGroup((), 0, (0, 0), 0.0, (0.0, 0.0))
    tail = (1.0 - BAND_LEVEL) / 2.0 * 100.0
    times = np.array([p.rail_fastest_min for p in pairs])
    passengers = np.array([p.passengers for p in pairs], dtype=np.float64)
    has_co2 = [p.air_kg is not None and p.rail_kg is not None for p in pairs]
    saved_kg = np.array(
        [(p.air_kg - p.rail_kg) if ok else 0.0 for p, ok in zip(pairs, has_co2, strict=True)]
    )
    central = np.asarray(predictor.curve.share(times))
    by_curve = predictor.shares_by_curve(times)
    per_pair_low, per_pair_high = np.percentile(by_curve, [tail, 100 - tail], axis=0)
    total_band = np.percentile(by_curve @ passengers, [tail, 100 - tail])
    co2_band = np.percentile(by_curve @ (passengers * saved_kg) / 1000.0, [tail, 100 - tail])
    rows = [
        PairPotential(
            pair_id=pair.pair_id,
            label=pair.label,
            rail_time_min=float(times[i]),
            air_passengers=pair.passengers,
            share_pct=round(float(central[i]) * 100, 1),
            passengers=round(float(central[i] * passengers[i])),
            passengers_band=(
                round(float(per_pair_low[i] * passengers[i])),
                round(float(per_pair_high[i] * passengers[i])),
            ),
            co2_t=round(float(central[i] * passengers[i] * saved_kg[i]) / 1000.0, 1)
            if has_co2[i]
            else None,
        )
        for i, pair in enumerate(pairs)
    ]
    rows.sort(key=lambda r: (-r.passengers, r.label))
    return PotentialGroup(
        pairs=tuple(rows),
        passengers=round(float(central @ passengers)),
        passengers_band=(round(float(total_band[0])), round(float(total_band[1]))),
        co2_t=round(float(central @ (passengers * saved_kg)) / 1000.0, 1),
        co2_band_t=(round(float(co2_band[0]), 1), round(float(co2_band[1]), 1)),
    )


def _compute(loaded, *, scope: str, country: str, method: str) -> ShiftPotential:
    predictor = loaded.predictor
    low, high = predictor.observed_range_min
    year = policy_year()
    pairs = policy_pairs(method, year) if year is not None else []
    kept, floors, out_of_range, missing = [], [], 0, 0
    for pair in pairs:
        if not _in_scope(pair.countries, scope, country):
            continue
        if pair.rail_fastest_min is None:
            missing += 1
        elif not low <= pair.rail_fastest_min <= high:
            out_of_range += 1
        elif pair.rail_upper_bound:
            floors.append(pair)
        else:
            kept.append(pair)
    exact, floor = _group(predictor, kept), _group(predictor, floors)
    return ShiftPotential(
        version=loaded.number,
        year=year,
        method=method,
        pairs=exact.pairs,
        passengers=exact.passengers,
        passengers_band=exact.passengers_band,
        co2_t=exact.co2_t,
        co2_band_t=exact.co2_band_t,
        floor=floor,
        out_of_range=out_of_range,
        no_rail_time=missing,
        observed_range_min=(low, high),
    )
