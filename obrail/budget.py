"""Bounded computation: run a function in a persistent child process under a CPU-time and a
wall-clock budget, so that no computation can hold a web worker longer than the budget.

A :class:`ComputePool` keeps ``size`` child processes started with the ``forkserver`` context
(never ``fork``: the web worker has threads and open database connections). Each child serves
one call at a time over a pipe:

- the parent waits for the answer at most ``wall_seconds``, then kills the child (SIGKILL) and
  raises :class:`BudgetExceeded`;
- the child sets its own ``RLIMIT_CPU`` soft limit to the CPU it has used so far plus
  ``cpu_seconds`` before each call: beyond it the kernel ends the child with SIGXCPU, which the
  parent reports as :class:`BudgetExceeded` too (a child spinning several threads cannot use
  more CPU than its budget, even within the wall time);
- children run with a lower scheduling priority (``nice``), so that requests that compute
  nothing (``/health``, lists) keep the CPU when every child is busy;
- a call that finds no idle child within ``queue_seconds`` raises :class:`ComputeBusy`.

A killed child is replaced on the next call. An exception raised by the function comes back
as the same exception (its child traceback attached as the cause); one that cannot be pickled
comes back as :class:`RemoteError`. The module knows nothing of Django or of requests.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
import pickle
import queue
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, ParamSpec, TypeVar

__all__ = [
    "Budget",
    "BudgetError",
    "BudgetExceeded",
    "ComputeBusy",
    "ComputePool",
    "RemoteError",
]

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: Niceness added to the children: the web threads win the CPU when both want it.
CHILD_NICENESS = 10
# How long a new child may take to start (forkserver, imports, Django set-up) on a loaded
# machine before the call is refused as busy; its own budget starts once it is ready.
STARTUP_SECONDS = 60.0
_READY = ("ready",)


@dataclass(frozen=True)
class Budget:
    """Limits of one call: CPU seconds (whole seconds, the kernel's granularity), wall seconds,
    and how long a call may wait for an idle child."""

    cpu_seconds: int = 2
    wall_seconds: float = 3.0
    queue_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.cpu_seconds < 1:
            raise ValueError(f"cpu_seconds={self.cpu_seconds!r}: must be ≥ 1")
        if not self.wall_seconds > 0:
            raise ValueError(f"wall_seconds={self.wall_seconds!r}: must be > 0")
        if not self.queue_seconds >= 0:
            raise ValueError(f"queue_seconds={self.queue_seconds!r}: must be ≥ 0")


class BudgetError(RuntimeError):
    """Base class: the computation did not run to its end."""


class BudgetExceeded(BudgetError):  # noqa: N818 - reads as a state, like TimeoutExpired
    """The computation used up its CPU or wall-clock budget and its process was killed.

    ``limit`` is ``"cpu"`` or ``"wall"``; ``seconds`` is the budget that ran out.
    """

    def __init__(self, limit: str, seconds: float, elapsed_s: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.elapsed_s = elapsed_s
        super().__init__(f"{limit} budget of {seconds:g} s exceeded after {elapsed_s:.2f} s")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.limit, self.seconds, self.elapsed_s))


class ComputeBusy(BudgetError):  # noqa: N818 - reads as a state
    """Every child stayed busy for ``queue_seconds``: retry later."""

    def __init__(self, waited_s: float) -> None:
        self.waited_s = waited_s
        super().__init__(f"no idle compute process after {waited_s:.2f} s")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.waited_s,))


class RemoteError(BudgetError):
    """The child raised an exception that could not be sent back as itself."""

    def __init__(self, kind: str, message: str, remote_traceback: str) -> None:
        self.kind = kind
        self.message = message
        self.remote_traceback = remote_traceback
        super().__init__(f"{kind}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.kind, self.message, self.remote_traceback))


class _ChildTraceback(Exception):  # noqa: N818 - shown as the cause, like concurrent.futures
    """The traceback of the child, attached as the ``__cause__`` of a re-raised exception."""

    def __str__(self) -> str:
        return f'\n"""\n{self.args[0]}"""'


def _serve(conn: Connection, initializer: Callable[[], None] | None) -> None:
    """Child main loop: receive (function, args, kwargs, cpu_seconds), answer, repeat."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    # SIGINT is for the parent (Ctrl-C in a development server); the child ends when its
    # pipe closes or when it is killed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer()
    conn.send(_READY)  # the start-up (imports, Django set-up) is not charged to a call
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            function, args, kwargs, cpu_seconds = pickle.loads(message)  # noqa: S301 - parent's
        except Exception as error:  # e.g. the function's module cannot be imported here
            conn.send(_picklable(("error", error, traceback.format_exc())))
            continue
        usage = resource.getrusage(resource.RUSAGE_SELF)
        limit = math.ceil(usage.ru_utime + usage.ru_stime + cpu_seconds)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
        try:
            answer: tuple[Any, ...] = ("ok", function(*args, **kwargs))
        except Exception as error:  # every failure goes back to the caller, none is swallowed
            answer = ("error", error, traceback.format_exc())
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
        conn.send(_picklable(answer))


def _picklable(answer: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        pickle.loads(pickle.dumps(answer))  # noqa: S301 - our own bytes, just made
    except Exception as error:  # a result or exception that cannot cross the pipe
        if answer[0] == "ok":
            return ("error", RemoteError(type(error).__name__, str(error), ""), "")
        original = answer[1]
        return (
            "error",
            RemoteError(type(original).__name__, str(original), answer[2]),
            answer[2],
        )
    return answer


class _Child:
    """One child process and the parent's end of its pipe."""

    def __init__(self, context: BaseContext, initializer: Callable[[], None] | None) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.conn = parent_end
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child_end, initializer), daemon=True, name="obrail-compute"
        )
        self.process.start()
        child_end.close()

    def kill(self) -> None:
        """End the child now and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class ComputePool:
    """A small pool of persistent child processes running calls under a :class:`Budget`.

    Thread-safe: each web thread takes an idle child, or waits for one ``queue_seconds``.
    """

    def __init__(
        self,
        *,
        size: int,
        budget: Budget,
        initializer: Callable[[], None] | None = None,
        context: str = "forkserver",
        preload: Sequence[str] = (),
    ) -> None:
        if size < 1:
            raise ValueError(f"size={size!r}: must be ≥ 1")
        if context not in {"forkserver", "spawn"}:
            raise ValueError(f"context={context!r}: must be forkserver or spawn")
        self.size = size
        self.budget = budget
        self._initializer = initializer
        self._context = multiprocessing.get_context(context)
        if context == "forkserver" and preload:
            self._context.set_forkserver_preload(list(preload))  # type: ignore[attr-defined]
        self._idle: queue.LifoQueue[_Child | None] = queue.LifoQueue()
        for _ in range(size):
            self._idle.put(None)
        self._lock = threading.Lock()
        self._children: set[_Child] = set()
        self._is_closed = False

    def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call ``function(*args, **kwargs)`` in a child under the budget and return its result.

        ``function``, its arguments and its result must be picklable (``function`` defined at
        the top level of a module).

        Raises
        ------
        BudgetExceeded
            The call used up its CPU or wall-clock budget; its child was killed.
        ComputeBusy
            No child became idle within ``queue_seconds``.
        RemoteError
            The function raised an exception that cannot be pickled.
        Exception
            Whatever the function raised, re-raised as itself.
        """
        budget = self.budget
        waited = time.perf_counter()
        try:
            child = self._idle.get(timeout=budget.queue_seconds)
        except queue.Empty:
            raise ComputeBusy(time.perf_counter() - waited) from None
        try:
            if child is None or not child.process.is_alive():
                child = self._start()
            answer = self._call(child, function, args, kwargs)
        except BaseException:
            if child is not None:
                self._discard(child)
            self._idle.put(None)
            raise
        self._idle.put(child)
        if answer[0] == "ok":
            return answer[1]  # type: ignore[no-any-return]
        error = answer[1]
        if answer[2]:
            raise error from _ChildTraceback(answer[2])
        raise error

    def _start(self) -> _Child:
        if self._is_closed:
            raise RuntimeError("the compute pool is closed")
        started = time.perf_counter()
        child = _Child(self._context, self._initializer)
        with self._lock:
            self._children.add(child)
        ready = False
        with contextlib.suppress(EOFError, OSError):
            ready = child.conn.poll(STARTUP_SECONDS) and child.conn.recv() == _READY
        if not ready:
            self._discard(child)
            raise ComputeBusy(time.perf_counter() - started)
        logger.info(
            "compute child %s started in %.0f ms",
            child.process.pid,
            (time.perf_counter() - started) * 1e3,
        )
        return child

    def _discard(self, child: _Child) -> None:
        child.kill()
        with self._lock:
            self._children.discard(child)

    def _call(
        self, child: _Child, function: Callable[..., Any], args: Any, kwargs: Any
    ) -> tuple[Any, ...]:
        budget = self.budget
        started = time.perf_counter()
        child.conn.send((function, args, kwargs, budget.cpu_seconds))
        has_answer = child.conn.poll(budget.wall_seconds)
        elapsed = time.perf_counter() - started
        if has_answer:
            try:
                return child.conn.recv()  # type: ignore[no-any-return]
            except (EOFError, OSError):
                pass  # the child died: find out why below
        if has_answer:
            child.process.join(timeout=1)  # it is exiting: let it say how
        child.kill()
        if child.process.exitcode == -signal.SIGXCPU:
            limit, seconds = "cpu", float(budget.cpu_seconds)
        elif has_answer:
            raise RemoteError(
                "ChildDied", f"compute child ended with exit code {child.process.exitcode}", ""
            )
        else:
            limit, seconds = "wall", budget.wall_seconds
        logger.warning(
            "computation %s killed: %s budget of %g s exceeded after %.2f s",
            getattr(function, "__qualname__", function),
            limit,
            seconds,
            elapsed,
        )
        raise BudgetExceeded(limit, seconds, elapsed)

    def close(self) -> None:
        """Kill every child; later calls raise."""
        self._is_closed = True
        with self._lock:
            children = list(self._children)
            self._children.clear()
        for child in children:
            child.kill()
