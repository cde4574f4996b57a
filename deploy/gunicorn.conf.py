"""Gunicorn configuration for the ObRail container (and the smoke test in deploy/verify.sh).

Every tunable comes from the environment so one image serves every deployment size:

=============================  =========  ===================================================
variable                       default    meaning
=============================  =========  ===================================================
``PORT``                       8000       TCP port to bind on all interfaces
``GUNICORN_BIND``              (PORT)     full bind address, overrides ``PORT`` (loopback...)
``GUNICORN_WORKERS``           2          worker processes (measured: docs/operations.md)
``GUNICORN_THREADS``           1          threads per worker (>1 switches to gthread, whose
                                          timeout cannot kill a stuck request)
``GUNICORN_TIMEOUT``           30         seconds before a silent worker is killed
``GUNICORN_GRACEFUL_TIMEOUT``  30         seconds given to workers to finish on restart
``GUNICORN_KEEPALIVE``         5          seconds to keep idle client connections
``GUNICORN_MAX_REQUESTS``      1000       recycle a worker after this many requests (0: never)
``GUNICORN_LOG_LEVEL``         info       gunicorn's own log level
``PROMETHEUS_MULTIPROC_DIR``   (unset)    shared directory of prometheus_client metric files
=============================  =========  ===================================================

With several workers each process has its own metric values; prometheus_client's multiprocess
mode writes them to files in ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` merges them. The
directory is emptied when the master starts (stale files from a previous run would otherwise be
added to the new counts) and a dead worker's live gauges are dropped.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, got {value}")
    return value


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_env_int('PORT', 8000, minimum=1)}"
workers = _env_int("GUNICORN_WORKERS", 2, minimum=1)
threads = _env_int("GUNICORN_THREADS", 1, minimum=1)
timeout = _env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5, minimum=0)
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = max_requests // 10
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Access lines are written by the app's request logging (with the request id); gunicorn's own
# error log goes to stderr, collected by promtail like every container's output.
accesslog = None
errorlog = "-"
# Heartbeat files in memory, not on a possibly slow or read-only container layer.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# No runtime control socket (gunicornc): nothing manages workers from inside the container,
# and its default path is in the read-only home directory.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips


def on_starting(server: Any) -> None:
    """Empty the prometheus_client multiprocess directory before any worker starts."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    if path.is_dir():
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    path.mkdir(parents=True, exist_ok=True)
    server.log.info("prometheus multiprocess directory ready: %s", path)


def worker_abort(worker: Any) -> None:
    """Log and count as 5xx the requests of a worker killed by the timeout (obrail/inflight.py).

    gunicorn sends SIGABRT to a worker silent for ``timeout`` seconds; the worker runs this
    hook, then exits without answering: no access line would name the request otherwise.
    """
    try:
        from obrail.inflight import report_killed_requests
    except ImportError:  # the app never loaded in this worker: nothing was in flight
        return
    killed = report_killed_requests(f"gunicorn worker timeout ({timeout} s)")
    worker.log.error(
        "worker %s killed by the %s s timeout: %d request(s)", worker.pid, timeout, killed
    )


def child_exit(server: Any, worker: Any) -> None:
    """Drop the live gauges of a worker that exited (its counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
