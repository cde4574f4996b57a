"""Station and operator name normalisation used for matching across sources."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_station_name", "strip_accents"]

# Generic words that carry no identity ("Gare de Lyon" keeps "lyon"; "Köln Hbf" → "koln").
_PREFIXES = re.compile(r"^(?:gare (?:de |du |des |d )?|station |estacion (?:de )?|bahnhof )")
_STATION_WORDS = re.compile(
    r"\b(?:hbf|hauptbahnhof|centrale|centraal|central|centrum|hl n|hlavni nadrazi|"
    r"glowna|glowny|gl|main station|bahnhof|bf|station|gare|stazione|estacion)\b"
)
_SAINT = re.compile(r"\b(?:st|ste|sankt|saint|sainte|san|santa)\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_BORDER = re.compile(r"\(gr\)$")
# English exonyms used by international operators, mapped to the local name.
_EXONYMS = {
    "prague": "praha", "vienna": "wien", "munich": "munchen", "cologne": "koln",
    "brussels": "bruxelles", "warsaw": "warszawa", "venice": "venezia", "milan": "milano",
    "rome": "roma", "florence": "firenze", "turin": "torino", "naples": "napoli",
    "lisbon": "lisboa", "copenhagen": "kobenhavn", "bucharest": "bucuresti",
    "belgrade": "beograd", "athens": "athina", "the hague": "den haag", "antwerp": "antwerpen",
    "geneva": "geneve", "zurich": "zurich", "cracow": "krakow", "nuremberg": "nurnberg",
}  # fmt: skip
_EXONYM = re.compile(r"\b(" + "|".join(sorted(_EXONYMS, key=len, reverse=True)) + r")\b")
_SPECIAL = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "ł": "l", "đ": "d", "œ": "oe", "ı": "i"})


def strip_accents(text: str) -> str:
    """Return ``text`` without combining accents (``"Liège" → "Liege"``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise_station_name(name: str) -> str:
    """Return the matching key of a station name.

    Lower case, no accents, punctuation as spaces, "Saint"/"St."/"Sankt" unified as "st",
    generic station words removed ("Hbf", "Gare de", "Centrale", "hl.n."...), English exonyms
    replaced by the local name ("Prague" → "praha"), border pseudo suffix "(Gr)" removed.
    Returns the cleaned original when removing words would leave nothing.
    """
    text = strip_accents(name.translate(_SPECIAL).lower()).strip()
    text = _BORDER.sub("", text)
    text = _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()
    base = text
    text = _PREFIXES.sub("", text)
    text = _SAINT.sub("st", text)
    text = _EXONYM.sub(lambda found: _EXONYMS[found.group(1)], text)
    text = _STATION_WORDS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return text or base
