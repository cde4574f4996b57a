"""Operator normalisation: one stable code per operator across all its feeds."""

from __future__ import annotations

from dataclasses import dataclass

from .names import strip_accents

__all__ = ["CanonicalOperator", "normalise_operator"]


@dataclass(frozen=True, slots=True)
class CanonicalOperator:
    """The stable code, display name and country of an operator."""

    code: str
    name: str
    country: str


_CANONICAL = {
    "DB": CanonicalOperator("DB", "DB Fernverkehr", "DE"),
    "OBB": CanonicalOperator("OBB", "ÖBB", "AT"),
    "SBB": CanonicalOperator("SBB", "SBB CFF FFS", "CH"),
    "SNCF": CanonicalOperator("SNCF", "SNCF Voyageurs", "FR"),
    "NS": CanonicalOperator("NS", "Nederlandse Spoorwegen", "NL"),
    "CD": CanonicalOperator("CD", "České dráhy", "CZ"),
    "PKP": CanonicalOperator("PKP", "PKP Intercity", "PL"),
    "MAV": CanonicalOperator("MAV", "MÁV-START", "HU"),
    "ZSSK": CanonicalOperator("ZSSK", "ZSSK", "SK"),
    "HZPP": CanonicalOperator("HZPP", "HŽ Putnički prijevoz", "HR"),
    "DSB": CanonicalOperator("DSB", "DSB", "DK"),
    "RENFE": CanonicalOperator("RENFE", "Renfe Viajeros", "ES"),
    "FS": CanonicalOperator("FS", "Trenitalia", "IT"),
    "CFR": CanonicalOperator("CFR", "CFR Călători", "RO"),
    "ES": CanonicalOperator("ES", "European Sleeper", "NL"),
    "SNCB": CanonicalOperator("SNCB", "SNCB/NMBS", "BE"),
    "SJ": CanonicalOperator("SJ", "SJ", "SE"),
    "UZ": CanonicalOperator("UZ", "Ukrzaliznytsia", "UA"),
    "BDZ": CanonicalOperator("BDZ", "BDŽ", "BG"),
    "SUWEX": CanonicalOperator("SUWEX", "SÜWEX", "DE"),
}
# Names and ids seen in the sources (accents removed, upper case) → canonical code.
_ALIASES = {
    "DB FERNVERKEHR AG": "DB", "DB FERNVERKEHR": "DB", "DEUTSCHE BAHN": "DB",
    "DB CODESHARE": "DB", "DB": "DB",
    "OBB": "OBB", "OBB PERSONENVERKEHR AG": "OBB", "OSTERREICHISCHE BUNDESBAHNEN": "OBB",
    "SBB": "SBB", "SCHWEIZERISCHE BUNDESBAHNEN": "SBB", "SBB CFF FFS": "SBB",
    "SNCF": "SNCF", "OCESN": "SNCF", "SNCF VOYAGEURS": "SNCF", "INTERCITES": "SNCF",
    "NS": "NS", "NEDERLANDSE SPOORWEGEN": "NS", "NS INTERNATIONAL": "NS",
    "CD": "CD", "CESKE DRAHY": "CD",
    "PKP": "PKP", "PKP INTERCITY": "PKP", "PKP IC": "PKP",
    "MAV": "MAV", "MAV-START": "MAV", "MAV START": "MAV",
    "ZSSK": "ZSSK", "ZELEZNICNA SPOLOCNOST SLOVENSKO": "ZSSK",
    "HZZP": "HZPP", "HZPP": "HZPP", "HZ PUTNICKI PRIJEVOZ": "HZPP",
    "DSB": "DSB", "DANISCHE STAATSBAHNEN": "DSB", "DANSKE STATSBANER": "DSB",
    "RENFE": "RENFE", "RENFE OPERADORA": "RENFE", "RENFE VIAJEROS": "RENFE",
    "FS": "FS", "TRENITALIA": "FS",
    "CFR": "CFR", "CFR CALATORI": "CFR",
    "ES": "ES", "EUROPEAN SLEEPER": "ES",
    "SNCB": "SNCB", "NMBS": "SNCB", "SNCB/NMBS": "SNCB",
    "SJ": "SJ", "UZ": "UZ", "BDZ": "BDZ",
    "SUWEX": "SUWEX",
}  # fmt: skip


def normalise_operator(name: str, *, source_id: str = "") -> CanonicalOperator:
    """Return the canonical operator for a source's operator name or id.

    Composite ids such as ``CFR/MÁV/ÖBB`` map to their first operator. An unknown operator
    keeps its own name and gets a code made of its upper-case, accent-free name.
    """
    for candidate in (name, source_id):
        first = strip_accents(candidate.split("/")[0]).strip().upper()
        code = _ALIASES.get(first)
        if code:
            return _CANONICAL[code]
    display = name.strip() or source_id.strip()
    code = strip_accents(display).upper().replace(" ", "_")[:32] or "UNKNOWN"
    return CanonicalOperator(code, display or "Unknown operator", "")
