"""The English catalogue is complete: no untranslated or fuzzy entry, and compiled (issue #17).

An untranslated entry shows the French source on an English page; a fuzzy one is ignored by
gettext (same effect) and is often a wrong guess by ``makemessages``. Both fail here.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
_STRING = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$')


@dataclass
class Entry:
    """One catalogue entry: its flags and its strings by keyword (continuations joined)."""

    line: int
    flags: set[str] = field(default_factory=set)
    strings: dict[str, str] = field(default_factory=dict)


def parse_catalogue(text: str) -> list[Entry]:
    """Active (non-obsolete) entries of a .po file, the header excluded."""
    entries: list[Entry] = []
    current: Entry | None = None
    keyword = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif match := _STRING.match(line):
            keyword = match.group(1)
            current.strings[keyword] = match.group(2)
        elif line.startswith('"') and keyword:
            current.strings[keyword] += line[1:-1]
    return [entry for entry in entries if entry.strings.get("msgid")]


def test_the_parser_finds_fuzzy_and_untranslated_entries():
    sample = (
        'msgid ""\nmsgstr "Content-Type: text/plain\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Gare %(x)s"\nmsgstr "Station %(x)s"\n\n'
        'msgid "Trajets"\nmsgstr ""\n\n'
        'msgid "Un"\nmsgid_plural "Des"\nmsgstr[0] "One"\nmsgstr[1] ""\n\n'
        'msgid ""\n"Long "\n"texte"\nmsgstr ""\n"Long "\n"text"\n\n'
        '#~ msgid "Ancien"\n#~ msgstr ""\n'
    )
    entries = parse_catalogue(sample)
    assert [e.strings["msgid"] for e in entries] == ["Gare %(x)s", "Trajets", "Un", "Long texte"]
    assert "fuzzy" in entries[0].flags
    assert [e.strings["msgid"] for e in entries if _missing(e)] == ["Trajets", "Un"]


def _missing(entry: Entry) -> bool:
    return any(value == "" for key, value in entry.strings.items() if key.startswith("msgstr"))


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = parse_catalogue(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 500  # the catalogue was read, not an empty file
    fuzzy = [f"line {e.line}: {e.strings['msgid'][:70]}" for e in entries if "fuzzy" in e.flags]
    untranslated = [f"line {e.line}: {e.strings['msgid'][:70]}" for e in entries if _missing(e)]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {CATALOGUE.name}: review them: {fuzzy}"
    assert not untranslated, (
        f"{len(untranslated)} untranslated entries in {CATALOGUE.name}: {untranslated}"
    )


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_the_compiled_catalogue_matches_its_source(tmp_path):
    """The committed .mo holds what the .po says (compilemessages was run after editing)."""
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE)],
        check=True,
        capture_output=True,
    )
    with compiled.open("rb") as fresh, COMPILED.open("rb") as committed:
        expected = gettext.GNUTranslations(fresh)._catalog
        actual = gettext.GNUTranslations(committed)._catalog
    assert actual == expected, "run: manage.py compilemessages -l en, and commit django.mo"
