"""Every rule the chemostat package states is said in the reader's language (#17)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from apps.ecology.chemostat import ParameterError
from apps.ecology.messages import parameter_error_text, requirement_text

PACKAGE = Path(__file__).resolve().parents[1] / "chemostat"


def _rendered(node: ast.expr) -> str:
    """The rule's text, each interpolated value replaced by a number (``7``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "7" for part in node.values
        )
    raise AssertionError(f"a rule that is not a string: {ast.dump(node)}")


def package_rules() -> list[tuple[str, str]]:
    """(where, rule) for every ``ParameterError(name, value, rule)`` the package raises."""
    rules = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "ParameterError"
                and len(node.args) == 3
            ):
                rules.append((f"{path.name}:{node.lineno}", _rendered(node.args[2])))
    return rules


def test_the_scan_finds_the_package_rules():
    assert len(package_rules()) >= 45


@pytest.mark.parametrize(("where", "rule"), package_rules())
def test_every_rule_of_the_package_has_french_words_and_keeps_its_english(where, rule):
    with translation.override("fr"):
        french = requirement_text(rule)
    with translation.override("en"):
        english = requirement_text(rule)
    assert french != rule, f"{where}: no French words for {rule!r}"
    assert english == rule, f"{where}: the English catalogue changes {rule!r} into {english!r}"


def test_numbers_and_choices_quoted_by_a_rule_are_kept():
    with translation.override("fr"):
        assert requirement_text("at most 1000 sampling periods of 0.1 h, i.e. t_end ≤ 100 h") == (
            "au plus 1000 périodes d'échantillonnage de 0.1 h, soit t_end ≤ 100 h"
        )
        assert requirement_text("must be one of RK45, LSODA") == (
            "doit être l'une des valeurs : RK45, LSODA"
        )


def test_an_unknown_rule_keeps_the_package_words():
    with translation.override("fr"):
        assert requirement_text("must rhyme") == "must rhyme"


def test_the_whole_message_names_the_parameter_and_its_value():
    error = ParameterError("D", -1.0, "must be a finite number > 0")
    with translation.override("fr"):
        assert parameter_error_text(error) == "D=-1.0 : doit être un nombre fini > 0"
    with translation.override("en"):
        assert parameter_error_text(error) == str(error) == "D=-1.0: must be a finite number > 0"
