"""File and Redis caches that keep serving from memory when their store fails.

The file cache lives in the var directory. A full disk or a read-only volume made every
``cache.set`` raise, and with it every API call (the throttles write their history to the
cache). This backend catches the ``OSError``, logs it once per incident and answers from a
per-process memory cache for ``FALLBACK_SECONDS`` before trying the directory again: the
site stays up, throttles and cached figures then hold per worker, and ``/health`` reports the
var directory (obrail/health.py).

``FallbackRedisCache`` does the same for Django's own Redis cache (several app hosts): an
unreachable Redis (a restart, a network or DNS fault) costs one short connection timeout, then
``FALLBACK_SECONDS`` of per-process memory cache, instead of an error on every request.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: How long the memory cache serves alone after a failure, in seconds.
FALLBACK_SECONDS = 30.0


class _ServedThroughCall:
    """Cache operations that go through ``_call`` (the store, or the memory fallback)."""

    _fallback: BaseCache

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call("add", key, value, timeout, version)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", key, timeout, version)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._call("delete", key, version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._call("has_key", key, version)

    def clear(self) -> None:
        self._fallback.clear()
        self._call("clear")


class FallbackFileBasedCache(_ServedThroughCall, FileBasedCache):
    """``FileBasedCache`` falling back to a per-process ``LocMemCache`` on ``OSError``."""

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        self._fallback = LocMemCache(f"fallback:{dir}", params)
        self._fallback_until = 0.0
        self._lock = threading.Lock()
        try:
            super().__init__(dir, params)
        except OSError as exc:
            # FileBasedCache creates its directory on construction; the rest of its set-up ran.
            BaseCache.__init__(self, params)
            self._dir = os.path.abspath(dir)
            self._degrade("create directory", exc)

    @property
    def is_degraded(self) -> bool:
        """Whether the memory cache is serving instead of the directory."""
        return time.monotonic() < self._fallback_until

    def _degrade(self, operation: str, exc: Exception) -> None:
        with self._lock:
            was_degraded = self.is_degraded
            self._fallback_until = time.monotonic() + FALLBACK_SECONDS
        if not was_degraded:
            logger.error(
                "file cache unusable, serving from memory for %.0f s: %s failed with %s",
                FALLBACK_SECONDS,
                operation,
                exc.__class__.__name__,
                extra={"event": "cache_fallback", "errno": getattr(exc, "errno", None)},
            )

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if not self.is_degraded:
            try:
                return getattr(FileBasedCache, operation)(self, *args, **kwargs)
            except OSError as exc:
                self._degrade(operation, exc)
        return getattr(self._fallback, operation)(*args, **kwargs)


#: Seconds to connect to Redis or wait for its answer before falling back to memory.
REDIS_TIMEOUT_SECONDS = 2.0
#: Errors of an unreachable or stalled Redis (not of a wrong command or value).
REDIS_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class FallbackRedisCache(_ServedThroughCall, RedisCache):
    """Django's ``RedisCache`` falling back to a per-process ``LocMemCache`` while Redis is
    unreachable, with short connection and answer timeouts."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._fallback = LocMemCache(f"fallback:{server}", params)
        self._fallback_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_degraded(self) -> bool:
        """Whether the memory cache is serving instead of Redis."""
        return time.monotonic() < self._fallback_until

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if not self.is_degraded:
            try:
                return getattr(RedisCache, operation)(self, *args, **kwargs)
            except REDIS_UNAVAILABLE as exc:
                with self._lock:
                    was_degraded = self.is_degraded
                    self._fallback_until = time.monotonic() + FALLBACK_SECONDS
                if not was_degraded:
                    logger.error(
                        "redis cache unreachable, serving from memory for %.0f s: %s failed "
                        "with %s",
                        FALLBACK_SECONDS,
                        operation,
                        exc.__class__.__name__,
                        extra={"event": "cache_fallback"},
                    )
        return getattr(self._fallback, operation)(*args, **kwargs)

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        return self._call("get_many", keys, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self._call("incr", key, delta, version)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", keys, version)
