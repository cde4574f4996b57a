"""The modal-shift potential of the atlas's pairs under the production modal-share model.

For each pair with air passengers in the simulator's year and a fastest rail time, the
passengers that could shift are ``air passengers × share(rail time)``: what the current air
market would give rail if it split as on the published pairs with the same rail time. A
potential under stated assumptions, never a forecast. The band of the totals is the central
90 % of the totals under each bootstrap curve (pairs share one curve, so their uncertainties
add up, they do not cancel). Pairs whose rail time is only an upper bound, outside the range
of the observations, or missing, are counted apart, never in the totals.
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
    out_of_range: int
    upper_bound: int
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
        "mlregistry:potential:"
        + hashlib.sha256(
            f"{atlas_version()}|{loaded.version_id}|{loaded.sha256}|{scope}|{country}|{method}".encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = _compute(loaded, scope=scope, country=country.upper(), method=method)
        cache.set(key, found, 3600)
    return found


def _compute(loaded, *, scope: str, country: str, method: str) -> ShiftPotential:
    predictor = loaded.predictor
    low, high = predictor.observed_range_min
    year = policy_year()
    pairs = policy_pairs(method, year) if year is not None else []
    kept, out_of_range, upper, missing = [], 0, 0, 0
    for pair in pairs:
        if not _in_scope(pair.countries, scope, country):
            continue
        if pair.rail_fastest_min is None:
            missing += 1
        elif pair.rail_upper_bound:
            upper += 1
        elif not low <= pair.rail_fastest_min <= high:
            out_of_range += 1
        else:
            kept.append(pair)
    tail = (1.0 - BAND_LEVEL) / 2.0 * 100.0
    rows = []
    if kept:
        times = np.array([p.rail_fastest_min for p in kept])
        passengers = np.array([p.passengers for p in kept], dtype=np.float64)
        saved_kg = np.array(
            [
                (p.air_kg - p.rail_kg) if p.air_kg is not None and p.rail_kg is not None else 0.0
                for p in kept
            ]
        )
        central = np.asarray(predictor.curve.share(times))
        by_curve = predictor.shares_by_curve(times)
        per_pair_low, per_pair_high = np.percentile(by_curve, [tail, 100 - tail], axis=0)
        totals = by_curve @ passengers
        co2_totals = by_curve @ (passengers * saved_kg) / 1000.0
        for i, pair in enumerate(kept):
            has_co2 = pair.air_kg is not None and pair.rail_kg is not None
            rows.append(
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
                    if has_co2
                    else None,
                )
            )
        total = float(central @ passengers)
        total_band = np.percentile(totals, [tail, 100 - tail])
        co2 = float(central @ (passengers * saved_kg)) / 1000.0
        co2_band = np.percentile(co2_totals, [tail, 100 - tail])
    else:
        total, total_band, co2, co2_band = 0.0, (0.0, 0.0), 0.0, (0.0, 0.0)
    rows.sort(key=lambda r: (-r.passengers, r.label))
    return ShiftPotential(
        version=loaded.number,
        year=year,
        method=method,
        pairs=tuple(rows),
        passengers=round(total),
        passengers_band=(round(float(total_band[0])), round(float(total_band[1]))),
        co2_t=round(co2, 1),
        co2_band_t=(round(float(co2_band[0]), 1), round(float(co2_band[1]), 1)),
        out_of_range=out_of_range,
        upper_bound=upper,
        no_rail_time=missing,
        observed_range_min=(low, high),
    )
