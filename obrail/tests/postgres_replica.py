"""A throwaway PostgreSQL primary and its streaming replica, for the database router tests.

Two clusters under a temporary directory, on free loopback ports: the primary made by
``initdb``, the replica by ``pg_basebackup -R`` from it (a real hot standby replaying the
primary's WAL). PostgreSQL refuses to run as root: as root, every binary runs as the
``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Database created on the primary for the tests.
DATABASE_NAME = "obrail_replica_test"


class ReplicaSetupError(RuntimeError):
    """The primary or its replica could not be created or started."""


@dataclass(frozen=True)
class ReplicaPair:
    """Connection URLs of a running primary and of its streaming replica."""

    primary_url: str
    replica_url: str


def _bin_dir() -> Path:
    """The newest installed PostgreSQL server binaries (Debian layout, then ``PATH``)."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ReplicaSetupError("initdb not found: install the PostgreSQL server (postgresql-15)")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], *, as_postgres: bool) -> None:
    if as_postgres:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise ReplicaSetupError(
            f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-800:]}"
        )


@contextlib.contextmanager
def streaming_replica() -> Iterator[ReplicaPair]:
    """Start a primary and a streaming replica of it; stop and delete both on exit."""
    bin_dir = _bin_dir()
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="obrail-replica-"))
    if as_postgres:
        shutil.chown(root, user="postgres", group="postgres")
    primary, replica = root / "primary", root / "replica"
    primary_port, replica_port = _free_port(), _free_port()
    started: list[Path] = []
    try:
        _run(
            [str(bin_dir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust"],
            as_postgres=as_postgres,
        )
        with (primary / "postgresql.conf").open("a", encoding="utf-8") as conf:
            # Small and loopback-only; wal_level=replica and max_wal_senders are the defaults.
            conf.write(
                f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
                "shared_buffers = 16MB\nfsync = off\n"
            )
        _start(bin_dir, primary, primary_port, root, as_postgres=as_postgres)
        started.append(primary)
        _run(
            [
                str(bin_dir / "pg_basebackup"),
                "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
                "-D", str(replica), "-R", "-X", "stream", "-c", "fast",
            ],
            as_postgres=as_postgres,
        )  # fmt: skip
        _start(bin_dir, replica, replica_port, root, as_postgres=as_postgres)
        started.append(replica)
        _run(
            [
                str(bin_dir / "createdb"),
                "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", DATABASE_NAME,
            ],
            as_postgres=as_postgres,
        )  # fmt: skip
        yield ReplicaPair(
            primary_url=f"postgres://postgres@127.0.0.1:{primary_port}/{DATABASE_NAME}",
            replica_url=f"postgres://postgres@127.0.0.1:{replica_port}/{DATABASE_NAME}",
        )
    finally:
        for data_dir in reversed(started):
            with contextlib.suppress(ReplicaSetupError):
                _run(
                    [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"],
                    as_postgres=as_postgres,
                )
        shutil.rmtree(root, ignore_errors=True)


def _start(bin_dir: Path, data_dir: Path, port: int, root: Path, *, as_postgres: bool) -> None:
    _run(
        [
            str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(data_dir / "server.log"),
            "-o", f"-p {port} -k {root}", "-w", "-t", "60", "start",
        ],
        as_postgres=as_postgres,
    )  # fmt: skip


def wait_until(predicate: Callable[[], bool], *, seconds: float = 30.0) -> bool:
    """Poll ``predicate()`` every 50 ms until it is true or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
