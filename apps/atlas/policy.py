"""The policy simulator: which city pairs a rule on flights affects (no Django).

A rule bans (or shifts to rail) the flights of a pair when the train's fastest time in the
reference week is at most ``threshold_min`` (the French law "Climat et résilience", art. 145:
domestic flights where a train takes under 2h30), or, with ``night_train``, when a night train
links the pair. The affected passengers are the pair's air passengers of ``year``; the CO2
avoided assumes every one of them takes the train instead (one trip each), at the method's
per-passenger figures.

The warehouse's rail time of a pair is exact, or an **upper bound** when a country of the pair
lacks its main long-distance timetable (``rail_upper_bound``): an upper bound at or under the
threshold still decides (the real train is no slower), one over it does not. Those pairs, and
the pairs without any rail time, are **not judged**: never affected, but counted with their
passengers so that the answer says how much it could not tell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PolicyPair", "PolicyResult", "PolicyRule", "simulate_policy"]


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """A rule: a rail-time threshold in minutes and/or "a night train is available"."""

    threshold_min: float | None
    night_train: bool = False
    domestic_only: bool = True
    country: str = "FR"

    def __post_init__(self) -> None:
        if self.threshold_min is None and not self.night_train:
            raise ValueError("a rule needs threshold_min or night_train")
        if self.threshold_min is not None and not 0 < self.threshold_min <= 24 * 60:
            raise ValueError(f"threshold_min={self.threshold_min} is not in (0, 1440]")


@dataclass(frozen=True, slots=True)
class PolicyPair:
    """What the simulator needs of a pair."""

    pair_id: int
    label: str
    countries: tuple[str, str]
    rail_fastest_min: float | None
    has_night_train: bool
    passengers: int
    air_kg: float | None
    rail_kg: float | None
    #: The rail time is only an upper bound (a main long-distance timetable is missing).
    rail_upper_bound: bool = False


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """The affected pairs and their totals."""

    rule: PolicyRule
    pairs: tuple[PolicyPair, ...]
    passengers: int
    co2_avoided_t: float
    pairs_without_co2: int
    #: In scope with traffic, not affected, and the warehouse cannot tell whether the train
    #: is under the threshold (no rail time, or an upper bound above it).
    not_judged: tuple[PolicyPair, ...] = ()

    @property
    def not_judged_passengers(self) -> int:
        """The air passengers of the pairs not judged."""
        return sum(p.passengers for p in self.not_judged)


def _in_scope(pair: PolicyPair, rule: PolicyRule) -> bool:
    if rule.domestic_only:
        return pair.countries == (rule.country, rule.country)
    return rule.country in pair.countries or rule.country == ""


def _affected(pair: PolicyPair, rule: PolicyRule) -> bool:
    if (
        pair.rail_fastest_min is not None
        and rule.threshold_min is not None
        and pair.rail_fastest_min <= rule.threshold_min
    ):
        return True
    return rule.night_train and pair.has_night_train


def _undecidable(pair: PolicyPair, rule: PolicyRule) -> bool:
    """Not affected, but only for want of a (fast enough) timetable in the warehouse."""
    if rule.threshold_min is None:
        return False
    return pair.rail_fastest_min is None or pair.rail_upper_bound


def simulate_policy(pairs: Iterable[PolicyPair], rule: PolicyRule) -> PolicyResult:
    """Apply ``rule`` to ``pairs``; totals over the affected ones, largest traffic first."""
    considered = [p for p in pairs if p.passengers > 0 and _in_scope(p, rule)]
    affected = sorted(
        (p for p in considered if _affected(p, rule)), key=lambda p: (-p.passengers, p.label)
    )
    not_judged = sorted(
        (p for p in considered if not _affected(p, rule) and _undecidable(p, rule)),
        key=lambda p: (-p.passengers, p.label),
    )
    kg = 0.0
    missing = 0
    for pair in affected:
        if pair.air_kg is None or pair.rail_kg is None:
            missing += 1
            continue
        kg += pair.passengers * (pair.air_kg - pair.rail_kg)
    return PolicyResult(
        rule=rule,
        pairs=tuple(affected),
        passengers=sum(p.passengers for p in affected),
        co2_avoided_t=round(kg / 1000.0, 1),
        pairs_without_co2=missing,
        not_judged=tuple(not_judged),
    )
