"""Time-zone and country code repair (every station gets a valid IANA zone)."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

__all__ = ["country_for_zone", "repair_country", "repair_time_zone", "zone_for_country"]

# Misspelt or legacy IANA names seen in the sources, mapped to the canonical name.
_ZONE_ALIASES = {
    "europe/bucarest": "Europe/Bucharest",
    "europe/kiev": "Europe/Kyiv",
    "europe/kyiv": "Europe/Kyiv",
}
# Abbreviations are ambiguous across countries: they are resolved with the station's country
# when known, else with a representative zone of that offset.
_ABBREVIATIONS = {
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "MET": "Europe/Berlin",
    "EET": "Europe/Bucharest",
    "EEST": "Europe/Bucharest",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "UTC": "UTC",
    "TRT": "Europe/Istanbul",
    "MSK": "Europe/Moscow",
}
_COUNTRY_ZONES = {
    "AD": "Europe/Andorra", "AL": "Europe/Tirane", "AT": "Europe/Vienna", "BA": "Europe/Sarajevo",
    "BE": "Europe/Brussels", "BG": "Europe/Sofia", "BY": "Europe/Minsk", "CH": "Europe/Zurich",
    "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn", "ES": "Europe/Madrid", "FI": "Europe/Helsinki", "FR": "Europe/Paris",
    "GB": "Europe/London", "GR": "Europe/Athens", "HR": "Europe/Zagreb", "HU": "Europe/Budapest",
    "IE": "Europe/Dublin", "IT": "Europe/Rome", "LI": "Europe/Vaduz", "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg", "LV": "Europe/Riga", "MA": "Africa/Casablanca",
    "MC": "Europe/Monaco", "MD": "Europe/Chisinau", "ME": "Europe/Podgorica",
    "MK": "Europe/Skopje", "NL": "Europe/Amsterdam", "NO": "Europe/Oslo", "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon", "RO": "Europe/Bucharest", "RS": "Europe/Belgrade",
    "RU": "Europe/Moscow", "SE": "Europe/Stockholm", "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava", "TR": "Europe/Istanbul", "UA": "Europe/Kyiv",
    "XK": "Europe/Belgrade",
}  # fmt: skip
_ABBREVIATION_OFFSETS = {
    "CET": 60, "CEST": 60, "MET": 60, "EET": 120, "EEST": 120, "WET": 0, "WEST": 0,
    "GMT": 0, "BST": 0, "TRT": 180, "MSK": 180,
}  # fmt: skip
# Codes that are valid ISO but wrong in context, or not ISO at all.
_COUNTRY_FIXES = {"UK": "GB", "EL": "GR"}


def repair_country(code: str | None, *, time_zone: str | None = None) -> str | None:
    """Return the ISO 3166-1 alpha-2 country, fixing known source errors.

    ``UK`` → ``GB``, ``EL`` → ``GR``; ``MZ`` (Mozambique) on a European station in
    ``Europe/Skopje`` → ``MK``. Empty → None.
    """
    if not code or not code.strip():
        return None
    value = code.strip().upper()
    if value == "MZ" and (time_zone or "").strip().lower() == "europe/skopje":
        return "MK"
    value = _COUNTRY_FIXES.get(value, value)
    return value if len(value) == 2 and value.isascii() and value.isalpha() else None


@lru_cache(maxsize=512)
def _is_valid_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def country_for_zone(zone: str | None) -> str | None:
    """Return the country whose zone this is (``Europe/Madrid`` → ``ES``), else None."""
    for country, name in _COUNTRY_ZONES.items():
        if name == zone:
            return country
    return None


def zone_for_country(country: str | None) -> str | None:
    """Return the IANA zone of a country that has a single one in Europe, else None."""
    return _COUNTRY_ZONES.get((country or "").upper())


def repair_time_zone(value: str | None, *, country: str | None = None) -> str | None:
    """Return a valid IANA zone name for ``value`` or None when nothing can be inferred.

    Fixes misspellings (``Europe/Bucarest``), legacy names (``Europe/Kiev``), abbreviations
    (``CET``, ``"CET "``, ``EET``, ``TRT``…; resolved with the country when its zone has the
    same standard offset) and falls back to the country's zone.
    """
    raw = (value or "").strip()
    if raw:
        alias = _ZONE_ALIASES.get(raw.lower())
        if alias:
            return alias
        upper = raw.upper()
        if upper in _ABBREVIATIONS:
            by_country = zone_for_country(country)
            if by_country and _standard_offset_min(by_country) == _ABBREVIATION_OFFSETS[upper]:
                return by_country
            return _ABBREVIATIONS[upper]
        if "/" in raw and _is_valid_zone(raw):
            return raw
    return zone_for_country(country)


@lru_cache(maxsize=128)
def _standard_offset_min(zone: str) -> int:
    import datetime as dt

    winter = dt.datetime(2025, 1, 15, 12, tzinfo=zoneinfo.ZoneInfo(zone))
    offset = winter.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0
