"""Station and place names: the one normaliser of the platform.

Used by the ETL (matching stations across sources), the search filters, the autocomplete,
routing and the seeder, so that a name typed by a user and a name published by a source meet
on the same key. No Django here.

- :func:`fold` turns any text into lower-case ASCII words: accents dropped, Cyrillic and Greek
  transliterated (anyascii), German digraphs unified with umlauts (``Koeln`` = ``Köln``).
- :func:`station_key` also drops the words that only say "station" in the languages of our
  sources (Hbf, Bahnhof, Gare de, hl.st., pu, Puerta de, Centraal, C, H…), expands their
  abbreviations, and unifies the forms one station takes across publishers ("Hamburg,
  Hamburg Hbf", "S+U Berlin Hauptbahnhof", "Hauptbahnhof (oben)").
- :func:`name_similarity` compares two names as a matcher must: equal keys, one name inside the
  other, or the same name spelt differently; words that mark a different stop at the same
  place (ZOB, bus, S-Bahn, metro, tief…) keep two names apart.
"""

from __future__ import annotations

import difflib
import enum
import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "MARKER_WORDS",
    "Similarity",
    "display_name",
    "fold",
    "is_generic_station_name",
    "is_latin",
    "name_similarity",
    "name_variants",
    "search_key",
    "skeleton",
    "station_key",
    "strip_accents",
]

# Characters anyascii spells in a way our sources do not.
_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "ø": "oe", "Ø": "oe", "æ": "ae", "Æ": "ae"})
_DIGRAPHS = re.compile(r"(ae|oe|ue)")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that only say "station" (removed from keys), per language of our sources.
_STATION_WORDS = _word_set(
    """
    bahnhof bf bhf pbf haltepunkt hp hbf hauptbahnhof hauptbf
    gare station stations stasjon stationen sentralstasjon sentral
    stazione staz estacion estacio apeadero apd cgd
    nadrazi nadr hl hlavni hlavna stanica zast zastavka
    palyaudvar pu mh vasutallomas allomas
    dworzec glowny glowna gl centralna osobowa
    gara halta hm hc hcv h calatori
    kolodvor glavni kol
    istasyonu gari
    centraal cs central centrale centralstation centrum
    vokzal
    railway rail main
    """
)
# Words kept in the key because they tell a different stop at the same place.
MARKER_WORDS = _word_set(
    """
    zob bus busbahnhof busbf bussteig omnibus autostazione autobus routiere
    tief sbahn ubahn metro tram strab strassenbahn tramway
    cercanias rodalies rer
    ferry fahre faehre port hafen
    triaj triage rangierbahnhof rbf razpredelitelna
    """
)
# The Ukrainian and Russian word for the main ("passenger") station, in its spellings.
_PASSENGER = re.compile(r"^pas{1,2}a(?:zh|z|j)[iy]rs?k(?:ii|iy|yi|yj|ij|i|y)$")
# "Madrid-Puerta de Atocha" is Madrid Atocha (the key is folded: "puerta" reads "purta").
_DROPPED_WORDS = frozenset({"purta"})
# Abbreviations expanded before comparison ("Frankfurt (M)" is Frankfurt am Main).
_EXPANSIONS = {
    "fernbf": "fern", "fernbahnhof": "fern", "regionalbf": "regional",
    "regionalbahnhof": "regional", "s-bahn": "sbahn", "u-bahn": "ubahn", "flugh": "flughafen",
    "sankt": "st", "saint": "st", "sainte": "st", "ste": "st", "san": "st", "santa": "st",
    "santo": "st", "sao": "st", "sv": "st", "sveti": "st", "sw": "st", "swiety": "st",
    "nad": "n", "pod": "p", "am": "", "an": "", "der": "", "im": "", "in": "", "bei": "",
    "b": "", "de": "", "del": "", "des": "", "du": "", "d": "", "la": "", "le": "", "les": "",
    "l": "", "el": "", "i": "", "y": "", "et": "", "und": "", "a": "",
    "predm": "predmestie", "mesto": "mesto",
}  # fmt: skip
# English and French exonyms of cities, mapped to the local name a station carries (compared
# folded, see _EXONYMS below: "prague" folds to "pragu").
_EXONYM_NAMES = {
    "prague": "praha", "prag": "praha", "vienna": "wien", "munich": "munchen",
    "cologne": "koln", "brussels": "bruxelles", "warsaw": "warszawa", "varsovie": "warszawa",
    "venice": "venezia", "venise": "venezia", "milan": "milano", "rome": "roma",
    "florence": "firenze", "turin": "torino", "naples": "napoli", "lisbon": "lisboa",
    "lisbonne": "lisboa", "copenhagen": "kobenhavn", "copenhague": "kobenhavn",
    "bucharest": "bucuresti", "bucarest": "bucuresti", "belgrade": "beograd",
    "athens": "athina", "athenes": "athina", "antwerp": "antwerpen", "anvers": "antwerpen",
    "geneva": "geneve", "genf": "geneve", "cracow": "krakow", "cracovie": "krakow",
    "nuremberg": "nurnberg", "kiev": "kyiv", "kiew": "kyiv", "moscow": "moskva",
    "moscou": "moskva", "pressburg": "bratislava", "gothenburg": "goteborg",
    "hambourg": "hamburg", "francfort": "frankfurt",
    "mayence": "mainz", "treves": "trier", "aix la chapelle": "aachen", "bale": "basel",
    "basle": "basel", "berne": "bern", "lucerne": "luzern", "salonique": "thessaloniki",
}  # fmt: skip
# A parenthesis or bracket holding one of these is dropped ("(oben)": the main level; "(Gr)":
# gtfs.de's pseudo border stop; "(apd)": a Renfe halt).
_DROPPED_QUALIFIERS = frozenset({"oben", "gr", "grenze", "apd", "apd cgd", "fr"})
# A lone "s" or "u" in brackets is an S-Bahn or U-Bahn platform ("Hamburg-Altona (S)").
_BRACKET_MARKERS = {"s": "sbahn", "u": "ubahn", "m": "main"}
# One-letter abbreviations of "main station" that end a name ("Oslo S", "Göteborg C",
# "København H", Romanian "h." for a halt); elsewhere a single letter may be an initial.
_FINAL_STATION_LETTERS = frozenset("chs")
# A letter after these is a line's name ("RER C"), not "Central".
_LINE_WORDS = frozenset({"rer", "ligne", "linie", "line", "linea", "s", "u"})
# Station abbreviations of two words ("hl.st.", "hl.n.").
_TWO_WORD_STATION = re.compile(r"\bhl (?:st|n)\b")
# "S-Bahn", "U Bahn": one word.
_RAPID_TRANSIT = re.compile(r"\b([su])[\s-]?bahn\b")
_BRACKETS = re.compile(r"[(\[]([^)\]]*)[)\]]")
# gtfs.de parents prefix a station's lines: "S+U Berlin Hauptbahnhof", "S Potsdam Hbf".
_LINE_PREFIX = re.compile(r"^(?:s\s*\+\s*u|s\s*u|s|u)\s+(?=\w\w)")
_SLASH = re.compile(r"\s*/\s*")
_SPACED_SLASH = re.compile(r"\s/\s")
# French elision ("Gare d'Austerlitz") splits words; any other apostrophe (a transliterated soft
# sign, "Kam'yanets") joins them.
_ELISION = re.compile(r"\b([cdjlmnst])['’ʼ](?=[a-z])")
_APOSTROPHES = re.compile(r"['’ʼ`´]")


def strip_accents(text: str) -> str:
    """``text`` without its accents, case and script kept (``"Liège"`` → ``"Liege"``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces.

    ``"Bucureşti Nord Gr.A"`` → ``"bucuresti nord gr a"``, ``"Київ"`` → ``"kiiv"``,
    ``"Koeln"`` and ``"Köln"`` → ``"koln"``, ``"København"`` → ``"kobenhavn"``.
    """
    text = unicodedata.normalize("NFKC", text).translate(_SPECIAL)
    text = anyascii(text).lower()
    text = _APOSTROPHES.sub("", _ELISION.sub(r"\1 ", text))
    text = _NON_WORD.sub(" ", text).strip()
    return _DIGRAPHS.sub(lambda found: found.group(1)[0], text)


_EXONYMS = {fold(name): fold(local) for name, local in _EXONYM_NAMES.items()}
_EXONYM = re.compile(r"\b(" + "|".join(sorted(_EXONYMS, key=len, reverse=True)) + r")\b")


def search_key(text: str) -> str:
    """The key a search box compares by prefix (and the key stored with every name)."""
    return fold(text)


def name_variants(name: str) -> tuple[str, ...]:
    """The name and, when it joins two names of one station with a slash, each of them.

    ``"Innichen / San Candido"`` and ``"Alicante/alacant"`` give the whole and both parts;
    ``"Köln/Bonn Flughafen"`` (two cities sharing "Flughafen") stays whole.
    """
    name = name.strip()
    parts = [part for part in _SLASH.split(name) if part]
    if len(parts) < 2:
        return (name,)
    same_length = all(len(part.split()) == len(parts[0].split()) for part in parts)
    if _SPACED_SLASH.search(name) or same_length:
        return (name, *parts)
    return (name,)


@lru_cache(maxsize=200_000)
def station_key(name: str) -> str:
    """The matching key of one station name (see the module docstring).

    Returns the folded name itself when removing generic words would leave nothing
    (``"Hauptbahnhof"`` stays ``"hauptbahnhof"``: see :func:`is_generic_station_name`).
    """
    return " ".join(_station_tokens(name)) or fold(name)


def is_generic_station_name(name: str) -> bool:
    """Whether a name says only "station" ("Hauptbahnhof (oben)", "Gare"): its town is
    then needed to tell which station it is."""
    return not _station_tokens(name)


@lru_cache(maxsize=200_000)
def _station_tokens(name: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", name).translate(_SPECIAL)
    text = _RAPID_TRANSIT.sub(r"\1bahn", anyascii(text).lower())
    text = _BRACKETS.sub(_bracket, text)
    folded = _TWO_WORD_STATION.sub(" ", fold(text))
    folded = _LINE_PREFIX.sub("", folded)
    folded = _EXONYM.sub(lambda found: _EXONYMS[found.group(1)], folded)
    words = folded.split()
    if len(words) > 1 and words[-1] in _FINAL_STATION_LETTERS and words[-2] not in _LINE_WORDS:
        words.pop()
    elif len(words) > 1 and words[-1] in {"st", "sta"}:
        words.pop()  # Danish "Kolding St." (a leading "St." is a saint: "St. Pölten")
    tokens: list[str] = []
    for word in words:
        token = _EXPANSIONS.get(word, word)
        if token.endswith("bahnhof") and token not in _STATION_WORDS | MARKER_WORDS:
            token = token[: -len("bahnhof")]  # "Stadtbahnhof" is "Stadt"
        if not token or token in _STATION_WORDS or _PASSENGER.match(token):
            continue
        if token in _DROPPED_WORDS:
            continue
        if tokens and tokens[-1] == token:  # "Hamburg, Hamburg Hbf"
            continue
        tokens.append(token)
    return tuple(tokens)


def _bracket(found: re.Match) -> str:
    inner = _NON_WORD.sub(" ", found.group(1).lower()).strip()
    if inner in _DROPPED_QUALIFIERS:
        return " "
    if inner in _BRACKET_MARKERS:
        return f" {_BRACKET_MARKERS[inner]} "
    return f" {inner} "


@lru_cache(maxsize=200_000)
def skeleton(key: str) -> str:
    """A spelling-tolerant form of a key for fuzzy comparison.

    Folds the usual transliteration and spelling variants of our sources onto one form:
    ``zh``/``j``, ``kh``/``h``, ``y``/``i``, ``w``/``v``, ``ph``/``f``, ``ny``/``n`` (Renfe writes
    ``Canyaveral`` for Cañaveral), doubled letters. ``"kyiv pasazhyrskyi"`` and
    ``"kiev passajirskii"`` share ``"kiiv pasajirski"``-like skeletons.
    """
    text = key
    for old, new in (
        ("zh", "j"), ("kh", "h"), ("ph", "f"), ("ck", "k"), ("ny", "n"), ("cz", "c"),
        ("sz", "s"), ("sch", "s"), ("tsch", "c"), ("ch", "c"), ("w", "v"), ("y", "i"),
        ("ij", "i"), ("q", "k"), ("x", "ks"),
    ):  # fmt: skip
        text = text.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", text)


class Similarity(enum.IntEnum):
    """How alike two station names are, from strongest to none."""

    EXACT = 3  # same key
    CONTAINED = 2  # one name's words all within the other's, the extra words not markers
    SPELLING = 1  # the same words spelt differently
    NONE = 0


# Fuzzy spellings must agree this much (difflib ratio on skeletons): "canyaveral"/"canaveral"
# pass, "paris nord"/"paris lyon" and "wien west"/"wien mitte" do not.
SPELLING_RATIO = 0.86


def name_similarity(first: str, second: str) -> Similarity:
    """Compare two station names (or their variants) for matching."""
    best = Similarity.NONE
    for a in name_variants(first):
        for b in name_variants(second):
            best = max(best, _key_similarity(station_key(a), station_key(b)))
            if best == Similarity.EXACT:
                return best
    return best


@lru_cache(maxsize=500_000)
def _key_similarity(a: str, b: str) -> Similarity:
    if not a or not b:
        return Similarity.NONE  # names of punctuation only
    if a == b:
        return Similarity.EXACT
    a, b = sorted((a, b))  # symmetric, difflib included
    tokens_a, tokens_b = a.split(), b.split()
    if (len(tokens_a) <= len(tokens_b) and _contained(tokens_a, tokens_b)) or (
        len(tokens_b) <= len(tokens_a) and _contained(tokens_b, tokens_a)
    ):
        return Similarity.CONTAINED
    skeleton_a, skeleton_b = skeleton(a), skeleton(b)
    if skeleton_a == skeleton_b:
        return Similarity.SPELLING
    if _differs_by_marker_or_number(tokens_a, tokens_b):
        return Similarity.NONE
    ratio = difflib.SequenceMatcher(None, skeleton_a, skeleton_b, autojunk=False).ratio()
    return Similarity.SPELLING if ratio >= SPELLING_RATIO else Similarity.NONE


def _contained(shorter: list[str], longer: list[str]) -> bool:
    """Whether every word of ``shorter`` matches a distinct word of ``longer`` (equal, or an
    abbreviation of at least 3 letters such as "bad" for "badischer"), the words left over in
    ``longer`` naming no other kind of stop, and single letters standing for initials
    ("Firenze S. M. N." for Santa Maria Novella)."""
    if not shorter:
        return False
    remaining = list(longer)
    initials = [token for token in shorter if len(token) == 1 and token.isalpha()]
    for token in shorter:
        if token in initials:
            continue
        match = next(
            (
                other
                for other in remaining
                if other == token
                or (len(token) >= 3 and other.startswith(token))
                or (len(other) >= 3 and token.startswith(other))
            ),
            None,
        )
        if match is None:
            return False
        remaining.remove(match)
    for letter in initials:
        match = next((other for other in remaining if other[0] == letter), None)
        if match is None:
            return False
        remaining.remove(match)
    return not any(token in MARKER_WORDS or token.isdigit() for token in remaining)


def _differs_by_marker_or_number(tokens_a: list[str], tokens_b: list[str]) -> bool:
    extra = set(tokens_a) ^ set(tokens_b)
    return any(token in MARKER_WORDS or token.isdigit() for token in extra)


_ROMAN = re.compile(r"^(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)$", re.IGNORECASE)
_LOWER_WORDS = _word_set(
    "de del della di da do dos das du des la le les el en y i e et und am an der im bei sur "
    "sous lès les nad pod na"
)


def is_latin(name: str) -> bool:
    """Whether every letter of ``name`` is Latin ("Kraków" yes, "Київ" no)."""
    return all(unicodedata.name(ch, "").startswith("LATIN") for ch in name if ch.isalpha())


# Abbreviations that keep their capitals in a title-cased name.
_ACRONYMS = frozenset({"tgv", "av", "ave", "rer", "ice", "lgv", "zob", "sncf", "db", "sbb", "cff"})


def display_name(name: str) -> str:
    """A name fit for display: an ALL-CAPS name gets a title case, others are kept.

    ``"MADRID-PUERTA DE ATOCHA"`` → ``"Madrid-Puerta de Atocha"``; ``"L'AMPOLLA"`` →
    ``"L'Ampolla"``; ``"Berlin Hbf"`` is unchanged.
    """
    text = " ".join(name.split())
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or any(ch.islower() for ch in letters) or len(letters) < 4:
        return text
    words = re.split(r"(\s+|-|/|’|'|\(|\))", text.lower())
    out: list[str] = []
    for position, word in enumerate(words):
        if not word or not word[0].isalpha():
            out.append(word)
        elif _ROMAN.match(word) or word in _ACRONYMS:
            out.append(word.upper())
        elif position > 0 and word in _LOWER_WORDS:
            out.append(word)
        else:
            out.append(word[0].upper() + word[1:])
    return "".join(out)


def station_name(name: str) -> str:
    """A station name as every page writes it: an ALL-CAPS name in title case
    (:func:`display_name`) and a capital first letter (``gare de Rodez``
    → ``Gare de Rodez``, ``CERBERE`` → ``Cerbere``)."""
    text = display_name(name)
    return text[:1].upper() + text[1:]
