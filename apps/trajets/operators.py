"""The operator registry: one entry per company, and the aliases feeds use for it.

No ORM here: the ETL maps each feed agency with :meth:`OperatorRegistry.match`; the repair
command applies the registry to stored operators.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from apps.places.services import fold

__all__ = [
    "DEFAULT_REGISTRY_FILE",
    "OperatorRegistry",
    "RegisteredOperator",
    "RegistryError",
    "load_registry",
    "operator_registry",
    "unregistered_code",
]

DEFAULT_REGISTRY_FILE = Path(__file__).with_name("operators.toml")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class RegistryError(ValueError):
    """The registry file is malformed (the message says which entry and why)."""


@dataclass(frozen=True, slots=True)
class RegisteredOperator:
    """A company as the registry describes it, with where each fact comes from."""

    code: str
    name: str
    legal_name: str
    country: str
    website: str
    aliases: tuple[str, ...]
    sources: Mapping[str, str] = field(default_factory=dict)


class OperatorRegistry:
    """The registered operators, found by any of their aliases."""

    def __init__(self, operators: list[RegisteredOperator]) -> None:
        self.operators = {operator.code: operator for operator in operators}
        self._by_alias: dict[str, RegisteredOperator] = {}
        for operator in operators:
            for alias in (operator.code, operator.name, operator.legal_name, *operator.aliases):
                key = fold(alias)
                if not key:
                    continue
                known = self._by_alias.get(key)
                if known is not None and known.code != operator.code:
                    raise RegistryError(
                        f"alias {alias!r} names two operators: {known.code} and {operator.code}"
                    )
                self._by_alias[key] = operator

    def match(self, name: str, *, source_id: str = "") -> RegisteredOperator | None:
        """The registered operator a feed's agency name or id stands for, else None.

        A composite id (``CFR/MÁV/ÖBB``: a train run by several companies) maps to its first
        company.
        """
        for candidate in (name, source_id, name.split("/")[0], source_id.split("/")[0]):
            found = self._by_alias.get(fold(candidate))
            if found is not None:
                return found
        return None


def unregistered_code(name: str) -> str:
    """The code given to an operator absent from the registry (``"Foo Rail AB"`` →
    ``"foo-rail-ab"``)."""
    code = fold(name).replace(" ", "-")[:40].strip("-")
    return code or "unknown"


def load_registry(path: Path = DEFAULT_REGISTRY_FILE) -> OperatorRegistry:
    """Read and validate the registry file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the operator registry: {exc}") from exc
    operators = []
    for position, entry in enumerate(data.get("operator", []), start=1):
        where = f"{path.name}: [[operator]] #{position}"
        code = str(entry.get("code", ""))
        if not _CODE.match(code):
            raise RegistryError(f"{where}: code {code!r} must be lower-case letters, digits, -")
        country = str(entry.get("country", ""))
        if not _COUNTRY.match(country):
            raise RegistryError(f"{where} ({code}): country {country!r} is not an ISO code")
        website = str(entry.get("website", ""))
        if website and not website.startswith(("http://", "https://")):
            raise RegistryError(f"{where} ({code}): website {website!r} is not a URL")
        sources = dict(entry.get("sources", {}))
        for fact in ("legal_name", "country", "website"):
            if entry.get(fact) and not sources.get(fact):
                raise RegistryError(f"{where} ({code}): {fact} has no source")
        operators.append(
            RegisteredOperator(
                code=code,
                name=str(entry.get("name") or code),
                legal_name=str(entry.get("legal_name", "")),
                country=country,
                website=website,
                aliases=tuple(str(alias) for alias in entry.get("aliases", [])),
                sources=sources,
            )
        )
    if len({operator.code for operator in operators}) != len(operators):
        raise RegistryError(f"{path.name}: an operator code is declared twice")
    return OperatorRegistry(operators)


@cache
def operator_registry() -> OperatorRegistry:
    """The project's registry (read once per process)."""
    return load_registry()
