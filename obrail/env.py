"""Typed readers for settings taken from the environment (12-factor).

Only ``obrail/settings.py`` reads the environment; everything else reads settings.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return ``$NAME``, or the content of the file named by ``$NAME_FILE`` (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return a boolean from ``1/true/yes/on`` or ``0/false/no/off``."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return an integer, refusing values that are not numbers or are below ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated list with blanks removed."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(
    name: str, default: list[str] | None = None
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Return a comma-separated list of IP addresses or CIDR networks (``10.0.0.0/8,::1``).

    A bare address is a network of one; a network with host bits set (``10.0.0.1/8``) is
    refused, as it is usually a typo for something else.
    """
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8): {exc}"
            ) from exc
    return tuple(networks)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return one of ``choices`` (case-insensitive), refusing anything else."""
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed ``DATABASE_URL``."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    def as_django(self, *, password: str = "") -> dict[str, object]:
        """Return the ``DATABASES['default']`` dictionary; ``password``, when given, replaces
        the URL's (a secret read from a file)."""
        config: dict[str, object] = {"ENGINE": self.engine, "NAME": self.name}
        if self.engine.endswith(".postgresql"):
            config.update(
                USER=self.user,
                PASSWORD=password or self.password,
                HOST=self.host,
                PORT=self.port,
                CONN_MAX_AGE=60,
                CONN_HEALTH_CHECKS=True,
                # JIT compilation costs 10-120 ms on the capped counts and aggregations of the
                # API, more than it saves on queries of this size.
                OPTIONS={"connect_timeout": 5, "options": "-c jit=off"},
            )
        else:
            config["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
        return config


def parse_database_url(url: str, *, base_dir: Path) -> DatabaseUrl:
    """Parse ``postgres://user:pass@host:port/name`` or ``sqlite:///relative-or-/absolute``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:////abs/path is absolute; sqlite:///rel/path is relative to the project.
        name = path[1:] if path.startswith("//") else str(base_dir / path.lstrip("/"))
        return DatabaseUrl(engine="django_prometheus.db.backends.sqlite3", name=name)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL {url!r} names no database.")
        return DatabaseUrl(
            engine="django_prometheus.db.backends.postgresql",
            name=name,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(parts.port or ""),
        )
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported: use postgres:// or sqlite:///."
    )


def parse_cache_url(url: str) -> dict[str, object]:
    """Parse ``CACHE_URL``: ``locmem://`` (one process), ``file:///abs/dir`` (one host) or
    ``redis://[:password@]host:port/db`` (every host: Django's own Redis cache, falling back
    to memory while Redis is unreachable)."""
    parts = urlsplit(url)
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if parts.scheme in {"redis", "rediss"} and parts.hostname:
        return {"BACKEND": "obrail.cache_backends.FallbackRedisCache", "LOCATION": url}
    if parts.scheme == "file" and parts.path.startswith("/"):
        return {
            "BACKEND": "obrail.cache_backends.FallbackFileBasedCache",
            "LOCATION": unquote(parts.path),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    raise ImproperlyConfigured(
        f"CACHE_URL {url!r} is not supported: use locmem://, file:///absolute/directory or "
        "redis://host:port/db."
    )
