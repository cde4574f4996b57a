"""The web process's compute pool: solver work of a request runs here, under the budget of the
settings, with the results of identical calls cached.

``run_bounded(name, function, *args)`` is the one entry point used by the API and the pages;
``function`` is a module-level service function whose arguments are plain values (dataclasses
of numbers), so that its repr identifies the call. A call that ran out of budget is cached
too, for a shorter time: asking again for the same too-expensive input costs nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from obrail.budget import Budget, BudgetExceeded, ComputeBusy, ComputePool
from obrail.caching import cache_scope
from obrail.compute_child import setup_django

__all__ = [
    "BudgetExceeded",
    "ComputeBusy",
    "budget_message",
    "get_pool",
    "reset_pool",
    "run_bounded",
]

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: Modules the fork server imports once, so that a new child starts in milliseconds.
PRELOAD = ("numpy", "scipy.integrate", "scipy.optimize", "django")
#: A call that ran out of budget is remembered this long (seconds).
EXCEEDED_CACHE_SECONDS = 60

_pool: ComputePool | None = None
_pool_lock = threading.Lock()


def get_pool() -> ComputePool:
    """The process's pool, started on first use with the budget of the settings."""
    global _pool
    with _pool_lock:
        if _pool is None:
            budget = Budget(
                cpu_seconds=settings.COMPUTE_CPU_SECONDS,
                wall_seconds=settings.COMPUTE_WALL_MS / 1000,
                queue_seconds=settings.COMPUTE_QUEUE_MS / 1000,
            )
            _pool = ComputePool(
                size=settings.COMPUTE_WORKERS,
                budget=budget,
                initializer=setup_django,
                preload=PRELOAD,
            )
        return _pool


def reset_pool() -> None:
    """Kill the pool's children; the next call starts a pool with the current settings."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
        _pool = None


def _key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    # The language too: a result or a refusal may hold words.
    call = repr((translation.get_language(), args, sorted(kwargs.items())))
    digest = hashlib.sha256(call.encode()).hexdigest()
    return f"obrail:{cache_scope()}:compute:{name}:{digest}"


def run_bounded(name: str, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Return ``function(*args, **kwargs)`` computed in the pool, or cached under ``name`` and
    the arguments' repr for ``COMPUTE_CACHE_SECONDS``.

    Raises
    ------
    BudgetExceeded
        This input needs more than the budget (remembered for a minute).
    ComputeBusy
        Every compute process is busy: retry later (never cached).
    Exception
        Whatever ``function`` raised (domain errors such as ``InvalidInput``).
    """
    seconds = settings.COMPUTE_CACHE_SECONDS
    key = _key(name, args, kwargs)
    if seconds:
        hit = cache.get(key)
        if isinstance(hit, BudgetExceeded):
            raise hit
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    try:
        with host_slot():
            value = get_pool().run(
                _in_language, translation.get_language(), function, *args, **kwargs
            )
    except BudgetExceeded as exceeded:
        # A CPU overrun is the input's; a wall-clock one the machine's load: not remembered.
        if seconds and exceeded.limit == "cpu":
            cache.set(key, exceeded, min(seconds, EXCEEDED_CACHE_SECONDS))
        raise
    if seconds:
        cache.set(key, value, seconds)
    return value


def _in_language(language: str | None, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` in the compute child under the request's language (its messages)."""
    if language is None:
        return function(*args, **kwargs)
    with translation.override(language):
        return function(*args, **kwargs)


@contextlib.contextmanager
def host_slot() -> Iterator[None]:
    """Hold one of the host's ``COMPUTE_HOST_SLOTS`` computation slots, whichever web worker
    asks; none free: ``ComputeBusy`` at once.

    A sync web worker waiting for its compute child serves nothing else: ten heavy requests
    held both workers of a 2-core host and ``/health`` took up to 6 s. With one worker fewer
    slots than workers, one worker always stays free for everything that computes nothing.
    The slots are file locks in the var directory (released by the kernel when a process
    dies); ``0`` or an unusable directory leaves only each process's own pool limit.
    """
    slots = settings.COMPUTE_HOST_SLOTS
    directory = Path(settings.VAR_DIR) / "compute-slots"
    try:
        if slots:
            directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        slots = 0
    if not slots:
        yield
        return
    for index in range(slots):
        try:
            handle = (directory / f"slot-{index}").open("a")
        except OSError:
            yield  # the directory went read-only: no host-wide limit
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield
        finally:
            handle.close()  # closing the file releases its lock
        return
    raise ComputeBusy(0.0)


def is_retryable(error: BudgetExceeded | ComputeBusy) -> bool:
    """Whether the machine's load, not the input, stopped the call: busy, or out of wall-clock
    time within its CPU budget (a 503 with ``Retry-After``; a CPU overrun is a 422)."""
    return isinstance(error, ComputeBusy) or error.limit != "cpu"


def budget_message(error: BudgetExceeded | ComputeBusy) -> str:
    """The French sentence shown for a computation cut by its budget or refused when busy."""
    if isinstance(error, ComputeBusy):
        return _("Tous les calculateurs sont occupés : réessayez dans quelques secondes.")
    if error.limit != "cpu":
        return _(
            "Calcul interrompu après %(seconds)s s : le serveur est très chargé, réessayez dans "
            "quelques secondes."
        ) % {"seconds": f"{error.seconds:g}"}
    return _(
        "Calcul interrompu : il dépasse le budget de %(seconds)s s de temps processeur. "
        "Réduisez l'horizon, le nombre de points ou d'espèces, ou la taille de la grille."
    ) % {"seconds": f"{error.seconds:g}"}
