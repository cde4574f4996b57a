"""The chemostat solver's refusals in the reader's language.

The solver package (:mod:`apps.ecology.chemostat`) is a plain scientific library: its
:class:`~apps.ecology.chemostat.ParameterError` names the parameter, its value and the rule it
breaks, in English. Pages and the API speak the request's language: each rule the package
states is matched here and said again through gettext (French source, English catalogue).
A rule with no entry keeps the package's words; a test lists every rule the package can
state and fails on one missing here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from apps.ecology.chemostat import ParameterError

__all__ = ["parameter_error_text", "requirement_text"]

_NUMBER = r"[-+\w.]+"


def _fixed(text: Callable[[], str]) -> Callable[[re.Match[str]], str]:
    return lambda _match: text()


# (English rule of the package, its words in the reader's language). Patterns match the
# whole rule; named groups carry the numbers and choices the rule quotes.
_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), say)
    for pattern, say in (
        (r"must be a finite number > 0", _fixed(lambda: _("doit être un nombre fini > 0"))),
        (r"must be a finite number ≥ 0", _fixed(lambda: _("doit être un nombre fini ≥ 0"))),
        (r"must be an integer ≥ 2", _fixed(lambda: _("doit être un entier ≥ 2"))),
        (
            rf"must be an integer in \[2, (?P<high>{_NUMBER})\]",
            lambda m: _("doit être un entier de 2 à %(high)s") % m.groupdict(),
        ),
        (r"must be in \(0, 1\)", _fixed(lambda: _("doit être strictement entre 0 et 1"))),
        (
            r"must be one of (?P<choices>.+)",
            lambda m: _("doit être l'une des valeurs : %(choices)s") % m.groupdict(),
        ),
        (
            r"must be > 0 \(math\.inf for no inhibition\)",
            _fixed(lambda: _("doit être > 0 (math.inf : pas d'inhibition)")),
        ),
        (
            rf"needs (?P<count>{_NUMBER}) numbers",
            lambda m: _("demande %(count)s nombres") % m.groupdict(),
        ),
        (
            r"needs x_i ≥ 0 and Σ x_i/y_i ≤ s_in",
            _fixed(lambda: _("demande x_i ≥ 0 et Σ x_i/y_i ≤ s_in")),
        ),
        (r"at least one species is needed", _fixed(lambda: _("il faut au moins une espèce"))),
        (
            rf"must hold s then one biomass per species \((?P<count>{_NUMBER}) numbers\)",
            lambda m: (
                _("doit donner s puis une biomasse par espèce (%(count)s nombres)") % m.groupdict()
            ),
        ),
        (
            r"concentrations must be finite and ≥ 0",
            _fixed(lambda: _("les concentrations doivent être finies et ≥ 0")),
        ),
        (
            r"the resident species has no positive equilibrium",
            _fixed(lambda: _("l'espèce résidente n'a pas d'équilibre positif")),
        ),
        (
            r"a growth law is needed for the monod method",
            _fixed(lambda: _("la méthode monod demande une loi de croissance")),
        ),
        (
            r"must be finite and above the set point s\*",
            _fixed(lambda: _("doit être fini et au-dessus de la consigne s*")),
        ),
        (
            r"must be \(s, x\) with finite values ≥ 0",
            _fixed(lambda: _("doit être (s, x) avec des valeurs finies ≥ 0")),
        ),
        (
            r"the auxostat needs a law μ\(s\)",
            _fixed(lambda: _("l'auxostat demande une loi μ(s)")),
        ),
        (
            r"a numpy Generator is needed for a noisy run",
            _fixed(lambda: _("une simulation bruitée demande un générateur numpy")),
        ),
        (
            rf"at most (?P<count>{_NUMBER}) sampling periods of (?P<period>{_NUMBER}) h, "
            rf"i\.e\. t_end ≤ (?P<high>{_NUMBER}) h",
            lambda m: (
                _(
                    "au plus %(count)s périodes d'échantillonnage de %(period)s h, "
                    "soit t_end ≤ %(high)s h"
                )
                % m.groupdict()
            ),
        ),
        (r"give 1 to 20 states", _fixed(lambda: _("donnez de 1 à 20 états"))),
        (
            rf"at most (?P<count>{_NUMBER}) species",
            lambda m: _("au plus %(count)s espèces") % m.groupdict(),
        ),
        (
            rf"at most (?P<count>{_NUMBER}) initial points",
            lambda m: _("au plus %(count)s points initiaux") % m.groupdict(),
        ),
        (
            r"initial points must be finite and ≥ 0",
            _fixed(lambda: _("les points initiaux doivent être finis et ≥ 0")),
        ),
        (
            r"phase portraits need 1 or 2 species",
            _fixed(lambda: _("un portrait de phase demande 1 ou 2 espèces")),
        ),
        (
            r"must be a non-empty 1-D array",
            _fixed(lambda: _("doit être un tableau à une dimension non vide")),
        ),
        (r"values must be finite", _fixed(lambda: _("les valeurs doivent être finies"))),
        (r"values must be > 0", _fixed(lambda: _("les valeurs doivent être > 0"))),
        (r"values must be ≥ 0", _fixed(lambda: _("les valeurs doivent être ≥ 0"))),
        (
            rf"at most (?P<count>{_NUMBER}) points",
            lambda m: _("au plus %(count)s points") % m.groupdict(),
        ),
        (
            r"break-even concentrations are undefined when μ depends on x",
            _fixed(lambda: _("les concentrations seuils ne sont pas définies quand μ dépend de x")),
        ),
    )
)


def requirement_text(requirement: str) -> str:
    """The package's rule in the active language (its own words when no entry matches)."""
    for pattern, say in _RULES:
        match = pattern.fullmatch(requirement)
        if match:
            return say(match)
    return requirement


def parameter_error_text(error: ParameterError) -> str:
    """``name=value: rule``, the rule in the active language."""
    return _("%(name)s=%(value)s : %(rule)s") % {
        "name": error.name,
        "value": repr(error.value),
        "rule": requirement_text(error.requirement),
    }
