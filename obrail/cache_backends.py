"""A file cache that keeps serving from memory when its directory cannot be written.

The file cache lives in the var directory. A full disk or a read-only volume made every
``cache.set`` raise, and with it every API call (the throttles write their history to the
cache). This backend catches the ``OSError``, logs it once per incident and answers from a
per-process memory cache for ``FALLBACK_SECONDS`` before trying the directory again: the
site stays up, throttles and cached figures then hold per worker, and ``/health`` reports the
var directory (obrail/health.py).
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

logger = logging.getLogger(__name__)

#: How long the memory cache serves alone after a failure, in seconds.
FALLBACK_SECONDS = 30.0


class FallbackFileBasedCache(FileBasedCache):
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

    def _degrade(self, operation: str, exc: OSError) -> None:
        with self._lock:
            was_degraded = self.is_degraded
            self._fallback_until = time.monotonic() + FALLBACK_SECONDS
        if not was_degraded:
            logger.error(
                "file cache unusable, serving from memory for %.0f s: %s failed with %s",
                FALLBACK_SECONDS,
                operation,
                exc.__class__.__name__,
                extra={"event": "cache_fallback", "errno": exc.errno},
            )

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if not self.is_degraded:
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except OSError as exc:
                self._degrade(operation, exc)
        return getattr(self._fallback, operation)(*args, **kwargs)

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
